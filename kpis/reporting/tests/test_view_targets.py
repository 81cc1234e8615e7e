"""G&P set targets per KPI per year, and per quarter or month where they vary; history is kept."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kpis.register.models import Kpi
from kpis.register.tests.factories import DirectorateFactory, KpiFactory
from kpis.reporting.models import ReportingPeriod, Target
from kpis.reporting.services import periods_create_for_year
from pmf.history import Change
from pmf.roles import system_actor
from pmf.tests.table_helpers import aria_sort, row_headers


@pytest.fixture
def kpi(directorate):
    return KpiFactory(reference="169", directorate=directorate, name="Adult social care reviews")


@pytest.fixture
def year(db):
    periods_create_for_year(financial_year=2025, by=system_actor())
    return 2025


def _edit(kpi, year=2025) -> str:
    return reverse("reporting:target_edit", args=[kpi.reference, year])


def test_the_list_shows_each_kpis_target_for_the_year(client, gp, kpi, directorate):
    Target.objects.create(kpi=kpi, financial_year=2025, value=Decimal("85"), intervention_level=70)
    Target.objects.create(kpi=kpi, financial_year=2024, value=Decimal("60"))
    KpiFactory(reference="300", directorate=directorate, target_kind=Kpi.TargetKind.CONTEXTUAL)
    elsewhere = KpiFactory(reference="400", directorate=DirectorateFactory(short_name="CEF"))
    client.force_login(gp)
    response = client.get(reverse("reporting:targets"), {"year": 2025})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Targets for 2025/26" in html
    assert ">85%<" in html and ">70%<" in html and ">60%<" not in html
    assert "Contextual: no target" in html
    assert _edit(kpi) in html
    assert _edit(elsewhere) in html
    response = client.get(
        reverse("reporting:targets"), {"year": 2025, "directorate": directorate.pk}
    )
    assert _edit(elsewhere) not in response.content.decode()


@pytest.mark.parametrize("count", [5, 100])
def test_the_list_uses_a_fixed_number_of_queries(
    client, gp, directorate, count, django_assert_max_num_queries
):
    for n in range(count):
        made = KpiFactory(directorate=directorate)
        Target.objects.create(kpi=made, financial_year=2025, value=n)
    client.force_login(gp)
    client.get(reverse("reporting:targets"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("reporting:targets"), {"year": 2025})
    assert response.context["table"].paginator.count == count
    with django_assert_max_num_queries(8):  # sorted in Python, from the rows already read
        response = client.get(reverse("reporting:targets"), {"year": 2025, "sort": "-target"})
    assert len(response.context["table"].page.object_list) == min(count, 50)


def test_the_list_sorts_by_a_column_and_pages_keeping_the_year(client, gp, directorate):
    for n in range(55):
        made = KpiFactory(reference=f"{100 + n}", directorate=directorate)
        Target.objects.create(kpi=made, financial_year=2025, value=n % 7)
    client.force_login(gp)
    url = reverse("reporting:targets")
    html = client.get(url, {"year": 2025}).content.decode()
    assert row_headers(html)[:2] == ["100", "101"]
    assert aria_sort(html, "KPI") == "ascending"
    assert "55 KPIs in 2025/26, showing 1 to 50" in html
    assert "?year=2025&amp;page=2" in html
    html = client.get(url, {"year": 2025, "sort": "-target"}).content.decode()
    assert row_headers(html)[:2] == ["106", "113"]  # the highest target, 6, by reference
    assert aria_sort(html, "Annual target") == "descending"
    assert aria_sort(html, "KPI") == "none"
    assert "?year=2025&amp;sort=-target&amp;page=2" in html
    html = client.get(url, {"year": 2025, "sort": "-target", "page": 2}).content.decode()
    assert "showing 51 to 55" in html and row_headers(html)[-1] == "149"  # target 0


def test_it_sets_the_annual_and_quarterly_targets(client, gp, kpi, year):
    client.force_login(gp)
    page = client.get(_edit(kpi)).content.decode()
    assert 'for="id_value"' in page
    assert "Target for 2025/26 Q1" in page and "Target for 2025/26 Q4" in page
    assert "2025/26 Oct" not in page  # quarterly KPI: quarters, not months
    q3 = ReportingPeriod.objects.get(kind="quarter", financial_year=2025, number=3)
    response = client.post(
        _edit(kpi),
        {
            "value": "85",
            "intervention_level": "70",
            "note": "Agreed by DMT",
            f"period_{q3.pk}": "80",
        },
    )
    assert response.status_code == 302
    annual = Target.objects.get(kpi=kpi, financial_year=2025, period=None)
    assert (annual.value, annual.intervention_level, annual.note) == (85, 70, "Agreed by DMT")
    quarterly = Target.objects.get(kpi=kpi, period=q3)
    assert (quarterly.value, quarterly.intervention_level) == (80, 70)
    assert annual.history.first().history_user == gp


def test_a_monthly_kpi_gets_a_target_field_for_each_month(client, gp, directorate, year):
    monthly = KpiFactory(reference="M1", directorate=directorate, frequency="monthly")
    client.force_login(gp)
    page = client.get(_edit(monthly)).content.decode()
    assert "Target for 2025/26 Apr" in page and "Target for 2025/26 Mar" in page
    assert "Target for 2025/26 Q" not in page  # (a bare "Q1" can occur in a random token)


def test_the_history_shows_who_changed_what(client, gp, kpi, year):
    client.force_login(gp)
    client.post(_edit(kpi), {"value": "85"})
    client.post(_edit(kpi), {"value": "87.5", "intervention_level": "70"})
    response = client.get(_edit(kpi))
    history = response.context["history"]
    assert history[0].reason == "Target changed"
    assert Change("Target", "85", "87.5") in history[0].changes
    assert Change("Intervention level", "", "70") in history[0].changes
    assert history[0].who == gp.get_full_name()
    assert history[1].reason == "Target set"
    html = response.content.decode()
    assert "87.5" in html and "<del>" in html


def test_bad_input_is_refused_and_nothing_saved(client, gp, kpi, year):
    client.force_login(gp)
    response = client.post(_edit(kpi), {"value": "eighty", "intervention_level": "1e400"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "The annual target must be a number" in html
    assert 'href="#id_value"' in html
    response = client.post(_edit(kpi), {"value": ""})
    assert "Enter the annual target" in response.content.decode()
    assert not Target.objects.exists()


def test_a_period_target_cannot_be_blanked(client, gp, kpi, year):
    client.force_login(gp)
    q1 = ReportingPeriod.objects.get(kind="quarter", financial_year=2025, number=1)
    client.post(_edit(kpi), {"value": "85", f"period_{q1.pk}": "80"})
    response = client.post(_edit(kpi), {"value": "90", f"period_{q1.pk}": ""})
    assert "a period target cannot be removed" in response.content.decode()
    assert Target.objects.get(kpi=kpi, period=None).value == 85


def test_contextual_kpis_have_no_target(client, gp, directorate):
    contextual = KpiFactory(
        reference="C1", directorate=directorate, target_kind=Kpi.TargetKind.CONTEXTUAL
    )
    client.force_login(gp)
    response = client.get(_edit(contextual))
    assert "Contextual: no target" in response.content.decode()
    assert 'name="value"' not in response.content.decode()
    assert client.post(_edit(contextual), {"value": "5"}).status_code == 400
    assert not Target.objects.exists()


def test_everyone_but_gp_is_refused(client, kpi, owner, outsider, approver, clerk, viewer):
    for user in (owner, outsider, approver, clerk, viewer):
        client.force_login(user)
        assert client.get(reverse("reporting:targets")).status_code == 403
        assert client.get(_edit(kpi)).status_code == 403
        assert client.post(_edit(kpi), {"value": "1"}).status_code == 403
    assert not Target.objects.exists()


def test_anonymous_users_are_sent_to_sign_in(client, kpi):
    response = client.post(_edit(kpi), {"value": "1"})
    assert response.status_code == 302
    assert reverse("login") in response.url
