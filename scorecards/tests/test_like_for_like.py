"""Scorecards, KPI pages and exports compare like with like (docs/assessment.md), from real rows:
year-to-date KPIs across the April reset, forecasts within what the measure can be, a KPI's
status first."""

import pytest
from django.urls import reverse

from kpis.rating import Rating, trends
from kpis.register.models import Kpi
from kpis.register.tests.factories import KpiFactory
from kpis.reporting import policy
from kpis.reporting.models import RagPolicy
from scorecards import exports, selectors
from scorecards.tests.helpers import quarters, series, target

pytestmark = pytest.mark.django_db

# Permanent admissions per 100,000 older people, year to date (lower is better): last year's
# four quarters, then this year's first, after the count restarted in April.
ADMISSIONS = [124.8, 249.6, 382.3, 488.8, 124.9]


def _row(kpi, period) -> selectors.Row:
    return next(
        r
        for r in selectors.scorecard(kind="organisation", period=period).rows
        if r.kpi_id == kpi.pk
    )


@pytest.fixture
def admissions():
    periods = quarters((2024, 1), 5)
    kpi = KpiFactory(
        reference="103",
        level=Kpi.Level.STRATEGIC,
        unit=Kpi.Unit.RATE_PER_100000,
        direction=Kpi.Direction.LOWER,
        value_basis=Kpi.ValueBasis.YEAR_TO_DATE,
        year_figure=Kpi.YearFigure.SUM,
    )
    target(kpi, 500, year=2024)
    target(kpi, 490, year=2025)
    series(kpi, periods, ADMISSIONS)
    return kpi, periods


def test_a_running_total_in_its_first_quarter_is_compared_with_last_years_first_quarter(
    admissions, client, viewer
):
    kpi, periods = admissions
    row = _row(kpi, periods[-1])
    assert (row.current_display, row.previous_display) == ("124.9 per 100,000", "124.8 per 100,000")
    assert row.previous_label == "2024/25 Q1"
    assert row.compared_with == "2024/25 Q1, the same quarter last year"
    assert row.change is trends.Change.DECLINED  # not "Improved" on last year's Q4 of 488.8
    assert row.change_text == "↓ Declined (compared with 2024/25 Q1, the same quarter last year)"
    assert row.trend is trends.Trend.NOT_ENOUGH_DATA  # one quarter a year on: no trend yet
    assert row.year_end == pytest.approx(4 * 124.9)  # the run-rate, not Q1's 124.9
    assert row.year_end_text == "Projected year-end: 499.6 per 100,000 (Amber)"
    assert row.forecast == pytest.approx(249.6 * 124.9 / 124.8)  # last year's Q2, scaled
    assert row.forecast_from_last_year
    page = selectors.kpi_performance(kpi).row
    assert page.assessment == row.assessment and page.compared_with == row.compared_with

    client.force_login(viewer)
    card_page = client.get(reverse("scorecards:organisation", args=[periods[-1].pk]))
    assert "compared with 2024/25 Q1, the same quarter last year" in card_page.content.decode()
    kpi_page = client.get(reverse("scorecards:kpi", args=["103"])).content.decode()
    assert "Declined, compared with 2024/25 Q1, the same quarter last year" in kpi_page
    assert "(from the same period last year)" in kpi_page

    headers, rows = exports.scorecard_table(
        selectors.scorecard(kind="organisation", period=periods[-1])
    )
    exported = dict(zip(headers, rows[0], strict=True))
    assert exported["Compared with"] == "2024/25 Q1, the same quarter last year"
    assert exported["Performance (comparison period)"] == "124.8 per 100,000"
    assert exported["Projected year-end (not data)"].startswith("Projected year-end: 499.6")


def test_the_same_kpi_as_period_values_is_still_compared_with_the_quarter_before(admissions):
    kpi, periods = admissions
    Kpi.objects.filter(pk=kpi.pk).update(value_basis=Kpi.ValueBasis.PERIOD)
    row = _row(kpi, periods[-1])
    assert row.previous_label == "2024/25 Q4" and row.compared_with == "2024/25 Q4"
    assert row.change is trends.Change.IMPROVED


def test_a_year_to_date_amount_is_never_forecast_below_what_it_has_banked():
    """Social value committed, year to date: began last Q3; this year £0.65m then £1.31m. A
    straight line through the four figures forecast £684k for Q3, below the £1.31m banked."""
    periods = quarters((2024, 3), 4)
    kpi = KpiFactory(
        level=Kpi.Level.STRATEGIC,
        unit=Kpi.Unit.MONEY,
        value_basis=Kpi.ValueBasis.YEAR_TO_DATE,
        year_figure=Kpi.YearFigure.SUM,
    )
    target(kpi, 2_500_000, year=2025)
    series(kpi, periods, ["1906511.89", "2576117.48", "646655.64", "1313969.01"])
    row = _row(kpi, periods[-1])
    assert row.forecast >= 1_313_969.01
    assert row.forecast == pytest.approx(1_313_969.01 * 3 / 2)  # its run-rate within the year
    assert row.forecast_text.startswith("Forecast for 2025/26 Q3: £1,970,954")
    assert row.year_end == pytest.approx(1_313_969.01 * 2)


