"""Change and trend arrows, simple forecasts and the framework's warning flags. Pure Python.

The balanced scorecard (CCC framework Appendix C) has a "Change in performance" arrow (this period
against the one it is compared with) and a "Trend analysis" arrow (the direction over recent
periods). Both arrows here show *improvement*, not the raw movement of the number: ↑ means better
whatever the direction for improvement, so a lower-is-better KPI whose value fell shows ↑
"Improved". The label always says it in words, for screen readers and for anyone who reads the
arrow the other way.

These are the building blocks; kpis.rating.assessment decides which a KPI gets (a year-to-date or
seasonal KPI is compared with the same period last year) and docs/assessment.md states the rules.

Decisions (each is tested in kpis/rating/tests/test_trends.py):

* Missing values are None or NaN (Decimal NaN too) and are skipped, never treated as zero.
* change(): equal values (to one part in 10⁹, for binary float noise) → NO_CHANGE; either value
  missing → NOT_COMPARABLE. Any real movement counts: there is no "small change" band.
* trend(): least-squares slope over the last `periods` non-missing values, placed at their real
  period positions (a gap stays a gap). Fewer than 2 points → NOT_ENOUGH_DATA. NO_CLEAR_TREND when
  the fitted movement across the window, |slope| × (span in periods), is less than `band` (5%) of
  the series' typical size, the mean of |value| (the mean of absolute values, rather than |mean|,
  so a series wandering around zero is not called a trend on noise alone).
* trend_year_on_year(): the last `periods` reported values against the same periods a year
  earlier: the difference of their means, with the same 5% band. Fewer than 2 such pairs →
  NOT_ENOUGH_DATA.
* forecast_next(): straight-line projection of the last `periods` values to the next period; with
  a season length and at least season_length + 2 values: same period last year plus the average
  year-on-year change over the last `periods` periods (seasonal naive with drift). Needs 2 values.
* forecast_same_period(): the seasonal rule alone, with no straight-line fallback; optionally
  proportional (a running total this year is a proportion of last year's, not a difference).
* forecast_year_end(): see its docstring; None when nothing has been reported this year.
  year_end_from_last_year(): the rest of the year as it went last year, moved by this year's drift.
* bounded(): a forecast kept within what the measure can be (0 to 100 for a percentage …).
* green_but_declining(): Green or Blue with a WORSENING trend (Blue is "on target" too).
* red_run() and consistently_red(): Red ratings running up to now, counting *reported*
  performance ratings only (Blue/Green/Amber/Red); periods not reported, suspended and so on are
  skipped rather than breaking the run. red_run() also says whether the run starts at the first
  rating it was given (so it may have begun before it).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from enum import StrEnum

from kpis.rating import PERFORMANCE_RATINGS, Rating

__all__ = [
    "Change",
    "Trend",
    "bounded",
    "change",
    "consistently_red",
    "forecast_next",
    "forecast_same_period",
    "forecast_year_end",
    "green_but_declining",
    "latest_reported",
    "red_run",
    "trend",
    "trend_year_on_year",
    "year_end_from_last_year",
]

VALUE_BASES = ("period", "snapshot", "ytd", "rolling12")
YEAR_FIGURES = ("mean", "sum", "last")

_REL_EQ = 1e-9


class Change(StrEnum):
    IMPROVED = "improved"
    DECLINED = "declined"
    NO_CHANGE = "no_change"
    NOT_COMPARABLE = "not_comparable"

    @property
    def arrow(self) -> str:
        """↑ better, ↓ worse, → the same, – cannot say (whatever the direction for improvement)."""
        return _CHANGE_ARROWS[self]

    @property
    def label(self) -> str:
        return _CHANGE_LABELS[self]


_CHANGE_ARROWS = {
    Change.IMPROVED: "↑",
    Change.DECLINED: "↓",
    Change.NO_CHANGE: "→",
    Change.NOT_COMPARABLE: "–",
}
_CHANGE_LABELS = {
    Change.IMPROVED: "Improved",
    Change.DECLINED: "Declined",
    Change.NO_CHANGE: "No change",
    Change.NOT_COMPARABLE: "Not comparable",
}


class Trend(StrEnum):
    IMPROVING = "improving"
    WORSENING = "worsening"
    NO_CLEAR_TREND = "no_clear_trend"
    NOT_ENOUGH_DATA = "not_enough_data"
    NOT_ASSESSED = "not_assessed"  # a KPI whose status gives it none (suspended, baseline …)

    @property
    def arrow(self) -> str:
        """↑ getting better, ↓ getting worse, → no clear trend, – not enough data or none."""
        return _TREND_ARROWS[self]

    @property
    def label(self) -> str:
        return _TREND_LABELS[self]


_TREND_ARROWS = {
    Trend.IMPROVING: "↑",
    Trend.WORSENING: "↓",
    Trend.NO_CLEAR_TREND: "→",
    Trend.NOT_ENOUGH_DATA: "–",
    Trend.NOT_ASSESSED: "–",
}
_TREND_LABELS = {
    Trend.IMPROVING: "Improving",
    Trend.WORSENING: "Worsening",
    Trend.NO_CLEAR_TREND: "No clear trend",
    Trend.NOT_ENOUGH_DATA: "Not enough data",
    Trend.NOT_ASSESSED: "Not assessed",
}


def _higher(direction: str) -> bool:
    if direction == "higher":
        return True
    if direction == "lower":
        return False
    raise ValueError(f"direction must be 'higher' or 'lower', not {direction!r}")


def _number(x: object) -> float | None:
    """A finite float, or None for a missing value (None, NaN, ±infinity)."""
    if x is None:
        return None
    if type(x) is float:  # the common case, from scorecards' float queries: skip the checks
        return x if math.isfinite(x) else None
    if isinstance(x, Decimal) and not x.is_finite():
        return None
    f = float(x)  # type: ignore[arg-type]
    return f if math.isfinite(f) else None


def _known(values: Iterable[object]) -> list[tuple[int, float]]:
    """(period position, value) for every reported value, oldest first."""
    known = []
    for position, raw in enumerate(values):
        if raw is None:
            continue
        number = raw if type(raw) is float else _number(raw)  # floats: the scorecards' case
        if number is not None and math.isfinite(number):
            known.append((position, number))
    return known


def latest_reported(values: Sequence[object], *, since: int = 0) -> tuple[int, float] | None:
    """(position, value) of the last reported value at or after position `since`, or None."""
    for position in range(len(values) - 1, max(since, 0) - 1, -1):
        number = _number(values[position])
        if number is not None:
            return position, number
    return None


def _line(points: Sequence[tuple[int, float]]) -> tuple[float, float, float]:
    """Least-squares fit: (slope, mean x, mean y). Needs two or more distinct x."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    sxy = sum((x - mx) * (y - my) for x, y in points)
    return sxy / sxx, mx, my


