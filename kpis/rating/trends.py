"""Change and trend arrows, simple forecasts and the framework's warning flags. Pure Python.

The balanced scorecard (CCC framework Appendix C) has a "Change in performance" arrow (this period
against the previous one) and a "Trend analysis" arrow (the direction over recent periods). Both
arrows here show *improvement*, not the raw movement of the number: ↑ means better whatever the
direction for improvement, so a lower-is-better KPI whose value fell shows ↑ "Improved". The label
always says it in words, for screen readers and for anyone who reads the arrow the other way.

Decisions (each is tested in kpis/rating/tests/test_trends.py):

* Missing values are None or NaN (Decimal NaN too) and are skipped, never treated as zero.
* change(): equal values (to one part in 10⁹, for binary float noise) → NO_CHANGE; either value
  missing → NOT_COMPARABLE. Any real movement counts: there is no "small change" band.
* trend(): least-squares slope over the last `periods` non-missing values, placed at their real
  period positions (a gap stays a gap). Fewer than 2 points → NOT_ENOUGH_DATA. NO_CLEAR_TREND when
  the fitted movement across the window, |slope| × (span in periods), is less than `band` (5%) of
  the series' typical size, the mean of |value| (the mean of absolute values, rather than |mean|,
  so a series wandering around zero is not called a trend on noise alone).
* forecast_next(): straight-line projection of the last `periods` values to the next period; with
  a season length and at least season_length + 2 values: same period last year plus the average
  year-on-year change over the last `periods` periods (seasonal naive with drift). Needs 2 values.
* forecast_year_end(): see its docstring; None when nothing has been reported this year.
* green_but_declining(): Green or Blue with a WORSENING trend (Blue is "on target" too).
* consistently_red(): the last `run` *reported* performance ratings (Blue/Green/Amber/Red) are all
  Red; periods not reported, suspended and so on are skipped rather than breaking the run.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from enum import StrEnum

from kpis.rating import PERFORMANCE_RATINGS, Rating

__all__ = [
    "FORECAST_METHOD",
    "YEAR_END_METHOD",
    "Change",
    "Trend",
    "change",
    "consistently_red",
    "forecast_next",
    "forecast_year_end",
    "green_but_declining",
    "trend",
]

#: Shown beside forecasts on pages and in packs.
FORECAST_METHOD = (
    "Forecasts extend a straight line fitted to the last four reported values by one period; "
    "for seasonal indicators they take the same period last year and add the average "
    "year-on-year change over the last four periods."
)

#: Shown beside projected year-end outturns.
YEAR_END_METHOD = (
    "Projected year-end figures assume the rest of the year continues at the average so far "
    "(for totals and averages) or along the straight line fitted so far (for snapshot and "
    "rolling 12-month figures)."
)

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

    @property
    def arrow(self) -> str:
        """↑ getting better, ↓ getting worse, → no clear trend, – not enough data."""
        return _TREND_ARROWS[self]

    @property
    def label(self) -> str:
        return _TREND_LABELS[self]


_TREND_ARROWS = {
    Trend.IMPROVING: "↑",
    Trend.WORSENING: "↓",
    Trend.NO_CLEAR_TREND: "→",
    Trend.NOT_ENOUGH_DATA: "–",
}
_TREND_LABELS = {
    Trend.IMPROVING: "Improving",
    Trend.WORSENING: "Worsening",
    Trend.NO_CLEAR_TREND: "No clear trend",
    Trend.NOT_ENOUGH_DATA: "Not enough data",
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


def forecast_next(
    values: Sequence[object],
    *,
    periods: int = 4,
    season_length: int | None = None,
) -> float | None:
    """The value for the period after the last position in `values`; see FORECAST_METHOD.

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
        by_position = dict(known)
        last_year = by_position.get(n - season_length)
        if last_year is not None:
            changes = [
                by_position[k] - by_position[k - season_length]
                for k in range(max(season_length, n - periods), n)
                if k in by_position and k - season_length in by_position
            ]
            if changes:
                return last_year + sum(changes) / len(changes)
    points = known[-periods:]
    if len(points) < 2:
        return None
    slope, mx, my = _line(points)
    return my + slope * (n - mx)


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
    * value_basis "rolling12" (each value is already a 12-month figure; aggregate is irrelevant):
      the straight line through the reported values, extended to the final period.

    When the final period is reported these all give the reported outturn. With one value, the
    straight-line rules return it unchanged. None when nothing has been reported yet.
    """
    if value_basis not in ("period", "ytd", "rolling12"):
        raise ValueError(f"value_basis must be 'period', 'ytd' or 'rolling12', not {value_basis!r}")
    if aggregate not in ("mean", "sum", "last"):
        raise ValueError(f"aggregate must be 'mean', 'sum' or 'last', not {aggregate!r}")
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


def green_but_declining(rating: Rating | str, trend: Trend | str) -> bool:
    """On target (Green, or Blue) but on a worsening trend: the framework's warning sign."""
    return Rating(rating) in (Rating.GREEN, Rating.BLUE) and Trend(trend) is Trend.WORSENING


def consistently_red(ratings: Sequence[Rating | str], *, run: int = 3) -> bool:
    """The last `run` reported ratings (oldest first; Blue/Green/Amber/Red only) are all Red.

    Periods with no performance rating (not reported, suspended, baseline …) are skipped.
    """
    if run < 1:
        raise ValueError("run must be at least 1")
    reported = [r for r in map(Rating, ratings) if r in PERFORMANCE_RATINGS]
    return len(reported) >= run and all(r is Rating.RED for r in reported[-run:])
