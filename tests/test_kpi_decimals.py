"""A KPI's own decimal places, set in the register, change how each of its figures is written
everywhere: its page, its chart, the scorecard, the scorecard's export, the committee's pack and
the register's export. Other KPIs in the same unit keep the unit's way."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from committees.models import Meeting
from kpis.register.forms import KpiForm
from kpis.register.models import CommitteeMembership, Kpi
from kpis.register.tests.factories import CommitteeFactory, KpiFactory
from kpis.reporting.models import Measurement
from kpis.reporting.tests.factories import make_measurement, make_period, make_target
from reports import rendering, selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def council(directorate, owner):
    """Two percentage KPIs with the same value and target: 72 against 70."""
    committee = CommitteeFactory(name="Strategy Committee", short_name="SC")
    period = make_period()  # 2025/26 Q2, open
    kpis = []
    for reference in ("601", "602"):
        kpi = KpiFactory(
            reference=reference, unit=Kpi.Unit.PERCENT, directorate=directorate, lead_officer=owner
        )
        CommitteeMembership.objects.create(
            kpi=kpi, committee=committee, started_on=datetime.date(2020, 4, 1)
        )
        make_target(kpi, 70)
        make_measurement(
            kpi, period, Decimal(72), status=Measurement.Status.APPROVED, rating="green"
        )
        kpis.append(kpi)
    meeting = Meeting.objects.create(
        committee=committee, date=datetime.date(2025, 12, 10), period=period
    )
    return period, kpis, meeting


def _set_decimals_in_the_register(client, kpi: Kpi, places: int) -> None:
    form = model_to_dict(kpi, fields=KpiForm.Meta.fields)
    form.update(decimals=places, date_added=kpi.date_added.isoformat(), committees=[])
    form = {key: "" if value is None else value for key, value in form.items()}
    response = client.post(reverse("kpis:edit", args=[kpi.reference]), form)
    assert response.status_code == 302, response.content.decode()


def test_a_kpis_own_decimal_places_write_its_figures_everywhere(client, gp, directorate, council):
    period, (own, plain), meeting = council
    client.force_login(gp)
    _set_decimals_in_the_register(client, own, 1)
    own.refresh_from_db()
    assert own.decimals == 1
    assert own.history.first().history_user == gp

    kpi_page = client.get(own.get_absolute_url()).content.decode()
    assert ">72.0%<" in kpi_page and ">70.0%<" in kpi_page
    assert "Decimal places" in kpi_page
    chart = client.get(reverse("scorecards:kpi", args=[own.reference])).content.decode()
    assert "latest 72.0% in 2025/26 Q2" in chart
    scorecard = client.get(
        reverse("scorecards:directorate", args=[directorate.pk, period.pk])
    ).content.decode()
    assert "72.0%" in scorecard and "70.0%" in scorecard
    export = client.get(
        reverse("scorecards:directorate_export", args=[directorate.pk, period.pk, "csv"])
    )
    rows = {
        row["KPI reference"]: row
        for row in csv.DictReader(io.StringIO(export.content.decode("utf-8-sig")))
    }
    assert (rows["601"]["Performance (current period)"], rows["601"]["Target"]) == (
        "72.0%",
        "70.0%",
    )
    pack = rendering.render_html(selectors.pack_data(selectors.meeting_for_pack(meeting.pk)))
    assert "72.0%" in pack
    register = client.get(reverse("kpis:export", args=["csv"])).content.decode("utf-8-sig")
    places = {
        row["reference"]: row["decimal_places"] for row in csv.DictReader(io.StringIO(register))
    }
    assert places == {"601": "1", "602": ""}

    # The other KPI in the same unit is written the unit's way.
    assert (rows["602"]["Performance (current period)"], rows["602"]["Target"]) == ("72%", "70%")
    assert ">72%<" in client.get(plain.get_absolute_url()).content.decode()


def test_clearing_a_kpis_decimal_places_gives_back_the_units_way(client, gp, council):
    _, (kpi, _), _ = council
    kpi.decimals = 2
    kpi.save()
    client.force_login(gp)
    assert ">72.00%<" in client.get(kpi.get_absolute_url()).content.decode()

    _set_decimals_in_the_register(client, kpi, "")

    kpi.refresh_from_db()
    assert kpi.decimals is None
    assert ">72%<" in client.get(kpi.get_absolute_url()).content.decode()


def test_decimal_places_beyond_what_is_stored_are_refused(client, gp, council):
    _, (kpi, _), _ = council
    client.force_login(gp)
    form = model_to_dict(kpi, fields=KpiForm.Meta.fields)
    form.update(decimals=5, date_added=kpi.date_added.isoformat(), committees=[])
    form = {key: "" if value is None else value for key, value in form.items()}

    response = client.post(reverse("kpis:edit", args=[kpi.reference]), form)

    assert response.status_code == 200
    assert "Select from 0 to 4 decimal places" in response.content.decode()
    kpi.refresh_from_db()
    assert kpi.decimals is None