def change(current: object, previous: object, *, direction: str) -> Change:
    """This period against the previous one, in the direction for improvement."""
    higher = _higher(direction)
    now, before = _number(current), _number(previous)
    if now is None or before is None:
        return Change.NOT_COMPARABLE
    if math.isclose(now, before, rel_tol=_REL_EQ, abs_tol=0.0):
        return Change.NO_CHANGE
    return Change.IMPROVED if (now > before) == higher else Change.DECLINED


def trend(
    values: Sequence[object],
    *,
    direction: str,
    periods: int = 4,
    band: float = 0.05,
) -> Trend:
    """The direction of travel over the last `periods` reported values (oldest first).

    NO_CLEAR_TREND when the fitted line moves by less than `band` × the mean absolute value across
    the window (less than 5% by default).
    """
    higher = _higher(direction)
    if periods < 2:
        raise ValueError("a trend needs periods >= 2")
    if not band >= 0:
        raise ValueError("band cannot be negative")
    points = _known(values)[-periods:]
    if len(points) < 2:
        return Trend.NOT_ENOUGH_DATA
    slope, _, _ = _line(points)
    movement = abs(slope) * (points[-1][0] - points[0][0])
    scale = sum(abs(y) for _, y in points) / len(points)
    if slope == 0 or movement < band * max(scale, 1e-12):
        return Trend.NO_CLEAR_TREND
    return Trend.IMPROVING if (slope > 0) == higher else Trend.WORSENING


def trend_year_on_year(
    values: Sequence[object],
    *,
    direction: str,
    season_length: int,
    periods: int = 4,
    band: float = 0.05,
) -> Trend:
    """The last `periods` reported values against the same periods a year (`season_length`
    periods) earlier: IMPROVING or WORSENING by the difference of their means, NO_CLEAR_TREND when
    that is less than `band` × their mean absolute value. Like for like whatever the time of year,
    so neither a season nor a year-to-date figure restarting in April reads as a trend.
    NOT_ENOUGH_DATA with fewer than two such pairs."""
    higher = _higher(direction)
    if periods < 2:
        raise ValueError("a trend needs periods >= 2")
    if season_length < 1:
        raise ValueError("season_length must be at least 1")
    if not band >= 0:
        raise ValueError("band cannot be negative")
    by_position = dict(_known(values))
    recent = list(by_position)[-periods:]
    pairs = [
        (by_position[k], by_position[k - season_length])
        for k in recent
        if k - season_length in by_position
    ]
    if len(pairs) < 2:
        return Trend.NOT_ENOUGH_DATA
    movement = sum(now - before for now, before in pairs) / len(pairs)
    scale = sum(abs(now) + abs(before) for now, before in pairs) / (2 * len(pairs))
    if movement == 0 or abs(movement) < band * max(scale, 1e-12):
        return Trend.NO_CLEAR_TREND
    return Trend.IMPROVING if (movement > 0) == higher else Trend.WORSENING