def test_a_percentage_near_100_is_forecast_at_100_not_above():
    periods = quarters((2025, 1), 4)
    kpi = KpiFactory(level=Kpi.Level.STRATEGIC, unit=Kpi.Unit.PERCENT)
    target(kpi, 95, year=2025)
    series(kpi, periods, [96.8, 98.0, 99.1, 99.5])  # a straight line says 100.6%
    row = _row(kpi, periods[-1])
    assert row.forecast == 100.0
    assert row.forecast_text == "Forecast for 2026/27 Q1: 100% (Green)"
    Kpi.objects.filter(pk=kpi.pk).update(allows_values_outside_0_100=True)
    assert _row(kpi, periods[-1]).forecast > 100.0  # a percentage that may exceed 100 may


def test_a_suspended_kpi_has_no_trend_and_no_forecast(client, viewer):
    periods = quarters((2024, 3), 4)
    kpi = KpiFactory(reference="149", level=Kpi.Level.STRATEGIC, status=Kpi.Status.SUSPENDED)
    target(kpi, 80, year=2024)
    target(kpi, 80, year=2025)
    series(kpi, periods, [81.6, 79.0, 78.1, 76.5], rating="amber")
    row = _row(kpi, periods[-1])
    assert row.trend is trends.Trend.NOT_ASSESSED and row.trend_text == "– Not assessed"
    assert row.forecast is None and row.year_end is None
    assert row.forecast_or_why_not == "No forecast: the KPI is suspended"
    assert row.change is trends.Change.DECLINED  # its reported figures still compare
    client.force_login(viewer)
    body = client.get(reverse("scorecards:organisation", args=[periods[-1].pk])).content.decode()
    assert "No forecast: the KPI is suspended" in body
    headers, rows = exports.scorecard_table(
        selectors.scorecard(kind="organisation", period=periods[-1])
    )
    exported = dict(zip(headers, rows[0], strict=True))
    assert exported["Trend analysis"] == "Not assessed"
    assert exported["Forecast (not data)"] == "No forecast: the KPI is suspended"


def test_a_kpi_with_too_little_data_says_so_plainly():
    periods = quarters((2025, 1), 1)
    kpi = KpiFactory(level=Kpi.Level.STRATEGIC)
    series(kpi, periods, [70])
    row = _row(kpi, periods[-1])
    assert row.forecast_or_why_not == "Not enough data for a forecast"
    assert row.trend_text == "– Not enough data"


def test_a_suspended_kpi_whose_target_kind_is_contextual_is_rated_suspended():
    periods = quarters((2025, 1), 2)
    kpi = KpiFactory(
        level=Kpi.Level.STRATEGIC,
        status=Kpi.Status.SUSPENDED,
        target_kind=Kpi.TargetKind.CONTEXTUAL,
    )
    series(kpi, periods, [10, 12])  # drafts: rated by the engine
    assert _row(kpi, periods[-1]).rating is Rating.SUSPENDED
    council = RagPolicy.current()
    assert policy.rate_value(kpi, None, None, council=council) is Rating.SUSPENDED
    kpi.status = Kpi.Status.LIVE
    assert policy.rate_value(kpi, None, None, council=council) is Rating.CONTEXTUAL
    kpi.status = Kpi.Status.BASELINE
    assert policy.rate_value(kpi, None, None, council=council) is Rating.BASELINE


def test_a_seasonal_kpi_is_compared_with_the_same_quarter_last_year():
    periods = quarters((2024, 1), 5)
    kpi = KpiFactory(level=Kpi.Level.STRATEGIC, unit=Kpi.Unit.COUNT, seasonal=True)
    series(kpi, periods, [620_000, 650_000, 595_000, 576_000, 646_000])  # library visits
    row = _row(kpi, periods[-1])
    assert row.compared_with == "2024/25 Q1, the same quarter last year"
    assert row.change is trends.Change.IMPROVED  # 646,000 against 620,000, not 576,000
    assert row.forecast_from_last_year


def test_the_red_run_reads_the_same_on_the_scorecard_and_the_kpi_page():
    """Twelve red quarters: the chart shows all twelve; the flag counts the eight assessed and
    says there may be more, on both pages."""
    periods = quarters((2023, 1), 12)
    kpi = KpiFactory(level=Kpi.Level.STRATEGIC)
    for year in (2023, 2024, 2025):
        target(kpi, 90, year=year)
    series(kpi, periods, [55] * 12, rating="red")
    row = _row(kpi, periods[-1])
    page = selectors.kpi_performance(kpi).row
    assert len([p for p in page.points if p.rating is Rating.RED]) == 12
    assert row.flags == page.flags == ["Deep-dive candidate: red for 8 or more periods"]


@pytest.mark.parametrize("size", [3, 30])
def test_like_for_like_rows_keep_the_scorecards_query_count(size, django_assert_max_num_queries):
    periods = quarters((2024, 1), 5)
    for n in range(size):
        kpi = KpiFactory(
            level=Kpi.Level.STRATEGIC,
            unit=Kpi.Unit.COUNT,
            value_basis=Kpi.ValueBasis.YEAR_TO_DATE,
            year_figure=Kpi.YearFigure.SUM,
            seasonal=n % 2 == 0,
        )
        target(kpi, 400, year=2025)
        series(kpi, periods, [100, 200, 300, 400, 110])
    RagPolicy.current()
    with django_assert_max_num_queries(5):
        card = selectors.scorecard(kind="organisation", period=periods[-1])
    assert len(card.rows) == size
    assert {row.previous_label for row in card.rows} == {"2024/25 Q1"}
