"""One assessment per KPI: its rating, change, trend, forecasts, year-end projection and flags,
each defined once here. Pure Python: plain values in, an `Assessment` out.

Scorecards, packs, exports and the KPI's chart page arrange an `Assessment`; none of them computes
a piece of it. The caller reads the KPI's own periods up to the current one (`Reading`s, oldest
first, one per period even when nothing was reported) with the target each was measured against,
and says how the KPI is read (`Measure`, from its register entry). The rules, in words, are in
docs/assessment.md and in the sentences below that pages print beside them.

Like for like. A year-to-date figure restarts every April and a seasonal one rises and falls with
the time of year, so for those (`Measure.like_for_like`) every comparison is with the same period
last year: the change (Q1 with last year's Q1), the trend (the last four periods against the same
four a year earlier) and the forecast (the same period last year, moved as this year has moved).
Same-period points rather than period-by-period increments, because increments exist only for
year-to-date *totals*: a year-to-date percentage or average has none, and one rule for every
year-to-date and seasonal KPI is one rule to explain. A year-to-date total's year-end projection
is its run-rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from kpis.rating import trends
from kpis.rating.engine import Rating, RatingPolicy, rate, rating_status

# Periods the trend and the linear forecast look back over.
TREND_PERIODS = 4
# A KPI red for this many reported periods running is a deep-dive candidate (the framework's
# "consistently red").
RED_RUN = 3
#: How many of its own periods, up to the current one, a KPI's assessment reads (trends, same
#: period last year, red runs), by the kind of period: every page and pack reads the same, so a
#: flag reads the same everywhere, even where a chart shows more.
ASSESSED_PERIODS = {"month": 24, "quarter": 8, "year": 5}
# Register statuses that give a KPI no trend, forecast or year-end projection: it is not reporting
# (suspended, retired) or not yet measured against a target (in development, baseline).
NOT_ASSESSED = {
    "suspended": "suspended",
    "retired": "retired",
    "in_development": "in development",
    "baseline": "a baseline",
}
NOT_ENOUGH_DATA = "Not enough data for a forecast"

#: The rules in words, for the scorecard's "How to read" panel, the KPI page and packs.
CHANGE_METHOD = (
    "Change compares the current period with the one before it; for a year-to-date or seasonal "
    "KPI, with the same period last year (Q1 with last year's Q1), and each page names the "
    "period compared with."
)
TREND_METHOD = (
    "Trend is the direction of a straight line through the last four reported values; for a "
    "year-to-date or seasonal KPI, the last four periods against the same four a year earlier. "
    "A movement of less than 5% is no clear trend. Suspended, retired, baseline and in-development "
    "KPIs have no trend or forecast."
)
FORECAST_METHOD = (
    "Forecasts extend that straight line by one period; for a seasonal KPI they take the same "
    "period last year and add the average year-on-year change over the last four periods; for a "
    "year-to-date KPI, the same period last year moved by how this year compares with last year "
    "so far (as a proportion for a running total, as a difference otherwise). A forecast never "
    "goes outside what the measure can be (a percentage stays between 0 and 100; counts and money "
    "stay at or above zero) and a running total is never forecast below what is already banked."
)
YEAR_END_METHOD = (
    "Projected year-end figures: a year-to-date total at its run-rate so far (Q1 times four); "
    "other year-to-date figures at their latest value; totals and averages of period values at "
    "the average so far; snapshots and rolling 12-month figures along the straight line so far; "
    "a seasonal KPI's remaining periods as they went last year, moved as this year has moved."
)
FLAGS_METHOD = (
    "Flags: Green but declining is Green or Blue with a worsening trend. A deep-dive candidate is "
    f"Red for {RED_RUN} or more reported periods running (periods not reported are skipped); "
    f"the count covers the periods assessed (the last {ASSESSED_PERIODS['quarter']} quarters, "
    f"{ASSESSED_PERIODS['month']} months or {ASSESSED_PERIODS['year']} years) and says “or more” "
    "when the run starts at the first of them."
)

#: Every rule, in the order the "How to read" panel gives them.
HOW_TO_READ = (CHANGE_METHOD, TREND_METHOD, FORECAST_METHOD, YEAR_END_METHOD, FLAGS_METHOD)


class Goal(NamedTuple):
    """A target, and the intervention level where the council uses them."""

    value: object
    intervention: object = None


class Reading(NamedTuple):
    """One of the KPI's own periods: what was reported and what it was measured against.

    `reported_rating` is the rating stored with a submitted or approved value; without one the
    period is rated by the engine. A value is a float (a scorecard reads thousands) or a Decimal.
    A named tuple: a scorecard makes one per KPI per period, and they are quick to make.
    """

    value: float | None = None
    not_available: bool = False
    reported_rating: Rating | None = None
    target: object = None
    intervention: object = None


@dataclass(frozen=True, slots=True)
class Measure:
    """How the KPI's figures are read, from the register, and the policy that rates them.

    lower and upper: what the measure can be (kpis.register.models.value_bounds); None for no
    bound that side. Forecasts and projections stay within them.
    """

    direction: str
    status: str
    policy: RatingPolicy
    contextual: bool = False  # its target kind is "contextual": no target, rated Contextual
    periods_in_year: int = 4
    value_basis: str = "period"  # what one period's value is: period, snapshot, ytd, rolling12
    year_figure: str = "mean"  # how a year's figure is formed from its periods: sum, mean, last
    seasonal: bool = False  # compare each period with the same period last year
    lower: float | None = None
    upper: float | None = None
    # Worked out once when the measure is made, not at every use:
    # the status the engine rates by (the KPI's own first, then its target kind) …
    _rated_status: str = field(init=False, repr=False, compare=False, default="live")
    # … compared with the same period last year: a year-to-date or seasonal KPI …
    like_for_like: bool = field(init=False, repr=False, compare=False, default=False)
    # … a year-to-date total, which only grows through the year from what it has banked …
    running_total: bool = field(init=False, repr=False, compare=False, default=False)
    # … and why it has no trend or forecast (its status, in words), or None.
    not_assessed: str | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "_rated_status", rating_status(self.status, contextual=self.contextual))
        set_(
            self,
            "like_for_like",
            self.periods_in_year > 1 and (self.value_basis == "ytd" or self.seasonal),
        )
        set_(self, "running_total", self.value_basis == "ytd" and self.year_figure == "sum")
        set_(self, "not_assessed", NOT_ASSESSED.get(self.status))

    @property
    def comparison_lag(self) -> int:
        """How many periods back the change compares with: one, or a year."""
        return self.periods_in_year if self.like_for_like else 1

    def rate(self, value, target=None, intervention=None, *, not_available: bool = False) -> Rating:
        """The engine's rating of one figure by this KPI's policy (its status decides first)."""
        if isinstance(value, float):  # a float figure: compare in floats (the engine's fast path)
            target = None if target is None else float(target)
            intervention = None if intervention is None else float(intervention)
        return rate(
            value,
            target,
            direction=self.direction,
            status=self._rated_status,
            intervention=intervention,
            policy=self.policy,
            not_available=not_available,
        )

    def rate_reading(self, reading: Reading) -> Rating:
        """A period's rating: the one reported with its value, else the engine's."""
        if reading.reported_rating is not None:
            return reading.reported_rating
        return self.rate(
            reading.value,
            reading.target,
            reading.intervention,
            not_available=reading.not_available,
        )


@dataclass(frozen=True, slots=True)
class Projection:
    """A figure the data does not hold yet (a forecast, a year-end outturn), and its rating."""

    value: float
    rating: Rating
    from_last_year: bool = False  # from the same period last year, not a straight line


@dataclass(frozen=True, slots=True)
class Assessment:
    ratings: tuple[Rating, ...]  # each reading's rating, oldest first
    rating: Rating  # the current period's
    change: trends.Change  # the current period against the one `compared_back` periods before
    compared_back: int  # 1 (the period before), or a year's periods (the same period last year)
    trend: trends.Trend
    forecast: Projection | None  # the next period
    year_end: Projection | None  # the financial year's outturn, against the annual target
    red_run: int  # reported Reds running up to now (periods without a performance rating skipped)
    red_run_may_be_longer: bool = False  # the run starts at the first period assessed
    no_forecast: str = ""  # why there is no forecast, in words, when there is none

    @property
    def same_period_last_year(self) -> bool:
        return self.compared_back > 1

    @property
    def consistently_red(self) -> bool:
        return self.red_run >= RED_RUN

    @property
    def green_but_declining(self) -> bool:
        return trends.green_but_declining(self.rating, self.trend)

    @property
    def red_run_text(self) -> str:
        """ "red for 8 periods", or "red for 8 or more periods" when it may be longer."""
        more = " or more" if self.red_run_may_be_longer else ""
        return f"red for {self.red_run}{more} period{'s' if self.red_run != 1 or more else ''}"

    @property
    def flags(self) -> list[str]:
        """The framework's warning signs, in words, as every page, export and pack prints them."""
        flags = []
        if self.green_but_declining:
            flags.append("Green but declining")
        if self.consistently_red:
            flags.append(f"Deep-dive candidate: {self.red_run_text}")
        return flags


