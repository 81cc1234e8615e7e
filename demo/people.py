"""The council's people and structure: demo users, ambitions, directorates, services, committees.

No import or page creates users (they come from single sign-on or the admin), so users are saved
here directly, with the one shared demo password. The structure goes through the register's
`structure_save` service, G&P acting, on the day the register was set up.
"""

from functools import partial
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.db import models

from demo.context import DemoContext
from demo.timeline import at_hour
from kpis.register.models import Committee, Directorate, Priority, Service
from kpis.register.services import structure_save
from pmf.models import User
from pmf.roles import Role


class _DemoPasswordHash:
    """One hash of the demo password, shared by every demo user, and checked once per hash.

    The production hasher takes about 0.4 s a time on purpose; hashing (or checking) fifteen
    passwords would make every load cost six seconds. The demo password is public, so a shared
    salt gives nothing away.
    """

    def __init__(self, password: str) -> None:
        self.password = password
        self._encoded: str | None = None
        self._checked: dict[str, bool] = {}

    def holds(self, encoded: str) -> bool:
        if encoded not in self._checked:
            self._checked[encoded] = check_password(self.password, encoded)
        return self._checked[encoded]

    def encoded(self) -> str:
        if self._encoded is None:
            self._encoded = make_password(self.password)
            self._checked[self._encoded] = True
        return self._encoded


def load_users(context: DemoContext) -> int:
    """Create or correct every demo user; returns how many existing users were corrected."""
    groups = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
    missing = set(Role.values) - set(groups)
    if missing:
        raise RuntimeError(f"Role groups missing (run migrate first): {sorted(missing)}")
    passwords = _DemoPasswordHash(context.council["council"]["password"])
    corrected = 0
    for spec in context.council["users"]:
        user, action = _user(spec, passwords)
        group = groups[Role(spec["role"]).value]
        if set(user.groups.all()) != {group}:
            user.groups.set([group])
            action = action if action == "created" else "updated"
        corrected += action == "updated"
        context.users[user.username] = user
    return corrected


def _user(spec: dict[str, Any], passwords: _DemoPasswordHash) -> tuple[User, str]:
    """The demo user, saved if new or different: with "created", "updated" or "unchanged"."""
    email = f"{spec['first_name']}.{spec['last_name']}@example.gov.uk".lower().replace(" ", "")
    values = {
        "first_name": spec["first_name"],
        "last_name": spec["last_name"],
        "email": email,
        "job_title": spec["job_title"],
        "is_active": True,
        "is_staff": False,
        "is_superuser": False,
    }
    user = User.objects.filter(username=spec["username"]).first()
    created = user is None
    if created:
        user = User(username=spec["username"], **values)
    changed = [name for name, value in values.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, values[name])
    if user.pk is None or not passwords.holds(user.password):
        validate_password(passwords.password, user)
        user.password = passwords.encoded()
        changed.append("password")
    if changed:
        user.full_clean()
        user.save()
    return user, "created" if created else "updated" if changed else "unchanged"


def schedule_structure(context: DemoContext) -> None:
    set_up = at_hour(context.calendar.date(context.council["council"]["set_up"]), 9)
    context.timeline.add(set_up, partial(load_structure, context))


def load_structure(context: DemoContext) -> None:
    council, gp = context.council, context.gp
    for spec in council["priorities"]:
        values = {"name": spec["name"], "description": spec["description"], "is_active": True}
        _save_if_differs(Priority, {"number": spec["number"]}, values, by=gp)
    for spec in council["directorates"]:
        approvers = [context.users[username] for username in spec["approvers"]]
        directorate = _save_if_differs(
            Directorate,
            {"short_name": spec["short_name"]},
            {"name": spec["name"], "is_active": True},
            by=gp,
            m2m={"approvers": approvers},
        )
        for name in spec["services"]:
            _save_if_differs(
                Service, {"directorate": directorate, "name": name}, {"is_active": True}, by=gp
            )
    for spec in council["committees"]:
        values = {"name": spec["name"], "kind": spec["kind"], "remit": spec["remit"]}
        _save_if_differs(Committee, {"short_name": spec["short_name"]}, values, by=gp)


def _save_if_differs(
    model: type[models.Model],
    lookup: dict[str, Any],
    values: dict[str, Any],
    *,
    by: User,
    m2m: dict[str, list] | None = None,
) -> models.Model:
    """Find the row by `lookup`, or make it; save it through `structure_save` only if it is new
    or differs, so a second load writes no history."""
    obj = model.objects.filter(**lookup).first() or model(**lookup)
    changed = obj.pk is None or any(getattr(obj, name) != value for name, value in values.items())
    for name, value in values.items():
        setattr(obj, name, value)
    wanted = m2m or {}
    if obj.pk is not None:
        wanted = {
            name: objs
            for name, objs in wanted.items()
            if set(getattr(obj, name).all()) != set(objs)
        }
    if changed or wanted:
        structure_save(obj=obj, by=by, m2m=wanted)
    return obj
