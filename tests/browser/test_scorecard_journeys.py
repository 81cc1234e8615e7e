"""The scorecard pages in a real browser, with axe-core (WCAG 2.2 A/AA) on each."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kpis.register.models import Kpi
from kpis.register.tests.factories import CommitteeFactory, KpiFactory
from kpis.reporting.models import Measurement
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
    # KPI 100's latest value is submitted, not yet approved: provisional.
    Measurement.objects.filter(kpi__reference="100", period=periods[-1]).update(status="submitted")
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
    assert page.get_by_text("Provisional: submitted, not yet approved", exact=True).count() == 1
    assert page.get_by_text("1 of 4 ratings is provisional: submitted, not yet approved.").count()
    with page.expect_download() as download:
        page.get_by_role("link", name="RAG summary (CSV)", exact=True).click()
    assert download.value.suggested_filename.endswith("-rag-summary.csv")


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


KEY_COLUMNS = ("KPI", "RAG rating", "Change in performance", "Trend analysis")

# For each key column: the right edge of its furthest cell, and the right edge of what shows of
# the table (its scroll box, within the window).
_KEY_COLUMN_EDGES = """(headers) => {
  const start = () => ({cells: 0, left: 1e9, right: 0, shown: 1e9});
  const out = Object.fromEntries(headers.map((header) => [header, start()]));
  for (const table of document.querySelectorAll("table.app-scorecard")) {
    const box = table.closest(".app-table-wrap").getBoundingClientRect();
    const names = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    for (const header of headers) {
      const edge = out[header];
      const column = names.indexOf(header) + 1;
      if (!column) return {missing: header};
      for (const cell of table.querySelectorAll(`tr > :nth-child(${column})`)) {
        const rect = cell.getBoundingClientRect();
        edge.cells += 1;
        edge.left = Math.min(edge.left, rect.left);
        edge.right = Math.max(edge.right, rect.right);
      }
      edge.shown = Math.min(edge.shown, box.right, window.innerWidth);
    }
  }
  return out;
}"""


def test_at_1280_by_800_the_kpi_rating_change_and_trend_are_on_screen(page, live_server, council):
    last, _ = council
    UserFactory(username="reader", roles=[Role.VIEWER.value])
    page.set_viewport_size({"width": 1280, "height": 800})
    signed_in(page, live_server, "reader")
    page.goto(f"{live_server.url}{reverse('scorecards:organisation', args=[last.pk])}")
    edges = page.evaluate(_KEY_COLUMN_EDGES, list(KEY_COLUMNS))
    assert "missing" not in edges, edges
    for header, edge in edges.items():
        assert edge["cells"] >= 5, (header, edge)  # the heading and every KPI's row
        assert edge["left"] >= 0 and edge["right"] <= edge["shown"], (header, edge)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # The commentary is folded away, one click from its row.
    commentary = page.get_by_text("Commentary for KPI 100")
    expect(page.get_by_text("Why it moved.").first).to_be_hidden()
    commentary.click()
    expect(page.get_by_text("Why it moved.").first).to_be_visible()
    assert_accessible(page)