def assess(
    measure: Measure,
    readings: Sequence[Reading],
    *,
    next_target: Goal | None = None,
    year_start: int | None = None,
    annual_target: Goal | None = None,
) -> Assessment:
    """The KPI's assessment from its readings up to the current period (the last one).

    next_target: the target (and intervention level) of the period after the current one, for the
    forecast's rating; by default the current period's. year_start: the index of the current
    financial year's first reading (negative when the year began before the first reading), for
    a running total's banked figure and the year-end projection; the projection also needs
    `annual_target`.
    """
    ratings = tuple(measure.rate_reading(reading) for reading in readings)
    lag = measure.comparison_lag
    current = readings[-1] if readings else Reading()
    compared = readings[-1 - lag] if len(readings) > lag else Reading()
    series = [reading.value for reading in readings]
    run, may_be_longer = trends.red_run(ratings)
    forecast = _forecast(
        measure, series, year_start, next_target or Goal(current.target, current.intervention)
    )
    return Assessment(
        ratings=ratings,
        rating=ratings[-1] if ratings else measure.rate_reading(current),
        change=trends.change(current.value, compared.value, direction=measure.direction),
        compared_back=lag,
        trend=_trend(measure, series),
        forecast=forecast,
        year_end=_year_end(measure, series, year_start, annual_target),
        red_run=run,
        red_run_may_be_longer=may_be_longer,
        no_forecast="" if forecast else _no_forecast(measure),
    )


