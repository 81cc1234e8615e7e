from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who signs in: an officer, approver, G&P analyst, clerk or councillor."""

    job_title = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


def person_name(user: "User | None") -> str:
    """A person as pages, histories and e-mails name them: full name, else username; blank for
    no one."""
    return "" if user is None else str(user)
