import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from kpis.register.models import Kpi
from kpis.register.tests.factories import CommitteeFactory, KpiFactory
from scorecards.tests.helpers import period, quarters, series, target, value

NASTY = '<script>alert("x")</script>'
FORMULA = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def q2(db):
    return period("quarter", 2025, 2)


@pytest.fixture
def kpi(q2, directorate):
    kpi = KpiFactory(
        reference="169",
        name="Household waste recycled",
        directorate=directorate,
        level=Kpi.Level.STRATEGIC,
    )
    target(kpi, 75)
    value(kpi, q2, 68, rating="red", commentary=NASTY, action_plan=FORMULA)
    return kpi


@pytest.fixture
def committee(kpi):
    committee = CommitteeFactory(short_name="SRP", name="Strategy, Resources and Performance")
    kpi.memberships.create(committee=committee, started_on=kpi.date_added)
    return committee


def urls(q2, directorate, committee) -> list[str]:
    return [
        reverse("scorecards:organisation", args=[q2.pk]),
        reverse("scorecards:directorate", args=[directorate.pk, q2.pk]),
        reverse("scorecards:committee", args=[committee.pk, q2.pk]),
    ]


def test_every_role_can_read_every_kind_of_scorecard(
    client, q2, kpi, directorate, committee, owner, approver, gp, clerk, viewer
):
    for user in (owner, approver, gp, clerk, viewer):
        client.force_login(user)
        for url in urls(q2, directorate, committee):
            response = client.get(url)
            assert response.status_code == 200, url
            body = response.content.decode()
            assert "Household waste recycled" in body
            assert '<strong class="govuk-tag govuk-tag--red">Red</strong>' in body


def test_the_page_shows_summary_words_arrows_forecast_and_method(client, q2, kpi, viewer):
    value(kpi, period("quarter", 2025, 1), 72, rating="amber")
    client.force_login(viewer)
    body = client.get(reverse("scorecards:organisation", args=[q2.pk])).content.decode()
    assert "RAG summary" in body and "Total" in body and "Not reported" in body
    assert '<span aria-hidden="true">↓</span> Declined' in body
    assert "Forecast for 2025/26 Q3: 64% (Red)" in body
    assert "Forecasts extend that straight line by one period" in body  # the method, in words
    assert "compared with 2025/26 Q1" in body  # the period the change is compared with
    assert "Perspective: Residents" in body


