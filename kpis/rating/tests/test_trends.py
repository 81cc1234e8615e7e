"""Change and trend arrows, forecasts and flags (no database)."""

import math
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpis.rating import Rating
from kpis.rating.assessment import (
    CHANGE_METHOD,
    FLAGS_METHOD,
    FORECAST_METHOD,
    TREND_METHOD,
    YEAR_END_METHOD,
)
from kpis.rating.trends import (
    Change,
    Trend,
    bounded,
    change,
    consistently_red,
    forecast_next,
    forecast_same_period,
    forecast_year_end,
    green_but_declining,
    red_run,
    trend,
    trend_year_on_year,
    year_end_from_last_year,
)

# --- enums ---------------------------------------------------------------------------------


def test_change_arrows_show_improvement_and_labels_say_it_in_words():
    assert [(c.arrow, c.label) for c in Change] == [
        ("↑", "Improved"),
        ("↓", "Declined"),
        ("→", "No change"),
        ("–", "Not comparable"),
    ]
    assert Change.NO_CHANGE == "no_change"


def test_trend_arrows_and_labels():
    assert [(t.arrow, t.label) for t in Trend] == [
        ("↑", "Improving"),
        ("↓", "Worsening"),
        ("→", "No clear trend"),
        ("–", "Not enough data"),
        ("–", "Not assessed"),
    ]


def test_method_sentences_are_page_ready():
    for sentence in (CHANGE_METHOD, TREND_METHOD, FORECAST_METHOD, YEAR_END_METHOD, FLAGS_METHOD):
        assert sentence.endswith(".") and sentence[0].isupper() and "\n" not in sentence


# --- change --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "previous", "direction", "expected"),
    [
        (80, 75, "higher", Change.IMPROVED),
        (70, 75, "higher", Change.DECLINED),
        (70, 75, "lower", Change.IMPROVED),  # falling waiting times are an improvement: ↑
        (80, 75, "lower", Change.DECLINED),
        (75, 75, "higher", Change.NO_CHANGE),
        (0.1 + 0.2, 0.3, "higher", Change.NO_CHANGE),  # binary noise is not a change
        (D("75.0"), D("75"), "lower", Change.NO_CHANGE),
        (D("75.1"), 75, "higher", Change.IMPROVED),
        (-3, -5, "higher", Change.IMPROVED),
        (None, 75, "higher", Change.NOT_COMPARABLE),
        (75, None, "higher", Change.NOT_COMPARABLE),
        (math.nan, 75, "higher", Change.NOT_COMPARABLE),
        (D("NaN"), 75, "higher", Change.NOT_COMPARABLE),
    ],
)
def test_change(current, previous, direction, expected):
    assert change(current, previous, direction=direction) is expected


def test_change_arrow_for_lower_is_better_points_up_when_the_value_falls():
    assert change(10, 12, direction="lower").arrow == "↑"


def test_bad_direction_is_refused():
    with pytest.raises(ValueError):
        change(1, 2, direction="up")
    with pytest.raises(ValueError):
        trend([1, 2], direction="down")


# --- trend ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "direction", "expected"),
    [
        ([60, 65, 70, 75], "higher", Trend.IMPROVING),
        ([75, 70, 65, 60], "higher", Trend.WORSENING),
        ([60, 65, 70, 75], "lower", Trend.WORSENING),
        ([75, 70, 65, 60], "lower", Trend.IMPROVING),
        ([70, 70, 70, 70], "higher", Trend.NO_CLEAR_TREND),
        ([0, 0, 0, 0], "higher", Trend.NO_CLEAR_TREND),
        ([100, 101, 99, 100.5], "higher", Trend.NO_CLEAR_TREND),  # noise within the 5% band
        ([100, 102, 104, 106], "higher", Trend.IMPROVING),  # 6% over the window
        ([100, 101, 102, 103], "higher", Trend.NO_CLEAR_TREND),  # 3%: within the band
        ([], "higher", Trend.NOT_ENOUGH_DATA),
        ([75], "higher", Trend.NOT_ENOUGH_DATA),
        ([None, 75, None], "higher", Trend.NOT_ENOUGH_DATA),
        ([60, 80], "higher", Trend.IMPROVING),  # two points are enough
        ([-10, -5, 0, 5], "higher", Trend.IMPROVING),  # crosses zero
        ([-0.2, 0.1, -0.1, 0.2], "higher", Trend.IMPROVING),  # noisy around zero but rising
        ([D("60"), D("65"), D("70")], "higher", Trend.IMPROVING),
    ],
)
def test_trend(values, direction, expected):
    assert trend(values, direction=direction) is expected


