"""One permission registry (django-rules, see pmf.roles): views and services ask it by name."""

import re
from pathlib import Path

import pytest
import rules
from django.contrib.auth import authenticate
from django.test import RequestFactory

from pmf.roles import system_actor

ROOT = Path(__file__).resolve().parents[1]
APPS = ("pmf", "kpis", "committees", "reports", "scorecards")
PERMISSION_NAME = re.compile(r"""(?:require|has_perm)\(\s*["']([a-z_]+\.[a-z_]+)["']""")


def _names_asked_for() -> set[str]:
    names = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            names |= set(PERMISSION_NAME.findall(path.read_text()))
    return names


def test_every_permission_a_view_or_service_asks_for_is_in_the_registry():
    asked = _names_asked_for()
    assert len(asked) >= 10
    assert {name for name in asked if not rules.perm_exists(name)} == set()


@pytest.mark.django_db
def test_the_system_actor_acts_for_gp_but_can_never_sign_in(owner):
    actor = system_actor()
    assert system_actor() == actor  # one account, made once
    assert not actor.is_active and not actor.has_usable_password()
    assert authenticate(RequestFactory().post("/"), username="system", password="") is None
    for permission in ("kpis.keep_register", "kpis.run_cycle", "committees.keep_committees"):
        assert actor.has_perm(permission)
        assert not owner.has_perm(permission)