def _trend(measure: Measure, series: list) -> trends.Trend:
    if measure.not_assessed:
        return trends.Trend.NOT_ASSESSED
    if measure.like_for_like:
        return trends.trend_year_on_year(
            series,
            direction=measure.direction,
            season_length=measure.periods_in_year,
            periods=TREND_PERIODS,
        )
    return trends.trend(series, direction=measure.direction, periods=TREND_PERIODS)


def _no_forecast(measure: Measure) -> str:
    why = measure.not_assessed
    return f"No forecast: the KPI is {why}" if why else NOT_ENOUGH_DATA


def _forecast(
    measure: Measure, series: list, year_start: int | None, goal: Goal
) -> Projection | None:
    if measure.not_assessed:
        return None
    if not measure.like_for_like:
        value, from_last_year = trends.forecast_next(series, periods=TREND_PERIODS), False
    elif measure.value_basis == "ytd":
        value, from_last_year = _ytd_forecast(measure, series, year_start)
    else:
        season = measure.periods_in_year
        value = trends.forecast_same_period(series, season_length=season, periods=TREND_PERIODS)
        from_last_year = True
    if value is None:
        return None
    value = _within_reach(measure, value, series, year_start, len(series))
    return Projection(value, measure.rate(value, goal.value, goal.intervention), from_last_year)


def _ytd_forecast(
    measure: Measure, series: list, year_start: int | None
) -> tuple[float | None, bool]:
    """A year-to-date figure's next value, and whether it came from last year: the same period
    last year moved as this year to date compares with last year to date; without last year, a
    running total at its run-rate within the year."""
    value = trends.forecast_same_period(
        series,
        season_length=measure.periods_in_year,
        periods=1,  # the year to date already sums up the year so far
        proportional=measure.running_total,
    )
    if value is not None:
        return value, True
    at = len(series)
    if (
        not measure.running_total
        or year_start is None
        or at - year_start >= measure.periods_in_year
    ):
        return None, False
    latest = trends.latest_reported(series, since=year_start)
    if latest is None:
        return None, False
    position, banked = latest
    return banked + banked / (position - year_start + 1) * (at - position), False


def _within_reach(
    measure: Measure, value: float, series: list, year_start: int | None, at: int
) -> float:
    """A projected figure for position `at` kept to what the measure can be, and a running total
    kept at or above what it has banked if `at` is in the same year."""
    if measure.lower is None and measure.upper is None and not measure.running_total:
        return value
    if (
        measure.running_total
        and year_start is not None
        and at - year_start < measure.periods_in_year
    ):
        latest = trends.latest_reported(series, since=year_start)
        if latest is not None:
            value = max(value, latest[1])
    return trends.bounded(value, measure.lower, measure.upper)


def _year_end(
    measure: Measure, series: list, year_start: int | None, annual_target: Goal | None
) -> Projection | None:
    if (
        year_start is None
        or annual_target is None
        or measure.periods_in_year == 1
        or measure.not_assessed
    ):
        return None
    value = None
    if measure.seasonal:
        value = trends.year_end_from_last_year(
            series,
            year_start=year_start,
            periods_in_year=measure.periods_in_year,
            value_basis=measure.value_basis,
            aggregate=measure.year_figure,
            periods=TREND_PERIODS,
        )
    if value is None:
        value = trends.forecast_year_end(
            series[max(year_start, 0) :],
            periods_in_year=measure.periods_in_year,
            value_basis=measure.value_basis,
            aggregate=measure.year_figure,
        )
    if value is None:
        return None
    value = _within_reach(
        measure, value, series, year_start, year_start + measure.periods_in_year - 1
    )
    return Projection(value, measure.rate(value, annual_target.value, annual_target.intervention))
