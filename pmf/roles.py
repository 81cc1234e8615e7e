"""The product's roles, each a Django group; the system actor; and the view decorator.

Groups are created by a data migration (`pmf/migrations/0002_roles.py`), never by hand.

Who may do what is decided in one registry: django-rules permissions, declared in each app's
`rules.py` (pmf, kpis, committees, reports) from the role predicates below and the objects'
own facts. Views and services alike ask `user.has_perm(name, obj)`; every service names the
person acting, and commands and background jobs act as the system actor.
"""

from collections.abc import Callable
from functools import wraps

import rules
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse

from pmf.models import User


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

# Commands and background jobs act as this account: it cannot sign in (it is inactive and has
# no usable password), and it holds the Governance and Performance team's authority.
SYSTEM_USERNAME = "system"
is_system = rules.predicate(
    lambda user: getattr(user, "username", None) == SYSTEM_USERNAME and not user.is_active,
    name="is the system actor",
)
acts_for_gp = is_system | is_gp  # the system actor first: it needs no query of groups


def system_actor() -> User:
    """The account commands and background jobs act as (made the first time it is needed)."""
    user, _ = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"is_active": False, "first_name": "System", "password": "!"},
    )
    return user


def role_names(user) -> list[str]:
    """The roles a user holds, in the order Role lists them (for display)."""
    held = group_names(user)
    return [role.label for role in Role if role.value in held]


def require(permission: str) -> Callable:
    """Decorate a view: anonymous users are sent to sign in, others without the permission (the
    role-level answer, before any object) get 403. Views check objects with has_perm(name, obj)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
