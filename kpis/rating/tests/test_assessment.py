"""One assessment per KPI (kpis.rating.assessment): each part defined once."""

from decimal import Decimal

import pytest

from kpis.rating import DEFAULT_POLICY, Rating
from kpis.rating.assessment import RED_RUN, Goal, Measure, Reading, assess
from kpis.rating.trends import Change, Trend

HIGHER = Measure(direction="higher", status="live", policy=DEFAULT_POLICY)


def readings(*values, target=80.0):
    return [Reading(value=v, target=target) for v in values]


def test_each_period_is_rated_by_the_engine_unless_it_reported_its_rating():
    history = [*readings(85.0, 70.0), Reading(value=50.0, reported_rating=Rating.AMBER)]
    assessed = assess(HIGHER, history)
    assert assessed.ratings == (Rating.GREEN, Rating.RED, Rating.AMBER)
    assert assessed.rating is Rating.AMBER  # as reported, even though the engine would say Red


def test_change_trend_and_forecast_read_the_direction_for_improvement():
    lower = Measure(direction="lower", status="live", policy=DEFAULT_POLICY)
    assessed = assess(lower, readings(90.0, 85.0, 80.0, 75.0))
    assert assessed.change is Change.IMPROVED
    assert assessed.trend is Trend.IMPROVING
    assert assessed.forecast.value == pytest.approx(70.0)
    assert assessed.forecast.rating is Rating.GREEN  # at or below the target of 80


def test_the_forecast_is_rated_against_the_next_periods_target_when_there_is_one():
    assessed = assess(HIGHER, readings(70.0, 75.0), next_target=Goal(100.0))
    assert assessed.forecast.value == pytest.approx(80.0)
    assert assessed.forecast.rating is Rating.RED


def test_a_seasonal_forecast_says_so():
    quarterly = Measure(direction="higher", status="live", policy=DEFAULT_POLICY, seasonal=True)
    assessed = assess(quarterly, readings(10.0, 20.0, 30.0, 40.0, 12.0, 22.0))
    assert assessed.forecast.from_last_year
    assert assessed.forecast.value == pytest.approx(32.0)  # 30 last year plus 2 a year


def test_red_runs_skip_periods_without_a_performance_rating():
    history = [
        *readings(90.0, 10.0, 10.0),
        Reading(),  # not reported
        *readings(10.0),
    ]
    assessed = assess(HIGHER, history)
    assert assessed.red_run == RED_RUN
    assert assessed.consistently_red
    assert not assessed.red_run_may_be_longer  # the Green before it ends the run
    assert assessed.flags == ["Deep-dive candidate: red for 3 periods"]


def test_green_but_declining_is_one_flag_with_one_wording():
    assessed = assess(HIGHER, readings(99.0, 95.0, 90.0, 85.0))
    assert assessed.rating is Rating.GREEN and assessed.trend is Trend.WORSENING
    assert assessed.green_but_declining
    assert assessed.flags == ["Green but declining"]


def test_the_year_end_projection_needs_the_year_and_its_annual_target():
    ytd = Measure(
        direction="higher",
        status="live",
        policy=DEFAULT_POLICY,
        value_basis="ytd",
        year_figure="sum",
    )
    history = readings(400.0, 100.0, 200.0)  # last year's Q4, then this year's Q1 and Q2
    assert assess(ytd, history).year_end is None
    assessed = assess(ytd, history, year_start=1, annual_target=Goal(Decimal(300)))
    assert assessed.year_end.value == pytest.approx(400.0)  # 200 in two quarters: 400 a year
    assert assessed.year_end.rating is Rating.GREEN


def test_a_contextual_kpi_is_contextual_in_every_part():
    contextual = Measure(direction="higher", status="live", policy=DEFAULT_POLICY, contextual=True)
    assessed = assess(contextual, readings(10.0, 20.0, 30.0))
    assert set(assessed.ratings) == {Rating.CONTEXTUAL}
    assert assessed.forecast.rating is Rating.CONTEXTUAL
    assert not assessed.consistently_red


def test_no_readings_is_not_reported():
    assessed = assess(HIGHER, [])
    assert assessed.rating is Rating.NOT_REPORTED
    assert assessed.change is Change.NOT_COMPARABLE and assessed.forecast is None
