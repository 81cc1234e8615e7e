"""The database failing in the middle of a save: the user sees an error, nothing partial is stored.

A value's save is two writes in one transaction: the Measurement row, then its history record
(django-simple-history writes it in post_save). The fault is injected between the two, after
the row's UPDATE or INSERT has reached the database:

* on any database, the history write raises django.db.OperationalError (as a dropped connection
  does);
* on PostgreSQL, the connection really is dropped: a second connection terminates this one's
  server process (pg_terminate_backend), so the history INSERT fails on a dead socket.

Either way the value, its version and its history must be exactly as before, the person must get
the "Sorry, there is a problem with the service" page, and the next request must work.
"""

from collections import Counter
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import DEFAULT_DB_ALIAS, DatabaseError, OperationalError, connection, connections
from django.test import Client
from simple_history.signals import pre_create_historical_record

from kpis.register.tests.factories import KpiFactory
from kpis.reporting.models import Measurement
from kpis.reporting.services import Entry, measurement_save
from kpis.reporting.tests.factories import make_measurement, make_period, make_target
from pmf.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)

HistoricalMeasurement = Measurement.history.model
SORRY = "Sorry, there is a problem with the service"
URL = "/my-kpis/"


@pytest.fixture(autouse=True)
def _roles(db):
    # A transactional test flushes the tables afterwards, the roles' groups included.
    for role in Role:
        Group.objects.get_or_create(name=role.value)


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: drops a real server connection")


@pytest.fixture
def period(db):
    return make_period()  # 2025/26 Q2, open


@pytest.fixture
def kpis(owner, directorate):
    made = [
        KpiFactory(reference=reference, lead_officer=owner, directorate=directorate)
        for reference in ("169", "170", "171")
    ]
    for kpi in made:
        make_target(kpi, 80)
    return made


@contextmanager
def fault_on_history_write(fault, *, on_write: int = 1):
    """Run `fault()` just before the `on_write`-th Measurement history record is written."""
    writes = 0

    def receiver(sender, **kwargs):
        nonlocal writes
        writes += 1
        if writes == on_write:
            fault()

    pre_create_historical_record.connect(receiver, sender=HistoricalMeasurement)
    try:
        yield
    finally:
        pre_create_historical_record.disconnect(receiver, sender=HistoricalMeasurement)


def raise_operational_error():
    raise OperationalError("server closed the connection unexpectedly")


def drop_this_connection():
    """Kill this connection's server process from a second connection, and wait until it is
    gone: the next statement on this connection then fails like a dropped network link."""
    pid = connection.connection.info.backend_pid
    killer = connections.create_connection(DEFAULT_DB_ALIAS)  # a second, separate connection
    try:
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 10000)", [pid])
            assert cursor.fetchone()[0] is True
    finally:
        killer.close()


def snapshot() -> tuple:
    """Everything a save could have touched."""
    measurements = list(
        Measurement.objects.order_by("pk").values_list(
            "pk", "kpi_id", "value", "commentary", "action_plan", "status", "version", "rating"
        )
    )
    history = list(
        HistoricalMeasurement.objects.order_by("history_id").values_list(
            "history_id", "id", "version", "history_change_reason"
        )
    )
    return measurements, history


def page_data(period, kpis, *, action: str, versions=None, values=("72", "85", "90")) -> dict:
    data = {"action": action}
    for index, (kpi, value) in enumerate(zip(kpis, values, strict=True)):
        prefix = f"e{period.pk}-{kpi.pk}"
        data[f"{prefix}-version"] = str((versions or {}).get(kpi.pk, 0))
        data[f"{prefix}-value"] = value
        data[f"{prefix}-commentary"] = f"Commentary {index}"
        data[f"{prefix}-action_plan"] = "Weekly review with the contractor."
    return data


def signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def submit(kpi, period, by, *, expected_version):
    return measurement_save(
        kpi=kpi,
        period=period,
        by=by,
        entry=Entry(value=Decimal("91"), commentary="Better than expected"),
        expected_version=expected_version,
        submit=True,
    )


# On any database: the history write fails after the row was written ---------------------------


