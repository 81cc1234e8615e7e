"""Period pickers start at the latest period with data, never at a future quarter.

The periods of a financial year are made all at once, so the quarters still to come sit at the
top of every newest-first list. A scorecard picker offers only periods that have begun and starts
at the latest with values; a new meeting (its pack's period) starts at the latest quarter with
values; the audit draw starts at the quarter just locked. Officers' entry needs no picker: "My
KPIs" shows the periods open for entry.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from committees.forms import AuditDrawForm, MeetingForm
from committees.models import Meeting
from kpis.register.tests.factories import CommitteeFactory, KpiFactory
from kpis.reporting.models import ReportingPeriod
from kpis.reporting.periods import financial_year_of
from scorecards.forms import ScorecardChoiceForm
from scorecards.tests.helpers import quarters, value


@pytest.fixture
def year_of_values(db):
    """Eight quarters to the one running today, values in every one that has ended, and the
    next year's first quarter made in advance, with a value typed into it by mistake."""
    today = timezone.localdate()
    this_year = financial_year_of(today)
    periods = quarters((this_year - 1, 1), 8) + quarters((this_year + 1, 1), 1)
    kpi = KpiFactory(reference="101")
    ended = [p for p in periods if p.ends_on < today]
    for period in ended:
        value(kpi, period, 70)
    future = periods[-1]
    value(kpi, future, 99)
    for period in ended:
        period.state = ReportingPeriod.State.LOCKED
        period.save()
    return ended[-1], future


def _selected(html: str, name: str) -> str:
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)
    return re.search(r'<option value="[^"]*" selected>([^<]*)<', select).group(1)


def test_the_scorecard_picker_starts_at_the_latest_quarter_with_values(
    client, viewer, year_of_values
):
    latest, future = year_of_values
    client.force_login(viewer)
    html = client.get(reverse("scorecards:index")).content.decode()
    assert _selected(html, "period") == latest.label
    assert f"Scorecards for {latest.label}" in html
    offered = dict(ScorecardChoiceForm().fields["period"].choices)["Quarters"]
    labels = [label for _, label in offered]
    assert future.label not in labels  # a period that has not begun has no scorecard
    assert labels[0] != future.label and latest.label in labels


def test_a_new_meeting_considers_the_latest_quarter_with_values(year_of_values):
    latest, future = year_of_values
    form = MeetingForm(instance=Meeting(committee=CommitteeFactory()))
    assert form["period"].value() == latest.pk
    assert form["period"].value() != future.pk


def test_an_existing_meeting_keeps_its_quarter(year_of_values):
    latest, future = year_of_values
    meeting = Meeting.objects.create(
        committee=CommitteeFactory(), date=datetime.date(2027, 5, 1), period=future
    )
    assert MeetingForm(instance=meeting)["period"].value() == future.pk


def test_the_meeting_page_offers_the_latest_quarter_first_selected(client, gp, year_of_values):
    latest, _ = year_of_values
    committee = CommitteeFactory()
    client.force_login(gp)
    html = client.get(reverse("committees:meeting_create", args=[committee.pk])).content.decode()
    assert _selected(html, "period") == latest.label


def test_the_audit_draw_starts_at_the_quarter_just_locked(year_of_values):
    latest, _ = year_of_values
    assert AuditDrawForm()["period"].value() == latest.pk
