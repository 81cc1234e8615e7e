"""The demo loaded into an empty database as of days that test the calendar's edges."""

import datetime

import pytest

from committees.models import Meeting
from demo.loader import load_demo
from demo.tests.helpers import (
    FILES,
    Status,
    assert_eight_quarters_of_history,
    open_period,
    open_statuses,
)
from kpis.register.models import Committee
from kpis.reporting.models import Measurement, ReportingPeriod
from reports.models import PackVersion


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
    load_demo(today=today)

    assert_eight_quarters_of_history()
    assert ReportingPeriod.objects.filter(state=ReportingPeriod.State.OPEN).count() == 2
    assert open_period("quarter").ends_on < today and open_period("month").ends_on < today
    found = open_statuses()
    assert found["missing"] and found[Status.DRAFT] and found[Status.SUBMITTED]
    assert found[Status.APPROVED] and found[Status.RETURNED]
    assert Measurement.objects.filter(period__ends_on__gte=today).count() == 0
    for value in Measurement.objects.filter(period__state=ReportingPeriod.State.LOCKED):
        assert value.status == Status.APPROVED
    for meeting in Meeting.objects.filter(period__isnull=False):
        assert meeting.period.signoff_deadline < meeting.papers_published_on, meeting
        assert (meeting.status == Meeting.Status.HELD) == (meeting.date < today), meeting
    for committee in Committee.objects.all():
        latest = committee.meetings.filter(date__lt=today, period__isnull=False).latest("date")
        [version] = PackVersion.objects.filter(meeting__committee=committee)
        assert version.meeting == latest, committee.short_name
        # Ready, or published with the clerk's reason beside what was not ready.
        assert version.was_ready == version.readiness["ready"]
        assert (
            version.was_ready
            or version.not_ready_reason == FILES.council["packs"]["not_ready_reason"]
        )
