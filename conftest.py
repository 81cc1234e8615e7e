"""Standing users for every test: owner, colleague, outsider, approver, G&P, clerk, viewer."""

import importlib
import os

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from hypothesis import settings as hypothesis_settings

from kpis.register.models import unit_table
from kpis.register.tests.factories import DirectorateFactory
from kpis.register.units import VERSION_KEY
from pmf.tests.factories import UserFactory


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """With PMF_REQUIRE_ALL_TESTS=1 (set by CI) a skipped test fails: nothing hides a failure."""
    report = yield
    if (
        os.environ.get("PMF_REQUIRE_ALL_TESTS") == "1"
        and report.skipped
        and not hasattr(report, "wasxfail")
    ):
        report.outcome = "failed"
        report.longrepr = f"Skipped, but CI requires every test to run: {report.longrepr}"
    return report


# Speed is measured in bench/, not by timing tests: a property test on a busy machine must not
# fail for taking longer than Hypothesis's default 200 ms per example.
hypothesis_settings.register_profile("pmf", deadline=None)
hypothesis_settings.load_profile("pmf")

DB_BLOCKER = pytest.StashKey()


@pytest.fixture(autouse=True, scope="session")
def _remember_db_blocker(request, django_db_blocker):
    request.config.stash[DB_BLOCKER] = django_db_blocker


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (a live server, a worker, row locks) ends by emptying every table,
    the role groups that a migration made included. Put them back, so that no later test in
    this process depends on running before one."""
    result = yield
    # After the last test the test database itself is gone: nothing to restore.
    if nextitem is not None and _empties_the_database(item) and DB_BLOCKER in item.config.stash:
        from django.contrib.auth.models import Group

        from pmf.roles import Role

        with item.config.stash[DB_BLOCKER].unblock():
            for role in Role:
                Group.objects.get_or_create(name=role.value)
            restore_the_councils_units()
    return result


def restore_the_councils_units() -> None:
    """The units a migration made, after a test that emptied every table."""
    migration = importlib.import_module("kpis.migrations.0006_units")
    migration.add_the_councils_units(apps, None)
    unit_table.forget()


def _empties_the_database(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "module_db", "django_db_setup"}


@pytest.fixture(autouse=True)
def _units_as_stored(request, settings):
    """Every test reads the units its database holds. The process keeps the unit table in memory
    (kpis.register.units) while a test's rows roll back, so it is read afresh before each test
    that has a database, and outside the test's own queries, so that no query count includes it;
    a test without a database has none to read. Within a test the table is read again only when
    a unit is saved: the shared version does not expire on a clock, as it does in production."""
    settings.UNITS_CACHE_SECONDS = None
    cache.delete(VERSION_KEY)
    unit_table.forget()
    marker = request.node.get_closest_marker("django_db")
    if marker is not None or DATABASE_FIXTURES & set(request.fixturenames):
        request.getfixturevalue("django_db_setup")
        with request.getfixturevalue("django_db_blocker").unblock():
            unit_table.all()
    yield
    unit_table.forget()


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hashing a password properly takes ~0.4 s; tests do not need that strength."""
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """A transaction around a whole test module, for module-scoped fixtures that make rows once
    (the demo council, a rendered pack) instead of once per test.

    Every test still runs in its own savepoint inside it, so a test's changes never reach the next
    test, and everything is rolled back when the module ends. Only for modules whose every test
    may see those rows: a test that needs an empty database belongs in another module.
    """
    with (
        django_db_blocker.unblock(),
        transaction.atomic(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
    ):
        yield
        transaction.set_rollback(True)


@pytest.fixture
def directorate(db):
    return DirectorateFactory(name="Place and Sustainability", short_name="P&S")


@pytest.fixture
def other_directorate(db):
    return DirectorateFactory(name="Children, Education and Families", short_name="CEF")


@pytest.fixture
def owner(db):
    return UserFactory(username="owner", roles=["Officer"])


@pytest.fixture
def colleague(db):
    return UserFactory(username="colleague", roles=["Officer"])


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider", roles=["Officer"])


@pytest.fixture
def approver(db, directorate):
    user = UserFactory(username="approver", roles=["Directorate approver"])
    directorate.approvers.add(user)
    return user


@pytest.fixture
def gp(db):
    return UserFactory(username="gp", roles=["Governance and Performance"])


@pytest.fixture
def clerk(db):
    return UserFactory(username="clerk", roles=["Committee clerk"])


@pytest.fixture
def viewer(db):
    return UserFactory(username="viewer", roles=["Councillor or viewer"])