def test_trend_uses_only_the_last_n_reported_values():
    falling_then_rising = [90, 80, 70, 60, 62, 65, 68, 71]
    assert trend(falling_then_rising, direction="higher") is Trend.IMPROVING
    assert trend(falling_then_rising, direction="higher", periods=8) is Trend.WORSENING


def test_trend_skips_gaps_but_keeps_their_spacing():
    assert trend([60, None, 70, math.nan, 80], direction="higher") is Trend.IMPROVING
    # Missing values are not zeros: a gap does not look like a collapse.
    assert trend([70, None, 70, None], direction="higher") is Trend.NO_CLEAR_TREND
    assert trend([50, 60, None, None, 55, 58, 61], direction="higher", periods=3) is Trend.IMPROVING


def test_trend_band_is_adjustable():
    assert trend([100, 101, 102, 103], direction="higher", band=0.01) is Trend.IMPROVING
    assert trend([100, 101, 102, 103], direction="higher", band=0) is Trend.IMPROVING
    assert trend([100, 100, 100], direction="higher", band=0) is Trend.NO_CLEAR_TREND
    with pytest.raises(ValueError):
        trend([1, 2], direction="higher", band=-0.1)
    with pytest.raises(ValueError):
        trend([1, 2], direction="higher", periods=1)


@settings(max_examples=300)
@given(
    start=st.floats(min_value=-1e6, max_value=1e6),
    step=st.floats(min_value=-1e4, max_value=1e4),
    n=st.integers(min_value=2, max_value=12),
    direction=st.sampled_from(["higher", "lower"]),
)
def test_trend_of_a_straight_line_follows_its_slope(start, step, n, direction):
    values = [start + step * k for k in range(n)]
    got = trend(values, direction=direction, periods=n, band=0)
    if step == 0 or values[-1] == values[0]:
        assert got is Trend.NO_CLEAR_TREND
    else:
        better = (values[-1] > values[0]) == (direction == "higher")
        assert got is (Trend.IMPROVING if better else Trend.WORSENING)


# --- forecast_next -------------------------------------------------------------------------


def test_forecast_on_a_straight_line_is_exact():
    assert forecast_next([10, 12, 14, 16]) == pytest.approx(18)
    assert forecast_next([3, 5, 7, 9, 11, 13], periods=3) == pytest.approx(15)
    assert forecast_next([D("1.5"), D("2.0")]) == pytest.approx(2.5)


def test_forecast_across_gaps_uses_the_real_period_positions():
    assert forecast_next([10, None, 14, 16]) == pytest.approx(18)
    assert forecast_next([10, 12, 14, None]) == pytest.approx(18)  # the period after the last


def test_forecast_needs_two_values():
    assert forecast_next([]) is None
    assert forecast_next([None, 7, None]) is None
    with pytest.raises(ValueError):
        forecast_next([1, 2], periods=1)
    with pytest.raises(ValueError):
        forecast_next([1, 2], season_length=0)


def test_seasonal_forecast_on_a_repeating_pattern():
    pattern = [50, 80, 65, 30]
    history = pattern * 2 + pattern[:2]  # Q1..Q4, Q1..Q4, Q1, Q2 → next is Q3
    assert forecast_next(history, season_length=4) == pytest.approx(65)
    # A straight line through the last four would say something else entirely.
    assert forecast_next(history) != pytest.approx(65)


def test_seasonal_forecast_with_growth_adds_the_year_on_year_change():
    pattern = [50, 80, 65, 30]
    history = [p + 2.5 * k for k, p in enumerate(pattern * 3)]  # +10 a year
    assert forecast_next(history, season_length=4) == pytest.approx(50 + 2.5 * 12)


