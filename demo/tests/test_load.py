"""`manage.py load_demo` into an empty database, and loading again on a later day."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from committees.models import ActionUpdate, Audit, Meeting
from demo.loader import load_demo
from demo.tests.helpers import open_period
from kpis.register.models import Kpi
from kpis.reporting.models import Measurement, ReportingPeriod

pytestmark = pytest.mark.django_db
LATER = datetime.date(2027, 1, 12)


def _load_with_the_command_as_of_today() -> str:
    out = StringIO()
    call_command("load_demo", "--today", "2026-11-23", stdout=out)
    return out.getvalue()


def test_the_command_loads_the_demo_and_a_later_day_adds_what_has_happened_since():
    output = _load_with_the_command_as_of_today()

    for label in ("Priorities", "Directorates", "Services", "Committees", "Users", "Values"):
        assert f"{label}: " in output
    count = Kpi.objects.count()
    assert f"KPIs: {count} ({count} created, 0 updated, 0 unchanged)" in output
    assert "Committee memberships: " in output and "Targets: " in output
    assert "Reporting periods: 68 (68 created" in output
    assert "Meetings: 67 (67 created" in output
    assert "Published packs: 8 (8 created" in output
    assert "Loaded the Wessex County Council demo." in output
    assert open_period("quarter").label == "2026/27 Q2"
    with pytest.raises(CommandError, match="2026-11-23"):
        call_command("load_demo", "--today", "23/11/2026", stdout=StringIO())

    _assert_a_later_day_adds_what_has_happened_since()


def _assert_a_later_day_adds_what_has_happened_since() -> None:
    stored = {m.pk: (m.value, m.status, m.commentary, m.version) for m in Measurement.objects.all()}
    histories = Measurement.history.count()
    held = Meeting.objects.filter(status=Meeting.Status.HELD).count()
    updates = ActionUpdate.objects.count()
    q2_meetings = set(
        Meeting.objects.filter(
            period__kind="quarter", period__financial_year=2026, period__number=2
        ).values_list("date", flat=True)
    )

    later = load_demo(today=LATER)

    # Q2, October and November locked; Q3 and December opened.
    assert later.tallies["Reporting periods"].updated == 5
    assert (open_period("quarter").label, open_period("month").label) == (
        "2026/27 Q3",
        "2026/27 Dec",
    )
    assert ReportingPeriod.objects.get(kind="quarter", financial_year=2026, number=2).is_locked
    assert {
        m.pk: (m.value, m.status, m.commentary, m.version)
        for m in Measurement.objects.filter(pk__in=stored)
    } == stored
    added = Measurement.objects.exclude(pk__in=stored)
    assert added.count() == later.tallies["Values"].created > 0
    assert Measurement.history.filter(id__in=list(stored)).count() == histories
    created = Measurement.history.filter(history_type="+").exclude(id__in=list(stored))
    assert set(created.values_list("id", flat=True)) == set(added.values_list("pk", flat=True))
    assert Meeting.objects.filter(status=Meeting.Status.HELD).count() > held
    assert Audit.objects.count() == 2  # and one of the new latest locked quarter
    assert ActionUpdate.objects.count() == updates  # the next are due after 14 January
    # The meetings on 2026/27 Q2 kept their days; those held since have their packs.
    q2 = ReportingPeriod.objects.get(kind="quarter", financial_year=2026, number=2)
    assert {m.date for m in Meeting.objects.filter(period=q2)} == q2_meetings
    held_on_q2 = Meeting.objects.filter(period=q2, status=Meeting.Status.HELD)
    assert held_on_q2.exists()
    assert all(meeting.pack_versions.count() == 1 for meeting in held_on_q2)
    assert later.tallies["Published packs"].created == held_on_q2.count()
    assert load_demo(today=LATER).tallies["Values"].created == 0