def forecast_next(
    values: Sequence[object],
    *,
    periods: int = 4,
    season_length: int | None = None,
) -> float | None:
    """The value for the period after the last position in `values`.

    Linear: the least-squares line through the last `periods` reported values, extended one period.
    Seasonal (season_length given, at least season_length + 2 reported values, and the same period
    last year reported): that value plus the average year-on-year change over the last `periods`
    periods. Falls back to linear when the seasonal method cannot be used; None with fewer than two
    reported values.
    """
    if periods < 2:
        raise ValueError("a forecast needs periods >= 2")
    if season_length is not None and season_length < 1:
        raise ValueError("season_length must be at least 1")
    known = _known(values)
    n = len(values)
    if season_length is not None and len(known) >= season_length + 2:
        seasonal = _same_period(dict(known), n, season_length, periods, proportional=False)
        if seasonal is not None:
            return seasonal
    points = known[-periods:]
    if len(points) < 2:
        return None
    slope, mx, my = _line(points)
    return my + slope * (n - mx)


def forecast_same_period(
    values: Sequence[object],
    *,
    season_length: int,
    periods: int = 4,
    proportional: bool = False,
) -> float | None:
    """The value for the period after the last position in `values`, from the same period a year
    (`season_length` periods) earlier, moved as the last `periods` periods moved against theirs.

    Additive (the default): that value plus the average year-on-year change (seasonal naive with
    drift). Proportional: that value times the average year-on-year ratio, over pairs whose
    earlier value is above zero (a running total grows through the year, so this year is compared
    with last year as a proportion); additive when there is no such pair. None when the same
    period last year is not reported or no recent period has a year-earlier value: no straight
    line stands in for it.
    """
    if periods < 1:
        raise ValueError("periods must be at least 1")
    if season_length < 1:
        raise ValueError("season_length must be at least 1")
    return _same_period(dict(_known(values)), len(values), season_length, periods, proportional)


def _same_period(
    by_position: dict[int, float], at: int, season: int, periods: int, proportional: bool
) -> float | None:
    """Position `at` from position `at - season`, moved by the year-on-year drift of the
    `periods` positions before `at` (see forecast_same_period)."""
    last_year = by_position.get(at - season)
    if last_year is None:
        return None
    return _moved(last_year, _pairs(by_position, at, season, periods), proportional)


def _pairs(
    by_position: dict[int, float], at: int, season: int, periods: int
) -> list[tuple[float, float]]:
    """(value, value a year before) for the `periods` positions before `at` that have both."""
    return [
        (by_position[k], by_position[k - season])
        for k in range(max(season, at - periods), at)
        if k in by_position and k - season in by_position
    ]


def _moved(base: float, pairs: list[tuple[float, float]], proportional: bool) -> float | None:
    """`base` moved by the pairs' average change (or ratio); None without a pair."""
    if not pairs:
        return None
    if proportional:
        ratios = [now / before for now, before in pairs if before > 0]
        if ratios:
            return base * sum(ratios) / len(ratios)
    return base + sum(now - before for now, before in pairs) / len(pairs)


def forecast_year_end(
    values_so_far_this_year: Sequence[object],
    *,
    periods_in_year: int,
    value_basis: str,
    aggregate: str,
) -> float | None:
    """Projected outturn for a KPI with an annual target, from this year's values so far.

    values_so_far_this_year[k] is period k of the year (None when not reported). The rules:

    * value_basis "period" (each value is that period's own figure):
      sum → mean of the reported periods × periods_in_year (the run rate);
      mean → mean of the reported periods;
      last (a snapshot, e.g. households in temporary accommodation at year end) → the straight
      line through the reported values, extended to the final period.
    * value_basis "ytd" (each value is the year to date):
      sum → latest year-to-date figure scaled up by periods_in_year / periods covered;
      mean and last → the latest year-to-date figure.
    * value_basis "snapshot" (each value is a count or level at the end of its period) or
      "rolling12" (each value is already a 12-month figure); aggregate is irrelevant: the straight
      line through the reported values, extended to the final period.

    When the final period is reported these all give the reported outturn. With one value, the
    straight-line rules return it unchanged. None when nothing has been reported yet.
    """
    _check_basis(value_basis, aggregate)
    if periods_in_year < 1:
        raise ValueError("periods_in_year must be at least 1")
    if len(values_so_far_this_year) > periods_in_year:
        raise ValueError(
            f"{len(values_so_far_this_year)} values given for a year of {periods_in_year} periods"
        )
    known = _known(values_so_far_this_year)
    if not known:
        return None
    last_position, last_value = known[-1]
    final = periods_in_year - 1

    if value_basis == "ytd":
        if aggregate == "sum":
            return last_value * periods_in_year / (last_position + 1)
        return last_value
    if value_basis == "period" and aggregate != "last":
        mean = sum(y for _, y in known) / len(known)
        return mean * periods_in_year if aggregate == "sum" else mean
    # Snapshot or rolling figure: the value at the final period.
    if last_position == final or len(known) < 2:
        return last_value
    slope, mx, my = _line(known)
    return my + slope * (final - mx)