def test_anonymous_users_are_sent_to_sign_in(client, q2, kpi, directorate, committee):
    for url in [reverse("scorecards:index"), *urls(q2, directorate, committee)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_a_user_without_a_role_is_refused(
    client, q2, kpi, directorate, committee, django_user_model
):
    nobody = django_user_model.objects.create_user("nobody", password="x-long-password-1")
    client.force_login(nobody)
    for url in [
        reverse("scorecards:index"),
        reverse("scorecards:kpi", args=[kpi.reference]),
        reverse("scorecards:organisation_export", args=[q2.pk, "csv"]),
        *urls(q2, directorate, committee),
    ]:
        assert client.get(url).status_code == 403, url


def test_commentary_is_escaped_in_the_page(client, q2, kpi, viewer):
    client.force_login(viewer)
    body = client.get(reverse("scorecards:organisation", args=[q2.pk])).content.decode()
    assert NASTY not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body


def test_unknown_periods_and_scopes_are_not_found(client, q2, kpi, viewer, directorate):
    client.force_login(viewer)
    assert client.get(reverse("scorecards:organisation", args=[9999])).status_code == 404
    assert client.get(reverse("scorecards:directorate", args=[9999, q2.pk])).status_code == 404
    assert client.get(reverse("scorecards:committee", args=[9999, q2.pk])).status_code == 404
    assert client.get(reverse("scorecards:kpi", args=["nope"])).status_code == 404


def test_the_filters_narrow_the_table(client, q2, kpi, viewer):
    other = KpiFactory(reference="170", name="Library visits", level=Kpi.Level.CORPORATE)
    value(other, q2, 1, rating="green")
    client.force_login(viewer)
    url = reverse("scorecards:organisation", args=[q2.pk])
    body = client.get(url, {"rag": "green"}).content.decode()
    assert "Library visits" in body and "Household waste recycled" not in body
    body = client.get(url, {"level": "strategic"}).content.decode()
    assert "Library visits" not in body and "Household waste recycled" in body


def test_a_bad_filter_shows_the_error_summary(client, q2, kpi, viewer):
    client.force_login(viewer)
    body = client.get(
        reverse("scorecards:organisation", args=[q2.pk]), {"rag": "purple"}
    ).content.decode()
    assert "There is a problem" in body
    assert "Household waste recycled" in body  # shown unfiltered


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_exports_are_rated_worded_escaped_and_safe_from_formulas(
    client, q2, kpi, directorate, committee, viewer, file_format
):
    client.force_login(viewer)
    for name, args in [
        ("organisation_export", [q2.pk]),
        ("directorate_export", [directorate.pk, q2.pk]),
        ("committee_export", [committee.pk, q2.pk]),
    ]:
        response = client.get(reverse(f"scorecards:{name}", args=[*args, file_format]))
        assert response.status_code == 200
        assert f".{file_format}" in response["Content-Disposition"]
        if file_format == "csv":
            cells = [
                cell
                for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
                for cell in row
            ]
            assert NASTY in cells  # data as written: a spreadsheet is not HTML
            assert "'" + FORMULA in cells
            assert FORMULA not in cells
            assert "Red" in cells and "Projected year-end: 68% (Amber)" in cells
        else:
            sheet = load_workbook(io.BytesIO(response.content)).active
            cells = [c.value for row in sheet.iter_rows() for c in row]
            assert NASTY in cells
            assert "'" + FORMULA in cells
            assert FORMULA not in cells
            assert "Red" in cells


def test_the_export_follows_the_filters(client, q2, kpi, viewer):
    client.force_login(viewer)
    url = reverse("scorecards:organisation_export", args=[q2.pk, "csv"])
    assert "Household" not in client.get(url, {"rag": "green"}).content.decode("utf-8-sig")


def test_the_index_offers_the_latest_quarter_and_redirects_to_the_choice(
    client, q2, kpi, committee, directorate, viewer
):
    client.force_login(viewer)
    body = client.get(reverse("scorecards:index")).content.decode()
    assert "Scorecards for 2025/26 Q2" in body
    assert reverse("scorecards:committee", args=[committee.pk, q2.pk]) in body
    response = client.get(
        reverse("scorecards:index"), {"scorecard": f"directorate:{directorate.pk}", "period": q2.pk}
    )
    assert response.url == reverse("scorecards:directorate", args=[directorate.pk, q2.pk])
    response = client.get(
        reverse("scorecards:index"), {"scorecard": "organisation", "period": q2.pk}
    )
    assert response.url == reverse("scorecards:organisation", args=[q2.pk])


def test_the_index_rejects_a_bad_choice(client, q2, kpi, viewer):
    client.force_login(viewer)
    response = client.get(reverse("scorecards:index"), {"scorecard": "nonsense", "period": "x"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_the_kpi_page_has_a_chart_with_a_table_alternative_and_flags(client, viewer, directorate):
    periods = quarters((2024, 3), 5)
    kpi = KpiFactory(reference="42", name="Potholes <fixed>", directorate=directorate)
    target(kpi, 80, year=2024)
    target(kpi, 80, year=2025)
    series(kpi, periods, [60, 61, 60, 62, 59], rating="red")
    client.force_login(viewer)
    body = client.get(reverse("scorecards:kpi", args=["42"])).content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in body and 'role="img"' in body
    assert "KPI 42: Potholes &lt;fixed&gt;" in body  # escaped in the chart's title
    assert "Potholes <fixed>" not in body
    assert "The chart&#x27;s data" in body or "The chart's data" in body
    assert "2025/26 Q4 (forecast)" in body
    assert "Deep-dive candidate: red for 5 periods" in body
    assert "Forecasts are projections, not data." in body
    assert 'class="chart-key__item chart-key__item--target"' in body
    assert "/static/css/chart.css" in body  # the key's swatches, shared with the packs


def test_the_kpi_page_works_with_no_periods(client, viewer):
    KpiFactory(reference="7")
    client.force_login(viewer)
    response = client.get(reverse("scorecards:kpi", args=["7"]))
    assert response.status_code == 200
    assert "nothing to chart" in response.content.decode()


def test_the_scorecard_page_takes_the_same_queries_for_few_and_many_kpis(
    client, q2, viewer, settings
):
    settings.SCORECARD_PAGE_SIZE = 10
    client.force_login(viewer)
    url = reverse("scorecards:organisation", args=[q2.pk])
    client.get(url)  # the first request also creates the RAG policy and touches the session
    counts = []
    for count in (3, 40):
        for n in range(count):
            kpi = KpiFactory(level=Kpi.Level.STRATEGIC)
            value(kpi, q2, n, status=("submitted", "draft", "approved")[n % 3])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_large_scorecard_is_paged_keeping_the_filters_and_the_whole_summary(
    client, q2, viewer, settings
):
    settings.SCORECARD_PAGE_SIZE = 2
    for n in range(5):
        kpi = KpiFactory(level=Kpi.Level.STRATEGIC, reference=str(n + 1), name=f"Measure {n + 1}")
        target(kpi, 50)
        value(kpi, q2, 10 if n < 3 else 90, status="submitted")
    client.force_login(viewer)
    url = reverse("scorecards:organisation", args=[q2.pk])
    first = client.get(url).content.decode()
    assert "KPIs 1 to 2 of 5 shown" in first
    assert "Measure 1" in first and "Measure 3" not in first
    assert 'aria-label="Pages of KPIs"' in first and 'href="?page=3"' in first
    last = client.get(url, {"rag": "red", "page": "2"}).content.decode()
    assert "KPIs 3 to 3 of 3 shown of 5 (filtered)" in last
    assert "(continued)</h2>" in last and "(continued)" not in first
    assert "Measure 3" in last and "Measure 1" not in last and "Measure 4" not in last
    assert 'href="?rag=red&amp;page=1"' in last
    counts = {
        line.label: line.count for line in client.get(url, {"rag": "red"}).context["card"].summary
    }
    assert (counts["Red"], counts["Green"], counts["Total"]) == (3, 2, 5)
    export = client.get(
        reverse("scorecards:organisation_export", args=[q2.pk, "csv"]), {"page": "2"}
    )
    assert all(f"Measure {n}" in export.content.decode() for n in range(1, 6))
