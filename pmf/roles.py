"""The product's roles, each a Django group, and the checks views use to enforce them.

Groups are created by a data migration (`pmf/migrations/0002_roles.py`), never by hand.
"""

from collections.abc import Callable
from functools import wraps

import rules
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse


class Role(models.TextChoices):
    OFFICER = "Officer", "Officer"
    APPROVER = "Directorate approver", "Directorate approver"
    GP = "Governance and Performance", "Governance and Performance"
    CLERK = "Committee clerk", "Committee clerk"
    VIEWER = "Councillor or viewer", "Councillor or viewer"


def group_names(user) -> frozenset[str]:
    """The user's group names, read once per request and kept on the user object."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_pmf_group_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._pmf_group_names = cached
    return cached


def _holds(role: Role) -> rules.Predicate:
    return rules.predicate(lambda user: role.value in group_names(user), name=f"holds {role}")


is_officer = _holds(Role.OFFICER)
is_approver = _holds(Role.APPROVER)
is_gp = _holds(Role.GP)
is_clerk = _holds(Role.CLERK)
is_viewer = _holds(Role.VIEWER)
has_any_role = rules.predicate(lambda user: bool(group_names(user) & set(Role.values)))


def role_names(user) -> list[str]:
    """The roles a user holds, in the order Role lists them (for display)."""
    held = group_names(user)
    return [role.label for role in Role if role.value in held]


def require(predicate: rules.Predicate) -> Callable:
    """Decorate a view: anonymous users are sent to sign in, others without `predicate` get 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not predicate.test(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
