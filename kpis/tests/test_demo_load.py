"""The demo loaded into an empty database: the command's output, and loading on other days."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kpis import demo
from kpis.register.models import Kpi
from kpis.reporting.models import Measurement, ReportingPeriod
from kpis.tests.test_demo import (
    TODAY,
    State,
    Status,
    _assert_eight_quarters_of_history,
    _open_period,
    _open_statuses,
)


@pytest.mark.django_db
def test_the_command_prints_a_line_per_model(db):
    out = StringIO()

    call_command("load_demo", stdout=out)

    output = out.getvalue()
    for label in ("Priorities", "Directorates", "Services", "Committees", "Users", "KPIs"):
        assert f"{label}: " in output
    assert f"KPIs: {Kpi.objects.count()} ({Kpi.objects.count()} created" in output
    assert "Committee memberships: " in output


@pytest.mark.django_db
@pytest.mark.parametrize(
    "today",
    [
        datetime.date(2027, 4, 2),  # a new year: 2026/27 Q4 and March open
        datetime.date(2026, 7, 1),  # the first day of a quarter
        datetime.date(2027, 1, 31),  # the last day of a month
    ],
)
def test_the_history_holds_whatever_the_day(today):
    demo.load_demo(today=today)

    _assert_eight_quarters_of_history()
    assert ReportingPeriod.objects.filter(state=State.OPEN).count() == 2
    assert _open_period("quarter").ends_on < today and _open_period("month").ends_on < today
    found = _open_statuses()
    assert found["missing"] and found[Status.DRAFT] and found[Status.SUBMITTED]
    assert found[Status.APPROVED] and found[Status.RETURNED]
    assert Measurement.objects.filter(period__ends_on__gte=today).count() == 0


@pytest.mark.django_db
def test_a_later_day_adds_the_periods_ended_since_and_keeps_stored_values(db):
    demo.load_demo(today=TODAY)
    stored = {m.pk: (m.value, m.status, m.commentary, m.version) for m in Measurement.objects.all()}
    histories = Measurement.history.count()

    later = demo.load_demo(today=datetime.date(2027, 1, 12))

    # Q2, October and November locked; Q3 and December opened.
    assert later.tallies["Reporting periods"].updated == 5
    assert _open_period("quarter").label == "2026/27 Q3"
    assert ReportingPeriod.objects.get(kind="quarter", financial_year=2026, number=2).is_locked
    assert {
        m.pk: (m.value, m.status, m.commentary, m.version)
        for m in Measurement.objects.filter(pk__in=stored)
    } == stored
    added = Measurement.objects.exclude(pk__in=stored)
    assert added.count() == later.tallies["Values"].created > 0
    assert Measurement.history.count() == histories + added.count()
    assert demo.load_demo(today=datetime.date(2027, 1, 12)).tallies["Values"].created == 0


@pytest.mark.django_db
def test_the_command_loads_the_history_as_of_a_given_day(db):
    out = StringIO()

    call_command("load_demo", "--today", "2026-11-23", stdout=out)

    assert "Reporting periods: 68 (68 created" in out.getvalue()
    assert "Values: " in out.getvalue() and "Targets: " in out.getvalue()
    assert _open_period("quarter").label == "2026/27 Q2"
    with pytest.raises(CommandError, match="2026-11-23"):
        call_command("load_demo", "--today", "23/11/2026", stdout=StringIO())
