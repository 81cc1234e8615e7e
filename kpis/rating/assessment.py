"""One assessment per KPI: its rating, change, trend, forecasts, year-end projection and flags,
each defined once here. Pure Python: plain values in, an `Assessment` out.

Scorecards, packs, exports and the KPI's chart page arrange an `Assessment`; none of them computes
a piece of it. The caller reads the KPI's own periods up to the current one (`Reading`s, oldest
first, one per period even when nothing was reported) with the target each was measured against,
and says how the KPI is read (`Measure`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from kpis.rating import trends
from kpis.rating.engine import Rating, RatingPolicy, rate

# Periods the trend and the linear forecast look back over.
TREND_PERIODS = 4
# A KPI red for this many reported periods running is a deep-dive candidate (the framework's
# "consistently red").
RED_RUN = 3


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
    """How the KPI's figures are read, from the register, and the policy that rates them."""

    direction: str
    status: str
    policy: RatingPolicy
    contextual: bool = False  # its target kind is "contextual": no target, rated Contextual
    periods_in_year: int = 4
    season_length: int | None = None  # periods in a season, for a seasonal forecast
    value_basis: str = "period"  # what one period's value is: "period", "ytd", "rolling12"
    aggregate: str = "mean"  # how a year's figure is formed from its periods: sum, mean, last

    def rate(self, value, target=None, intervention=None, *, not_available: bool = False) -> Rating:
        """The engine's rating of one figure by this KPI's policy."""
        if self.contextual:
            return Rating.CONTEXTUAL
        if isinstance(value, float):  # a float figure: compare in floats (the engine's fast path)
            target = None if target is None else float(target)
            intervention = None if intervention is None else float(intervention)
        return rate(
            value,
            target,
            direction=self.direction,
            status=self.status,
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
    seasonal: bool = False  # a forecast from the same period last year, not a straight line


@dataclass(frozen=True, slots=True)
class Assessment:
    ratings: tuple[Rating, ...]  # each reading's rating, oldest first
    rating: Rating  # the current period's
    change: trends.Change  # the current period against the one before
    trend: trends.Trend
    forecast: Projection | None  # the next period
    year_end: Projection | None  # the financial year's outturn, against the annual target
    red_run: int  # reported Reds running up to now (periods without a performance rating skipped)

    @property
    def consistently_red(self) -> bool:
        return self.red_run >= RED_RUN

    @property
    def green_but_declining(self) -> bool:
        return trends.green_but_declining(self.rating, self.trend)

    @property
    def flags(self) -> list[str]:
        """The framework's warning signs, in words, as every page, export and pack prints them."""
        flags = []
        if self.green_but_declining:
            flags.append("Green but declining")
        if self.consistently_red:
            flags.append(f"Deep-dive candidate: red for {self.red_run} periods")
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
    financial year's first reading, for the year-end projection against `annual_target` (none
    without both).
    """
    ratings = tuple(measure.rate_reading(reading) for reading in readings)
    current = readings[-1] if readings else Reading()
    previous = readings[-2] if len(readings) > 1 else Reading()
    series = [reading.value for reading in readings]
    trend = trends.trend(series, direction=measure.direction, periods=TREND_PERIODS)
    return Assessment(
        ratings=ratings,
        rating=ratings[-1] if ratings else measure.rate_reading(current),
        change=trends.change(current.value, previous.value, direction=measure.direction),
        trend=trend,
        forecast=_forecast(
            measure, series, next_target or Goal(current.target, current.intervention)
        ),
        year_end=_year_end(measure, series, year_start, annual_target),
        red_run=_red_run(ratings),
    )


def _forecast(measure: Measure, series: list, goal: Goal) -> Projection | None:
    season = measure.season_length
    value = trends.forecast_next(series, periods=TREND_PERIODS, season_length=season)
    if value is None:
        return None
    seasonal = False
    if season and len(series) >= season:
        known = len(series) - series.count(None)
        seasonal = known >= season + 2 and series[-season] is not None
    return Projection(value, measure.rate(value, goal.value, goal.intervention), seasonal)


def _year_end(
    measure: Measure, series: list, year_start: int | None, annual_target: Goal | None
) -> Projection | None:
    if year_start is None or annual_target is None or measure.periods_in_year == 1:
        return None
    value = trends.forecast_year_end(
        series[max(year_start, 0) :],
        periods_in_year=measure.periods_in_year,
        value_basis=measure.value_basis,
        aggregate=measure.aggregate,
    )
    if value is None:
        return None
    return Projection(value, measure.rate(value, annual_target.value, annual_target.intervention))


def _red_run(ratings: Sequence[Rating]) -> int:
    run = 0
    for rating in reversed(ratings):
        if rating is Rating.RED:
            run += 1
        elif rating.is_performance:
            break
    return run
