"""Like for like (kpis.rating.assessment): year-to-date and seasonal KPIs are compared with the same
period last year, forecasts stay within what the measure can be, and a KPI's status decides first.
No database: plain readings in, an assessment out."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpis.rating import DEFAULT_POLICY, Rating, rating_status
from kpis.rating.assessment import (
    NOT_ENOUGH_DATA,
    Goal,
    Measure,
    Reading,
    assess,
)
from kpis.rating.trends import Change, Trend


def measure(**fields) -> Measure:
    return Measure(**{"direction": "higher", "status": "live", "policy": DEFAULT_POLICY, **fields})


def readings(*values, target=None):
    return [Reading(value=v, target=target) for v in values]


# Permanent admissions per 100,000 (lower is better), a running total through the year: last
# year's four quarters, then this year's first.
ADMISSIONS = (124.8, 249.6, 382.3, 488.8, 124.9)
RUNNING_TOTAL = {
    "direction": "lower",
    "value_basis": "ytd",
    "year_figure": "sum",
    "lower": 0.0,
}


def test_a_year_to_date_total_in_its_first_quarter_is_compared_with_last_years_first_quarter():
    assessed = assess(
        measure(**RUNNING_TOTAL),
        readings(*ADMISSIONS, target=122.5),
        year_start=4,
        annual_target=Goal(490.0),
    )
    assert assessed.compared_back == 4 and assessed.same_period_last_year
    assert assessed.change is Change.DECLINED  # 124.9 against last year's Q1 124.8, not Q4 488.8
    # Q2 is last year's Q2 scaled by this year against last: 249.6 × 124.9 / 124.8.
    assert assessed.forecast.from_last_year
    assert assessed.forecast.value == pytest.approx(249.6 * 124.9 / 124.8)
    assert assessed.year_end.value == pytest.approx(4 * 124.9)  # the run-rate: about 500
    assert assessed.year_end.rating is Rating.AMBER  # 499.6 against 490, lower is better


def test_a_year_to_date_trend_compares_the_last_four_periods_with_the_same_four_a_year_before():
    eight = readings(134.3, 261.8, 391.3, 539.1, *ADMISSIONS[:4])
    assessed = assess(measure(**RUNNING_TOTAL), eight, year_start=4)
    # Each quarter lower than the same quarter a year earlier: improving, although the figures
    # themselves fall by three quarters every April.
    assert assessed.trend is Trend.IMPROVING
    after_april = assess(measure(**RUNNING_TOTAL), [*eight[1:], Reading(124.9)], year_start=4)
    assert after_april.trend is not Trend.WORSENING  # no "worsening" from the April reset


def test_a_year_to_date_kpi_with_no_year_before_has_not_enough_data_for_a_trend():
    assessed = assess(measure(**RUNNING_TOTAL), readings(124.8, 249.6, 382.3), year_start=0)
    assert assessed.change is Change.NOT_COMPARABLE
    assert assessed.trend is Trend.NOT_ENOUGH_DATA


def test_a_running_total_without_last_year_is_forecast_at_its_run_rate_within_the_year():
    assessed = assess(
        measure(**{**RUNNING_TOTAL, "direction": "higher"}),
        readings(None, None, 646_655.64, 1_313_969.01),
        year_start=2,  # the KPI began reporting this year: Q1 and Q2
    )
    assert not assessed.forecast.from_last_year
    assert assessed.forecast.value == pytest.approx(1_313_969.01 * 3 / 2)


def test_a_running_total_is_never_forecast_below_what_it_has_banked():
    # Last year's Q3 was hardly above its Q2: scaled by this year, still at least this Q2.
    history = readings(100.0, 1000.0, 1001.0, 1500.0, 2000.0, 3000.0)
    spent = measure(value_basis="ytd", year_figure="sum", lower=0.0)
    assessed = assess(spent, history, year_start=4)
    assert assessed.forecast.value >= 3000.0
    # Across the year end the total restarts: the floor does not carry into next April.
    year_end = assess(spent, readings(10.0, 20.0, 30.0, 40.0, 11.0, 21.0, 31.0, 41.0), year_start=4)
    assert year_end.forecast.value < 41.0


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.floats(min_value=0, max_value=1e7, allow_nan=False)),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from([4, 12]),
)
def test_property_a_running_totals_forecast_is_never_below_its_latest_figure_this_year(
    values, periods_in_year
):
    spent = measure(
        value_basis="ytd", year_figure="sum", lower=0.0, periods_in_year=periods_in_year
    )
    year_start = (len(values) - 1) // periods_in_year * periods_in_year
    assessed = assess(spent, readings(*values), year_start=year_start)
    this_year = [v for v in values[year_start:] if v is not None]
    if assessed.forecast and this_year and len(values) - year_start < periods_in_year:
        assert assessed.forecast.value >= this_year[-1]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.floats(min_value=0, max_value=100, allow_nan=False)),
        min_size=2,
        max_size=16,
    ),
    st.booleans(),
    st.sampled_from(["period", "ytd", "snapshot", "rolling12"]),
    st.sampled_from(["higher", "lower"]),
)
def test_property_a_percentage_is_never_forecast_or_projected_outside_0_to_100(
    values, seasonal, basis, direction
):
    percent = measure(
        direction=direction,
        value_basis=basis,
        year_figure="last" if basis in ("snapshot", "rolling12") else "mean",
        seasonal=seasonal and basis != "rolling12",
        lower=0.0,
        upper=100.0,
    )
    year_start = (len(values) - 1) // 4 * 4
    assessed = assess(percent, readings(*values), year_start=year_start, annual_target=Goal(90.0))
    for projection in (assessed.forecast, assessed.year_end):
        if projection is not None:
            assert 0.0 <= projection.value <= 100.0


def test_a_percentage_near_100_is_forecast_at_100_not_above():
    percent = measure(lower=0.0, upper=100.0)
    assessed = assess(percent, readings(96.8, 98.0, 99.1, 99.5), next_target=Goal(95.0))
    assert assessed.forecast.value == 100.0
    assert assessed.forecast.rating is Rating.GREEN
    unbounded = assess(measure(), readings(96.8, 98.0, 99.1, 99.5))
    assert unbounded.forecast.value > 100.0  # the bound is the measure's, not the maths'


def test_a_count_is_never_forecast_below_zero():
    falling = assess(measure(lower=0.0), readings(30.0, 20.0, 10.0, 2.0))
    assert falling.forecast.value == 0.0


def test_a_seasonal_kpi_compares_with_the_same_period_last_year():
    # Library visits: high in summer, low in winter; this summer a little higher than last.
    visits = readings(620.0, 650.0, 595.0, 576.0, 646.0, 675.0, 589.0, 593.0, 658.0)
    seasonal = measure(seasonal=True, lower=0.0)
    assessed = assess(seasonal, visits)
    assert assessed.compared_back == 4
    assert assessed.change is Change.IMPROVED  # 658 against last year's Q1 646, not 593
    assert assessed.forecast.from_last_year
    # Last year's Q2 plus the average year-on-year change of the last four quarters.
    drift = ((675 - 650) + (589 - 595) + (593 - 576) + (658 - 646)) / 4
    assert assessed.forecast.value == pytest.approx(675 + drift)
    assert assessed.trend is Trend.NO_CLEAR_TREND  # about 2% up on a year before
    assert not assess(measure(lower=0.0), visits).same_period_last_year


def test_a_seasonal_kpis_year_end_is_the_rest_of_the_year_as_last_year_went():
    visits = readings(620.0, 650.0, 595.0, 576.0, 646.0, 675.0, 589.0, 593.0, 658.0)
    seasonal = measure(seasonal=True, year_figure="sum", lower=0.0)
    assessed = assess(seasonal, visits, year_start=8, annual_target=Goal(2_500.0))
    drift = ((675 - 650) + (589 - 595) + (593 - 576) + (658 - 646)) / 4
    expected = 658 + (675 + drift) + (589 + drift) + (593 + drift)
    assert assessed.year_end.value == pytest.approx(expected)


@pytest.mark.parametrize("status", ["suspended", "in_development", "baseline", "retired"])
def test_a_kpi_whose_status_gives_it_none_has_no_trend_forecast_or_projection(status):
    assessed = assess(
        measure(status=status),
        readings(70.0, 72.0, 75.0, 79.0, target=80.0),
        year_start=0,
        annual_target=Goal(80.0),
    )
    assert assessed.trend is Trend.NOT_ASSESSED
    assert assessed.forecast is None and assessed.year_end is None
    assert assessed.no_forecast.startswith("No forecast: the KPI is ")
    assert not assessed.green_but_declining


def test_not_enough_data_is_said_plainly():
    assessed = assess(measure(), readings(70.0))
    assert assessed.forecast is None and assessed.no_forecast == NOT_ENOUGH_DATA
    assert assess(measure(), readings(70.0, 71.0)).no_forecast == ""


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("live", Rating.CONTEXTUAL),
        ("suspended", Rating.SUSPENDED),
        ("in_development", Rating.IN_DEVELOPMENT),
        ("baseline", Rating.BASELINE),
        ("retired", Rating.NOT_REPORTED),
        ("contextual", Rating.CONTEXTUAL),
    ],
)
def test_status_decides_before_a_contextual_target_kind(status, expected):
    assert rating_status(status, contextual=True) == ("contextual" if status == "live" else status)
    assessed = assess(measure(status=status, contextual=True), readings(10.0, 20.0))
    assert assessed.rating is expected


def test_a_red_run_that_reaches_back_to_the_first_period_assessed_may_be_longer():
    eight = readings(*[50.0] * 8, target=90.0)
    assessed = assess(measure(), eight)
    assert assessed.red_run == 8 and assessed.red_run_may_be_longer
    assert assessed.flags == ["Deep-dive candidate: red for 8 or more periods"]
    ended = assess(measure(), [Reading(95.0, target=90.0), *eight[1:]])
    assert ended.flags == ["Deep-dive candidate: red for 7 periods"]
