"""A KPI's status decides first in entry: no form for a suspended or retired KPI, its officer is
told why, and a value posted or imported for it is refused with that reason, saving nothing.

An In development KPI still collects the values its data collection is being tried on (rated
In development); a historic load may still fill a suspended KPI's past.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kpis.register.models import Kpi
from kpis.register.tests.factories import KpiFactory
from kpis.reporting.io import values_import
from kpis.reporting.models import Measurement, ReportingPeriod
from kpis.reporting.services import Entry, measurement_save
from kpis.reporting.tests.factories import make_measurement, make_period
from pmf.spreadsheets import write_csv

URL = "/my-kpis/"
SUSPENSION = "Suspended while the telephony platform and its survey are replaced."


@pytest.fixture
def period(db):
    return make_period()  # 2025/26 Q2 (July to September 2025), open


@pytest.fixture
def suspended(owner, directorate):
    return KpiFactory(
        reference="167",
        name="Contact centre satisfaction",
        lead_officer=owner,
        directorate=directorate,
        status=Kpi.Status.SUSPENDED,
        status_reason=SUSPENSION,
    )


@pytest.fixture
def live(owner, directorate):
    return KpiFactory(reference="169", name="Recycling rate", lead_officer=owner)


def _retired(owner, reference: str, on: datetime.date) -> Kpi:
    return KpiFactory(
        reference=reference,
        name=f"Retired on {on}",
        lead_officer=owner,
        status=Kpi.Status.RETIRED,
        date_removed=on,
        status_reason="The source data stopped.",
    )


def _field(period, kpi, name: str = "value") -> str:
    return f"e{period.pk}-{kpi.pk}-{name}"


def test_the_officers_list_shows_a_suspended_kpi_with_its_status_and_why(
    client, owner, period, suspended, live
):
    client.force_login(owner)
    page = client.get(URL).content.decode()
    assert "167 Contact centre satisfaction" in page
    assert '<strong class="govuk-tag govuk-tag--yellow">Suspended</strong>' in page
    assert "KPI 167 is suspended, so its values are not collected." in page
    assert SUSPENSION in page
    assert _field(period, suspended) not in page  # no form for it
    assert _field(period, live) in page  # the live KPI keeps its form


def test_a_kpi_retired_in_the_period_is_listed_and_one_retired_before_is_not(client, owner, period):
    _retired(owner, "111", datetime.date(2025, 8, 14))
    _retired(owner, "189", datetime.date(2024, 3, 31))
    client.force_login(owner)
    page = client.get(URL).content.decode()
    assert "KPI 111 was retired on 14 August 2025, so its values are no longer collected." in page
    assert "189" not in page
    assert "Save as draft" not in page  # nothing on the page takes a value


def test_an_in_development_kpi_still_takes_its_trial_values(client, owner, period):
    trial = KpiFactory(reference="250", lead_officer=owner, status=Kpi.Status.IN_DEVELOPMENT)
    client.force_login(owner)
    assert _field(period, trial) in client.get(URL).content.decode()


def test_the_kpis_own_page_says_why_and_has_no_form(client, owner, gp, period, suspended):
    for user in (owner, gp):
        client.force_login(user)
        page = client.get(reverse("entry:edit", args=[period.pk, "167"])).content.decode()
        assert "KPI 167 is suspended, so its values are not collected." in page
        assert _field(period, suspended) not in page
        assert "Submit for sign-off" not in page


def test_a_value_posted_for_a_suspended_kpi_is_refused_with_the_reason(
    client, owner, period, suspended
):
    client.force_login(owner)
    url = reverse("entry:edit", args=[period.pk, "167"])
    data = {_field(period, suspended, "version"): "0", _field(period, suspended): "71"}
    response = client.post(url, {**data, "action": "submit"}, follow=True)
    assert "KPI 167 is suspended, so its values are not collected." in response.content.decode()
    assert not Measurement.objects.filter(kpi=suspended).exists()


def test_a_value_posted_on_the_list_for_a_suspended_kpi_is_ignored(
    client, owner, period, suspended, live
):
    client.force_login(owner)
    data = {
        _field(period, suspended, "version"): "0",
        _field(period, suspended): "71",
        _field(period, live, "version"): "0",
        _field(period, live): "55",
        "action": "draft",
    }
    client.post(URL, data)
    assert not Measurement.objects.filter(kpi=suspended).exists()
    assert Measurement.objects.get(kpi=live).value == 55


def test_the_service_refuses_a_value_for_a_suspended_kpi_but_not_a_historic_load(gp, suspended):
    with pytest.raises(ValidationError, match="KPI 167 is suspended"):
        measurement_save(
            kpi=suspended,
            period=make_period(),
            by=gp,
            entry=Entry(value=Decimal(71)),
            expected_version=None,
        )
    closed = make_period(number=1, state=ReportingPeriod.State.CLOSED)
    saved = measurement_save(
        kpi=suspended,
        period=closed,
        by=gp,
        entry=Entry(value=Decimal(71)),
        expected_version=None,
        historic=True,
        authority="2024/25 outturn from the finance system",
    )
    assert saved.status == Measurement.Status.APPROVED


def test_an_import_row_for_a_suspended_kpi_is_an_error_and_nothing_is_saved(
    owner, period, suspended, live
):
    data = write_csv(
        ["reference", "period", "value"], [["169", "2025/26 Q2", "55"], ["167", "2025/26 Q2", "71"]]
    )
    result = values_import(data=data, filename="v.csv", by=owner, apply=True)
    assert not result.applied
    assert [(e.row, e.column) for e in result.errors] == [(3, "reference")]
    assert "KPI 167 is suspended, so its values are not collected." in result.errors[0].message
    assert not Measurement.objects.exists()


def test_a_value_kept_from_before_the_suspension_is_shown_read_only(
    client, owner, period, suspended
):
    make_measurement(suspended, period, "64")
    client.force_login(owner)
    page = client.get(URL).content.decode()
    assert "The value saved before then, 64% (draft), is kept as it is." in page