def _check_basis(value_basis: str, aggregate: str) -> None:
    if value_basis not in VALUE_BASES:
        raise ValueError(f"value_basis must be one of {VALUE_BASES}, not {value_basis!r}")
    if aggregate not in YEAR_FIGURES:
        raise ValueError(f"aggregate must be one of {YEAR_FIGURES}, not {aggregate!r}")


def year_end_from_last_year(
    values: Sequence[object],
    *,
    year_start: int,
    periods_in_year: int,
    value_basis: str,
    aggregate: str,
    periods: int = 4,
) -> float | None:
    """Projected outturn for a seasonal KPI: the rest of this year as it went last year.

    `values` run up to now, oldest first; `year_start` is the index of this year's first period
    among them, with last year's periods before it.

    * value_basis "ytd": the latest year-to-date figure plus what last year added from the same
      period to its end.
    * otherwise: each period of this year not yet reported is last year's same period plus the
      average year-on-year change of the `periods` periods up to now (as forecast_same_period
      forecasts the next one), and the year's
      figure is formed from the year's periods by `aggregate` (the final period's for snapshots
      and rolling 12-month figures).

    None when last year's figures it needs are not reported (the caller then uses
    forecast_year_end) or nothing has been reported this year.
    """
    _check_basis(value_basis, aggregate)
    n = periods_in_year
    if year_start < n or len(values) > year_start + n:
        return None
    by_position = dict(_known(values))
    this_year = [k for k in by_position if k >= year_start]
    if not this_year:
        return None
    if value_basis == "ytd":
        latest = this_year[-1]
        last_final, last_same = by_position.get(year_start - 1), by_position.get(latest - n)
        if last_final is None or last_same is None:
            return None
        return by_position[latest] + last_final - last_same
    pairs = _pairs(by_position, len(values), n, periods)
    year = []
    for k in range(year_start, year_start + n):
        value = by_position.get(k)
        if value is None:
            last_year = by_position.get(k - n)
            value = None if last_year is None else _moved(last_year, pairs, proportional=False)
            if value is None:
                return None
        year.append(value)
    if value_basis in ("snapshot", "rolling12") or aggregate == "last":
        return year[-1]
    return sum(year) if aggregate == "sum" else sum(year) / n


def bounded(value: float, lower: float | None, upper: float | None) -> float:
    """`value` kept within what the measure can be (None: no bound that side)."""
    if lower is not None and value < lower:
        return lower
    if upper is not None and value > upper:
        return upper
    return value


def green_but_declining(rating: Rating | str, trend: Trend | str) -> bool:
    """On target (Green, or Blue) but on a worsening trend: the framework's warning sign."""
    return Rating(rating) in (Rating.GREEN, Rating.BLUE) and Trend(trend) is Trend.WORSENING


def red_run(ratings: Sequence[Rating | str]) -> tuple[int, bool]:
    """(Reds running up to now, whether the run starts at the first rating given).

    Ratings are oldest first; only Blue/Green/Amber/Red count. Periods with no performance rating
    (not reported, suspended, baseline …) are skipped rather than breaking the run. A run that
    starts at the very first rating given may have begun before it: the caller says "or more".
    """
    run = 0
    for rating in reversed(ratings):
        if rating.__class__ is not Rating:
            rating = Rating(rating)
        if rating is Rating.RED:
            run += 1
        elif rating in PERFORMANCE_RATINGS:
            return run, False
    return run, run > 0 and Rating(ratings[0]) is Rating.RED


def consistently_red(ratings: Sequence[Rating | str], *, run: int = 3) -> bool:
    """The last `run` reported ratings (oldest first; Blue/Green/Amber/Red only) are all Red:
    red_run() is at least `run`."""
    if run < 1:
        raise ValueError("run must be at least 1")
    return red_run(ratings)[0] >= run
