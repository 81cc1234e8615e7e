"""The scorecard pages in a real browser, with axe-core (WCAG 2.2 A/AA) on each."""

import pytest
from django.urls import reverse

from kpis.register.models import Kpi
from kpis.register.tests.factories import CommitteeFactory, KpiFactory
from pmf.roles import Role
from pmf.tests.factories import UserFactory
from scorecards.tests.helpers import quarters, series, target
from tests.browser.conftest import assert_accessible, signed_in


@pytest.fixture
def council(transactional_db):
    periods = quarters((2024, 3), 5)
    committee = CommitteeFactory(short_name="SRP", name="Strategy, Resources and Performance")
    for n, (values, rating) in enumerate(
        [
            ([60, 58, 55, 52, 50], "red"),
            ([95, 91, 87, 84, 82], "green"),
            ([70, 72, 74, 76, 78], "amber"),
        ]
    ):
        kpi = KpiFactory(
            reference=str(100 + n),
            name=f"Indicator <{n}> & more",
            level=Kpi.Level.STRATEGIC,
            perspective=Kpi.Perspective.values[n % 2],
            committees=[committee],
        )
        target(kpi, 80, year=2024)
        target(kpi, 80, year=2025)
        series(kpi, periods, values, rating=rating, commentary="Why it moved.\nWhat next.")
    KpiFactory(reference="200", level=Kpi.Level.CORPORATE, status=Kpi.Status.IN_DEVELOPMENT)
    return periods[-1], committee


def test_the_scorecards_chart_and_policy_pages_are_accessible(page, live_server, council):  # noqa: F811
    last, committee = council
    UserFactory(username="reader", roles=[Role.VIEWER.value])
    UserFactory(username="keeper", roles=[Role.GP.value])
    signed_in(page, live_server, "reader")
    for path in [
        reverse("scorecards:index"),
        reverse("scorecards:organisation", args=[last.pk]),
        reverse("scorecards:committee", args=[committee.pk, last.pk]),
        reverse("scorecards:kpi", args=["100"]),
        reverse("reporting:rag_policy"),
    ]:
        page.goto(f"{live_server.url}{path}")
        assert page.locator("h1").count() == 1
        assert_accessible(page)
    page.goto(f"{live_server.url}{reverse('scorecards:organisation', args=[last.pk])}")
    assert page.get_by_text("Deep-dive candidate: red for 5 periods").count() == 1
    # Once as a flag in the table (the "How to read" panel also names it in its rule).
    assert page.get_by_text("Green but declining", exact=True).count() == 1


def test_the_policy_form_shows_errors_accessibly(page, live_server, council):  # noqa: F811
    UserFactory(username="keeper", roles=[Role.GP.value])
    signed_in(page, live_server, "keeper")
    page.goto(f"{live_server.url}{reverse('reporting:rag_policy')}")
    page.get_by_label("Amber tolerance").fill("lots")
    page.get_by_role("button", name="Save the RAG policy").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page)


def test_a_reader_pages_through_a_large_scorecard_keeping_its_filters(
    page,
    live_server,
    council,
    settings,  # noqa: F811
):
    settings.SCORECARD_PAGE_SIZE = 2
    last, _ = council
    UserFactory(username="reader", roles=[Role.VIEWER.value])
    signed_in(page, live_server, "reader")
    page.goto(f"{live_server.url}{reverse('scorecards:organisation', args=[last.pk])}")
    assert page.get_by_text("KPIs 1 to 2 of 4 shown.").is_visible()
    summary = page.locator("table").first.inner_text()
    pages = page.get_by_role("navigation", name="Pages of KPIs")
    pages.get_by_role("link", name="Next page").click()
    assert page.get_by_text("KPIs 3 to 4 of 4 shown.").is_visible()
    assert page.locator("table").first.inner_text() == summary  # the summary covers every KPI
    assert page.get_by_role("link", name="Page 2").get_attribute("aria-current") == "page"
    assert_accessible(page)

    page.get_by_text("Filter the KPIs").click()
    page.get_by_label("Red", exact=True).check()
    page.get_by_role("button", name="Apply filters").click()
    assert page.get_by_text("1 KPI shown of 4 (filtered).").is_visible()
    assert page.get_by_role("navigation", name="Pages of KPIs").count() == 0