def test_seasonal_forecast_needs_season_plus_two_values_and_last_year():
    assert forecast_next([50, 80, 65, 30, 52], season_length=4) == pytest.approx(
        forecast_next([50, 80, 65, 30, 52])
    )  # too short: linear
    missing_last_year = [50, 80, 65, 30, 52, 82, None, 32, 54, 84]  # Q3 last year
    assert forecast_next(missing_last_year, season_length=4) == pytest.approx(
        forecast_next(missing_last_year)
    )
    # At exactly season + 2 values the seasonal method is used.
    assert forecast_next([50, 80, 65, 30, 52, 82], season_length=4) == pytest.approx(67)


# --- forecast_year_end ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "basis", "aggregate", "expected"),
    [
        ([100, 120], "period", "sum", 440),  # run rate: mean 110 × 4
        ([100, None, 120], "period", "sum", 440),
        ([100, 120, 110, 130], "period", "sum", 460),  # the year is complete: the total
        ([80, 90], "period", "mean", 85),
        ([80, 90, 70, 60], "period", "mean", 75),
        ([10, 12], "period", "last", 16),  # snapshot: the line to Q4
        ([10, 12, 14, 15], "period", "last", 15),  # Q4 reported: that is the outturn
        ([10], "period", "last", 10),
        ([100, 210], "ytd", "sum", 420),  # year to date 210 after two quarters
        ([100, 210, None], "ytd", "sum", 420),
        ([100, 210, 330, 450], "ytd", "sum", 450),
        ([82, 84], "ytd", "mean", 84),
        ([82, 84], "ytd", "last", 84),
        ([500, 510], "rolling12", "sum", 530),
        ([500, 510, 520, 515], "rolling12", "mean", 515),
    ],
)
def test_forecast_year_end(values, basis, aggregate, expected):
    got = forecast_year_end(values, periods_in_year=4, value_basis=basis, aggregate=aggregate)
    assert got == pytest.approx(expected)


def test_forecast_year_end_monthly_and_empty():
    assert forecast_year_end(
        [10] * 6, periods_in_year=12, value_basis="period", aggregate="sum"
    ) == pytest.approx(120)
    assert forecast_year_end([], periods_in_year=4, value_basis="period", aggregate="sum") is None
    assert (
        forecast_year_end([None, None], periods_in_year=4, value_basis="ytd", aggregate="sum")
        is None
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"periods_in_year": 0, "value_basis": "period", "aggregate": "sum"},
        {"periods_in_year": 4, "value_basis": "monthly", "aggregate": "sum"},
        {"periods_in_year": 4, "value_basis": "period", "aggregate": "median"},
        {"periods_in_year": 1, "value_basis": "period", "aggregate": "sum"},  # 2 values, 1 period
    ],
)
def test_forecast_year_end_refuses_bad_settings(kwargs):
    with pytest.raises(ValueError):
        forecast_year_end([1, 2], **kwargs)


# --- flags ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rating", "trend_", "expected"),
    [
        (Rating.GREEN, Trend.WORSENING, True),
        (Rating.BLUE, Trend.WORSENING, True),
        ("green", "worsening", True),
        (Rating.GREEN, Trend.IMPROVING, False),
        (Rating.GREEN, Trend.NO_CLEAR_TREND, False),
        (Rating.AMBER, Trend.WORSENING, False),
        (Rating.RED, Trend.WORSENING, False),
        (Rating.BASELINE, Trend.WORSENING, False),
    ],
)
def test_green_but_declining(rating, trend_, expected):
    assert green_but_declining(rating, trend_) is expected


R, A, G, NR = Rating.RED, Rating.AMBER, Rating.GREEN, Rating.NOT_REPORTED


@pytest.mark.parametrize(
    ("ratings", "run", "expected"),
    [
        ([R, R, R], 3, True),
        ([G, R, R, R], 3, True),
        ([R, R, R, A], 3, False),  # the latest is Amber
        ([R, R], 3, False),  # not enough history
        ([], 3, False),
        ([R, NR, R, Rating.SUSPENDED, R], 3, True),  # gaps in reporting do not break the run
        ([R, R, G, R], 3, False),
        (["red", "red"], 2, True),
        ([R], 1, True),
    ],
)
def test_consistently_red(ratings, run, expected):
    assert consistently_red(ratings, run=run) is expected


def test_consistently_red_refuses_a_zero_run():
    with pytest.raises(ValueError):
        consistently_red([R], run=0)


# --- like for like: the same period last year ---------------------------------------------------


