"""One figure, one text: a value of every unit reads the same on the entry page, the KPI's page,
the scorecard, the scorecard's export, the KPI's chart and the committee's pack (pmf.formatting)."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from committees.models import Meeting
from kpis.register.models import CommitteeMembership, Kpi
from kpis.register.tests.factories import CommitteeFactory, KpiFactory
from kpis.reporting.models import Measurement
from kpis.reporting.tests.factories import make_measurement, make_period, make_target
from reports import rendering, selectors, word
from reports.tests.helpers import docx_document, docx_text

pytestmark = pytest.mark.django_db
Unit = Kpi.Unit

# A value of each unit and the one text it must read as everywhere.
FIGURES = {
    Unit.PERCENT: ("72.5", "72.5%"),
    Unit.COUNT: ("1250", "1,250"),
    Unit.MONEY: ("1250.5", "£1,250.50"),
    Unit.DAYS: ("12", "12 days"),
    Unit.WEEKS: ("1", "1 week"),
    Unit.RATE_PER_1000: ("4.2", "4.2 per 1,000"),
    Unit.RATE_PER_10000: ("4.25", "4.25 per 10,000"),
    Unit.RATE_PER_100000: ("1234.5", "1,234.5 per 100,000"),
    Unit.SCORE: ("7.25", "7.25"),
    Unit.RATIO: ("0.5", "0.5"),
    "tonnes_co2e": ("7154", "7,154 tCO2e"),  # a unit the council keeps beyond the first ten
}


@pytest.fixture
def council(directorate, owner):
    """A KPI of every unit, led by the owner, with its value for the open quarter approved."""
    committee = CommitteeFactory(name="Strategy Committee", short_name="SC")
    period = make_period()  # 2025/26 Q2, open
    kpis = {}
    for n, (unit, (value, _)) in enumerate(FIGURES.items(), start=1):
        kpi = KpiFactory(
            reference=str(500 + n),
            name=f"Measure in {unit}",
            unit=unit,
            directorate=directorate,
            lead_officer=owner,
        )
        CommitteeMembership.objects.create(
            kpi=kpi, committee=committee, started_on=datetime.date(2020, 4, 1)
        )
        make_target(kpi, 1)
        make_measurement(
            kpi, period, Decimal(value), status=Measurement.Status.APPROVED, rating="red"
        )
        kpis[unit] = kpi
    meeting = Meeting.objects.create(
        committee=committee, date=datetime.date(2025, 12, 10), period=period
    )
    return period, kpis, meeting


def test_a_value_of_each_unit_reads_the_same_everywhere(client, owner, directorate, council):
    period, kpis, meeting = council
    client.force_login(owner)
    entry_page = client.get(reverse("entry:my_kpis")).content.decode()
    scorecard = client.get(
        reverse("scorecards:directorate", args=[directorate.pk, period.pk])
    ).content.decode()
    export = client.get(
        reverse("scorecards:directorate_export", args=[directorate.pk, period.pk, "csv"])
    )
    export_rows = {
        row["KPI reference"]: row
        for row in csv.DictReader(io.StringIO(export.content.decode("utf-8-sig")))
    }
    data = selectors.pack_data(selectors.meeting_for_pack(meeting.pk))
    pack = rendering.render_html(data)
    word_pack = docx_text(docx_document(word.render_docx(data)))

    for unit, (_, text) in FIGURES.items():
        kpi = kpis[unit]
        assert kpi.value_text(Decimal(FIGURES[unit][0])) == text
        assert f">{text}<" in entry_page or f"{text} " in entry_page, (unit, "entry page")
        assert text in scorecard, (unit, "scorecard")
        assert export_rows[kpi.reference]["Performance (current period)"] == text, unit
        kpi_page = client.get(kpi.get_absolute_url()).content.decode()
        assert f">{text}<" in kpi_page, (unit, "KPI page")
        chart_page = client.get(reverse("scorecards:kpi", args=[kpi.reference])).content.decode()
        assert f"latest {text} in 2025/26 Q2" in chart_page, (unit, "chart")
        assert text in pack, (unit, "pack")
        assert text in word_pack, (unit, "Word pack")