def test_a_failure_after_the_row_update_leaves_the_value_and_its_history_as_they_were(
    owner, period, kpis
):
    kpi = kpis[0]
    stored = make_measurement(kpi, period, 60, commentary="First draft")
    before = snapshot()

    with fault_on_history_write(raise_operational_error), pytest.raises(OperationalError):
        submit(kpi, period, owner, expected_version=stored.version)

    assert snapshot() == before
    stored.refresh_from_db()
    assert (stored.value, stored.version, stored.status) == (Decimal(60), 1, "draft")
    # And the same save goes through once the database is back.
    saved = submit(kpi, period, owner, expected_version=stored.version)
    assert (saved.value, saved.version, saved.status) == (Decimal(91), 2, "submitted")
    reasons = saved.history.order_by("history_id").values_list("history_change_reason", flat=True)
    assert list(reasons) == [None, "Submitted"]  # the fixture's creation, then the one save


def test_a_failure_part_way_through_a_page_of_values_stores_none_of_them(owner, period, kpis):
    client = signed_in(owner)
    before = snapshot()

    # The first two KPIs' rows and history are written; the third's history write fails.
    with fault_on_history_write(raise_operational_error, on_write=3):
        response = client.post(URL, page_data(period, kpis, action="submit"))

    assert response.status_code == 500
    assert SORRY in response.content.decode()
    assert snapshot() == before
    assert not Measurement.objects.exists()
    # The next request works, and the same page saves every value.
    assert client.get(URL).status_code == 200
    response = client.post(URL, page_data(period, kpis, action="submit"))
    assert response.status_code == 302
    assert Measurement.objects.filter(status="submitted").count() == 3
    assert HistoricalMeasurement.objects.count() == 3


# On PostgreSQL: the connection really drops ---------------------------------------------------


@pytest.mark.postgres
def test_a_dropped_connection_during_a_save_stores_nothing_partial(
    postgres_only, owner, period, kpis
):
    kpi = kpis[0]
    stored = make_measurement(kpi, period, 60, commentary="First draft")
    before = snapshot()

    with fault_on_history_write(drop_this_connection), pytest.raises(DatabaseError):
        submit(kpi, period, owner, expected_version=stored.version)

    # Django noticed and closed the broken connection; the next query opens a new one.
    assert snapshot() == before
    stored.refresh_from_db()
    assert (stored.value, stored.version, stored.status) == (Decimal(60), 1, "draft")
    saved = submit(kpi, period, owner, expected_version=stored.version)
    assert (saved.version, saved.status) == (2, "submitted")


@pytest.mark.postgres
def test_a_dropped_connection_during_a_page_save_shows_the_error_page_and_stores_nothing(
    postgres_only, owner, period, kpis
):
    client = signed_in(owner)
    drafts = {kpi.pk: make_measurement(kpi, period, 50, commentary="Draft") for kpi in kpis}
    versions = {pk: m.version for pk, m in drafts.items()}
    before = snapshot()

    with fault_on_history_write(drop_this_connection, on_write=3):
        response = client.post(URL, page_data(period, kpis, action="submit", versions=versions))

    assert response.status_code == 500
    body = response.content.decode()
    assert SORRY in body
    assert "Nothing you were saving has been stored in part" in body
    assert snapshot() == before
    # The next request works on a fresh connection, and saving again succeeds.
    page = client.get(URL)
    assert page.status_code == 200
    assert b"Draft" in page.content
    response = client.post(URL, page_data(period, kpis, action="submit", versions=versions))
    assert response.status_code == 302
    stored = Measurement.objects.order_by("pk")
    assert [(m.status, m.version) for m in stored] == [("submitted", 2)] * 3
    reasons = HistoricalMeasurement.objects.values_list("history_change_reason", flat=True)
    assert Counter(reasons) == {None: 3, "Submitted": 3}  # the fixture's drafts, then the submits


@pytest.mark.postgres
def test_a_dropped_connection_on_the_single_value_page_stores_nothing(
    postgres_only, owner, period, kpis
):
    kpi = kpis[0]
    client = signed_in(owner)
    url = f"/my-kpis/{period.pk}/{kpi.reference}/"
    prefix = f"e{period.pk}-{kpi.pk}"
    data = {
        "action": "draft",
        f"{prefix}-version": "0",
        f"{prefix}-value": "77",
        f"{prefix}-commentary": "New value",
    }

    with fault_on_history_write(drop_this_connection):
        response = client.post(url, data)

    assert response.status_code == 500
    assert SORRY in response.content.decode()
    assert not Measurement.objects.exists()
    assert not HistoricalMeasurement.objects.exists()
    assert client.post(url, data).status_code == 302
    assert Measurement.objects.get().value == Decimal(77)