def test_year_on_year_trend_compares_the_last_four_with_the_same_four_a_year_earlier():
    # A running total that restarts every April: the raw figures fall by three quarters each
    # Q1, but every quarter is 10% below the same quarter a year before.
    last, this = [100, 200, 300, 400], [90, 180, 270, 360]
    assert trend_year_on_year(last + this, direction="lower", season_length=4) is Trend.IMPROVING
    assert trend_year_on_year(last + this, direction="higher", season_length=4) is Trend.WORSENING
    assert trend(last + this, direction="lower") is Trend.WORSENING  # the straight line misreads
    flat = trend_year_on_year(last + [101, 199, 302, 399], direction="higher", season_length=4)
    assert flat is Trend.NO_CLEAR_TREND
    assert trend_year_on_year([1, 2, 3, 4, 5], direction="higher", season_length=4) is (
        Trend.NOT_ENOUGH_DATA  # one pair is a change, not a trend
    )


def test_same_period_forecast_moves_last_year_by_the_drift_or_the_ratio():
    values = [100, 200, 300, 400, 110]
    additive = forecast_same_period(values, season_length=4, periods=1)
    assert additive == pytest.approx(200 + 10)
    proportional = forecast_same_period(values, season_length=4, periods=1, proportional=True)
    assert proportional == pytest.approx(200 * 1.1)
    assert forecast_same_period([100, 200, 300, None, 110], season_length=4, periods=1) == (
        pytest.approx(210)
    )
    # No same period last year, or nothing recent to compare: no forecast (no straight line).
    assert forecast_same_period([1, 2, 3], season_length=4) is None
    assert forecast_same_period([5, None, 7, 8, None], season_length=4, periods=1) is None
    # A year-before value of zero has no ratio: the difference is used instead.
    assert forecast_same_period(
        [0, 10, 20, 30, 5], season_length=4, periods=1, proportional=True
    ) == pytest.approx(15)


def test_year_end_from_last_year():
    # Year to date: what last year added after Q1 (400 - 100), on top of this Q1.
    ytd = year_end_from_last_year(
        [100, 200, 300, 400, 110],
        year_start=4,
        periods_in_year=4,
        value_basis="ytd",
        aggregate="sum",
    )
    assert ytd == pytest.approx(410)
    # Period totals: the rest of the year as last year, plus the year-on-year drift so far.
    totals = year_end_from_last_year(
        [10, 20, 30, 40, 12, 22],
        year_start=4,
        periods_in_year=4,
        value_basis="period",
        aggregate="sum",
    )
    assert totals == pytest.approx(12 + 22 + 32 + 42)
    snapshot = year_end_from_last_year(
        [10, 20, 30, 40, 12, 22],
        year_start=4,
        periods_in_year=4,
        value_basis="snapshot",
        aggregate="last",
    )
    assert snapshot == pytest.approx(42)
    # Last year not reported: None, for the caller's ordinary rule.
    assert (
        year_end_from_last_year(
            [None, 20, None, 40, 12],
            year_start=4,
            periods_in_year=4,
            value_basis="period",
            aggregate="sum",
        )
        is None
    )


def test_forecast_year_end_reads_a_snapshot_as_its_value_at_the_year_end():
    assert forecast_year_end(
        [10, 20], periods_in_year=4, value_basis="snapshot", aggregate="last"
    ) == pytest.approx(40)


@pytest.mark.parametrize(
    ("value", "lower", "upper", "expected"),
    [(102.4, 0, 100, 100), (-3, 0, None, 0), (50, 0, 100, 50), (-7, None, None, -7)],
)
def test_bounded(value, lower, upper, expected):
    assert bounded(value, lower, upper) == expected


def test_red_run_counts_reported_reds_and_says_when_it_starts_at_the_first():
    R, G, N = Rating.RED, Rating.GREEN, Rating.NOT_REPORTED
    assert red_run([G, R, N, R]) == (2, False)
    assert red_run([R, R, N, R]) == (3, True)
    assert red_run([N, R, R]) == (2, False)  # before the first Red, nothing was reported
    assert red_run([R, G]) == (0, False)
    assert red_run([]) == (0, False)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list(Rating)), max_size=12), st.integers(min_value=1, max_value=5))
def test_property_consistently_red_is_a_red_run_of_at_least_run(ratings, run):
    assert consistently_red(ratings, run=run) is (red_run(ratings)[0] >= run)
