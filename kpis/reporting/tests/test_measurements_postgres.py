"""Concurrency on PostgreSQL: two people saving one value at once, a double-clicked submit,
saves in one period side by side, and a period lock waiting for saves in flight."""

import threading
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import OperationalError, connection, connections, transaction

from kpis.register.tests.factories import KpiFactory
from kpis.reporting.models import Measurement, RagPolicy
from kpis.reporting.services import Entry, StaleEdit, measurement_save, period_lock
from kpis.reporting.tests.factories import make_measurement, make_period
from pmf.roles import Role

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: row locks decide who saves first")
    # A transactional test flushes the tables afterwards, the roles' groups included.
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    RagPolicy.current()  # the council's policy row, as in any running system


def _race(*calls):
    """Run each call in its own thread (own connection), released together; outcomes in order."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001 - the outcome under test
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_people_saving_the_same_version_at_once_one_wins_one_is_told(
    owner, colleague, directorate
):
    kpi = KpiFactory(lead_officer=owner, directorate=directorate)
    kpi.delegates.add(colleague)
    period = make_period()
    stored = make_measurement(kpi, period, 60)

    def save(user, value):
        return lambda: measurement_save(
            kpi=kpi,
            period=period,
            by=user,
            entry=Entry(value=Decimal(value)),
            expected_version=stored.version,
        )

    outcomes = _race(save(owner, "70"), save(colleague, "80"))
    saved = [o for o in outcomes if isinstance(o, Measurement)]
    stale = [o for o in outcomes if isinstance(o, StaleEdit)]
    assert len(saved) == 1 and len(stale) == 1, outcomes
    stored.refresh_from_db()
    assert stored.version == 2
    assert stored.value == saved[0].value
    assert stale[0].current.value == saved[0].value  # the loser is shown the winner's value


def test_a_double_clicked_submit_makes_one_submission(owner, directorate):
    kpi = KpiFactory(lead_officer=owner, directorate=directorate)
    period = make_period()

    def submit():
        return measurement_save(
            kpi=kpi,
            period=period,
            by=owner,
            entry=Entry(value=Decimal("72"), commentary="Steady"),
            expected_version=0,
            submit=True,
        )

    outcomes = _race(submit, submit)
    assert all(isinstance(o, Measurement) for o in outcomes), outcomes
    assert Measurement.objects.count() == 1
    saved = Measurement.objects.get()
    assert saved.status == Measurement.Status.SUBMITTED and saved.version == 1
    reasons = list(saved.history.values_list("history_change_reason", flat=True))
    assert reasons == ["Submitted"]


def _held_save(kpi, period, by, saved: threading.Event, release: threading.Event):
    """Save a value and keep its transaction open until `release` is set."""

    def call():
        with transaction.atomic():
            measurement = measurement_save(
                kpi=kpi, period=period, by=by, entry=Entry(value=Decimal("61")), expected_version=0
            )
            saved.set()
            release.wait(timeout=10)
        return measurement

    return call


def _with_lock_timeout(call):
    def run():
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '500ms'")
            return call()

    return run


def test_officers_saving_in_one_period_do_not_wait_for_each_other(owner, colleague, directorate):
    first = KpiFactory(lead_officer=owner, directorate=directorate)
    second = KpiFactory(lead_officer=colleague, directorate=directorate)
    period = make_period()
    saved, release = threading.Event(), threading.Event()

    def second_save_while_first_is_open():
        assert saved.wait(timeout=10)
        try:
            return _with_lock_timeout(
                lambda: measurement_save(
                    kpi=second,
                    period=period,
                    by=colleague,
                    entry=Entry(value=Decimal("62")),
                    expected_version=0,
                )
            )()
        finally:
            release.set()

    outcomes = _race(
        _held_save(first, period, owner, saved, release), second_save_while_first_is_open
    )
    assert all(isinstance(o, Measurement) for o in outcomes), outcomes
    assert Measurement.objects.count() == 2


def test_locking_a_period_waits_for_a_save_in_flight(owner, gp, directorate):
    kpi = KpiFactory(lead_officer=owner, directorate=directorate)
    period = make_period()
    saved, release = threading.Event(), threading.Event()

    def lock_while_save_is_open():
        assert saved.wait(timeout=10)
        try:
            return _with_lock_timeout(lambda: period_lock(period=period, by=gp))()
        finally:
            release.set()

    outcomes = _race(_held_save(kpi, period, owner, saved, release), lock_while_save_is_open)
    assert isinstance(outcomes[0], Measurement), outcomes
    assert isinstance(outcomes[1], OperationalError), outcomes  # it had to wait for the save
    period.refresh_from_db()
    assert period.state != period.State.LOCKED
