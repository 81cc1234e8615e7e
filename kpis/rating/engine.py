"""The RAG rating engine: pure Python, no Django, so forms, imports, scorecards and packs share it.

Definitions (CCC framework 2024, "Continuous Learning"; 2022 report summary table; HDC 2023):

* Red   – current performance is off target by more than the tolerance (10% by default).
* Amber – current performance is off target by the tolerance or less ("10% or less").
* Green – current performance is on or exceeding target.
* Blue  – better than target by more than a margin (a council setting; off by default).
* Baseline, Contextual, In development, Suspended – statuses that carry no performance rating.
* HDC style: each KPI has a target *and an intervention level*: on or better than target =
  Green; between target and intervention level (inclusive) = Amber; worse than the intervention
  level = Red.

"Off target" always respects the direction for improvement: a lower-is-better KPI is off target
when it is *above* its target.

Decisions (each is tested in kpis/rating/tests/test_engine.py):

* Status decides first, in this order: suspended → SUSPENDED, in_development → IN_DEVELOPMENT,
  baseline → BASELINE, contextual → CONTEXTUAL, retired → NOT_REPORTED (a retired KPI is not
  rated; it keeps its history but gets no rating for new periods). Unknown status → ValueError.
  A KPI's target kind comes after its status: rating_status() turns a *live* KPI whose target
  kind is contextual into "contextual", and leaves every other status as it is (a suspended KPI
  with no target is Suspended).
* A live KPI with no value (None, NaN, ±infinity) or with the value marked not available →
  NOT_REPORTED.
* A live KPI with a value but no target (None, NaN, ±infinity) → BASELINE: "being tracked in order
  to inform target setting" is exactly what a target-less live KPI is doing.
* RELATIVE basis: shortfall / |target| × 100 ≤ tolerance → AMBER, else RED. |target| makes
  negative targets work (a target of −5 and a value of −5.5 is 10% off).
* A target of ZERO on the RELATIVE basis: the relative shortfall is unbounded, so any shortfall is
  RED, and (when Blue is on) any improvement is BLUE. This is the limit of the relative rule as the
  target approaches zero, so ratings do not jump when a target moves from 0.01 to 0; and it avoids
  silently reinterpreting "10 percent" as "10 units" (10 complaints? £10?). A council that wants
  Amber headroom on a zero target gives that KPI an absolute tolerance or an intervention level.
* ABSOLUTE basis: shortfall in the KPI's own units (percentage points for percentages) ≤ tolerance
  → AMBER, else RED.
* Blue: better than target by MORE than the margin (same basis as the tolerance); exactly at the
  margin is GREEN. blue_margin=None switches Blue off; blue_margin=0 makes any improvement Blue.
* Intervention levels: used only when the policy says so AND the KPI has a (finite) intervention
  level; a value exactly at the intervention level is AMBER. With use_intervention_levels=True but
  no intervention level, the tolerance rule applies (the KPI is still rated, never left blank).
  An intervention level on the wrong side of the target leaves no Amber band: any miss is RED.
* Exactness: if any of value, target or intervention is a Decimal, everything is compared exactly
  in Decimal (floats converted via their shortest repr, i.e. as typed). Float/int inputs are
  compared in binary floating point with a slack of one part in 10⁹ of the target (and of the
  limit), so that 1.1 against a target of 1.0 is exactly 10% off (AMBER) although 1.1 − 1.0 is
  0.10000000000000009 in binary. The slack depends only on the target and the policy, never on
  the value, so the rating stays monotonic in the value.
* Ratings are monotonic: moving a value towards the target, or beyond it in the better direction,
  never makes its rating worse (property-tested for every policy, direction and target).
* rate() never raises for finite (or missing) numbers; only a bad status or direction raises.
* rate_many() works in float64 and agrees with rate() element by element for float inputs.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal
from enum import Enum, StrEnum
from typing import Any

import numpy as np

Number = Decimal | float | int

__all__ = [
    "DEFAULT_POLICY",
    "INHERIT",
    "PERFORMANCE_RATINGS",
    "SUMMARY_ORDER",
    "Rating",
    "RatingPolicy",
    "ToleranceBasis",
    "effective_policy",
    "rate",
    "rate_many",
    "rating_status",
]


class Rating(StrEnum):
    BLUE = "blue"
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    BASELINE = "baseline"
    CONTEXTUAL = "contextual"
    IN_DEVELOPMENT = "in_development"
    SUSPENDED = "suspended"
    NOT_REPORTED = "not_reported"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def is_performance(self) -> bool:
        """True for Blue, Green, Amber and Red: the ratings that compare a value with a target."""
        return self in _SEVERITY

    @property
    def severity(self) -> int | None:
        """0 (Blue, best) … 3 (Red, worst) for performance ratings; None for the rest."""
        return _SEVERITY.get(self)

    def is_worse_than(self, other: Rating) -> bool:
        """Compare two performance ratings (Red is worse than Amber …); ValueError otherwise."""
        if self.severity is None or Rating(other).severity is None:
            raise ValueError(f"only Blue/Green/Amber/Red can be compared, not {self} and {other}")
        return self.severity > Rating(other).severity


_LABELS = {
    Rating.BLUE: "Blue",
    Rating.GREEN: "Green",
    Rating.AMBER: "Amber",
    Rating.RED: "Red",
    Rating.BASELINE: "Baseline",
    Rating.CONTEXTUAL: "Contextual",
    Rating.IN_DEVELOPMENT: "In development",
    Rating.SUSPENDED: "Suspended",
    Rating.NOT_REPORTED: "Not reported",
}
_SEVERITY = {Rating.BLUE: 0, Rating.GREEN: 1, Rating.AMBER: 2, Rating.RED: 3}

#: Blue, Green, Amber and Red, best to worst.
PERFORMANCE_RATINGS: tuple[Rating, ...] = (Rating.BLUE, Rating.GREEN, Rating.AMBER, Rating.RED)

#: The order of the RAG summary table in the 2022 corporate performance report.
SUMMARY_ORDER: tuple[Rating, ...] = (
    Rating.BLUE,
    Rating.GREEN,
    Rating.AMBER,
    Rating.RED,
    Rating.CONTEXTUAL,
    Rating.BASELINE,
    Rating.IN_DEVELOPMENT,
    Rating.SUSPENDED,
)


class ToleranceBasis(StrEnum):
    RELATIVE = "relative"  # off by 10% *of the target*
    ABSOLUTE = "absolute"  # off by 10 in the KPI's own units (percentage points for percentages)

    @property
    def label(self) -> str:
        return {
            ToleranceBasis.RELATIVE: "Relative to the target (%)",
            ToleranceBasis.ABSOLUTE: "In the KPI's own units (or percentage points)",
        }[self]


def _check_amount(name: str, amount: Any) -> None:
    if isinstance(amount, bool) or not isinstance(amount, Decimal | float | int):
        raise ValueError(f"{name} must be a number, not {amount!r}")
    finite = amount.is_finite() if isinstance(amount, Decimal) else math.isfinite(amount)
    if not finite:
        raise ValueError(f"{name} must be a finite number, not {amount!r}")
    if amount < 0:
        raise ValueError(f"{name} cannot be negative (got {amount!r})")


def _to_decimal(x: Number) -> Decimal:
    if isinstance(x, Decimal):
        return x
    if isinstance(x, float):
        return Decimal(repr(x))  # as typed: Decimal(repr(1.1)) == Decimal("1.1")
    return Decimal(x)


@dataclass(frozen=True, slots=True)
class RatingPolicy:
    """How a council (or one KPI) turns a value and a target into Blue/Green/Amber/Red.

    amber_tolerance: percent of |target| (RELATIVE) or units (ABSOLUTE); a miss within it is Amber.
    blue_margin: None = no Blue; else "better than target by more than this", same basis.
    use_intervention_levels: HDC style; Amber down to the KPI's intervention level.
    """

    amber_tolerance: Decimal | float = 10
    tolerance_basis: ToleranceBasis = ToleranceBasis.RELATIVE
    blue_margin: Decimal | float | None = None
    use_intervention_levels: bool = False
    # Pre-computed forms for the hot paths (not part of equality or the repr).
    _relative: bool = field(init=False, repr=False, compare=False, default=True)
    _tol_f: float = field(init=False, repr=False, compare=False, default=0.0)
    _tol_d: Decimal = field(init=False, repr=False, compare=False, default=Decimal(0))
    _blue_f: float | None = field(init=False, repr=False, compare=False, default=None)
    _blue_d: Decimal | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        try:
            basis = ToleranceBasis(self.tolerance_basis)
        except ValueError:
            raise ValueError(
                f"tolerance_basis must be 'relative' or 'absolute', not {self.tolerance_basis!r}"
            ) from None
        _check_amount("amber_tolerance", self.amber_tolerance)
        if self.blue_margin is not None:
            _check_amount("blue_margin", self.blue_margin)
        if not isinstance(self.use_intervention_levels, bool):
            raise ValueError("use_intervention_levels must be True or False")
        relative = basis is ToleranceBasis.RELATIVE
        setattr_ = object.__setattr__
        setattr_(self, "tolerance_basis", basis)
        setattr_(self, "_relative", relative)
        # RELATIVE amounts are stored as fractions of |target| (10% → 0.1).
        tol_d = _to_decimal(self.amber_tolerance)
        setattr_(self, "_tol_d", tol_d / 100 if relative else tol_d)
        setattr_(self, "_tol_f", float(self.amber_tolerance) / 100 if relative else float(tol_d))
        if self.blue_margin is not None:
            blue_d = _to_decimal(self.blue_margin)
            setattr_(self, "_blue_d", blue_d / 100 if relative else blue_d)
            setattr_(self, "_blue_f", float(self.blue_margin) / 100 if relative else float(blue_d))

    def describe(self) -> str:
        """A sentence for settings pages and pack footnotes."""
        unit = "%" if self._relative else " (in the KPI's units)"
        if self.use_intervention_levels:
            rule = (
                "Amber when worse than target but no worse than the intervention level "
                f"(or off by {self.amber_tolerance}{unit} or less where there is none)"
            )
        else:
            rule = f"Amber when off target by {self.amber_tolerance}{unit} or less"
        blue = (
            f"; Blue when better than target by more than {self.blue_margin}{unit}"
            if self.blue_margin is not None
            else ""
        )
        return f"Green on or better than target; {rule}; Red otherwise{blue}."


DEFAULT_POLICY = RatingPolicy()


class _Inherit(Enum):
    INHERIT = "inherit"

    def __repr__(self) -> str:
        return "INHERIT"


#: "Use the council's setting" for effective_policy(blue_margin=...), where None means "Blue off".
INHERIT = _Inherit.INHERIT


def effective_policy(
    council: RatingPolicy,
    *,
    amber_tolerance: Decimal | float | None = None,
    tolerance_basis: ToleranceBasis | str | None = None,
    blue_margin: Decimal | float | None | _Inherit = INHERIT,
    use_intervention_levels: bool | None = None,
) -> RatingPolicy:
    """The council default with a KPI's own settings laid over it (the KPI's setting wins).

    None (INHERIT for blue_margin) means "inherit the council's setting"; blue_margin=None
    switches Blue off for this KPI. The result is validated like any RatingPolicy.
    """
    changes: dict[str, Any] = {}
    if amber_tolerance is not None:
        changes["amber_tolerance"] = amber_tolerance
    if tolerance_basis is not None:
        changes["tolerance_basis"] = tolerance_basis
    if blue_margin is not INHERIT:
        changes["blue_margin"] = blue_margin
    if use_intervention_levels is not None:
        changes["use_intervention_levels"] = use_intervention_levels
    return dataclasses.replace(council, **changes) if changes else council


_STATUS_RATINGS = {
    "suspended": Rating.SUSPENDED,
    "in_development": Rating.IN_DEVELOPMENT,
    "baseline": Rating.BASELINE,
    "contextual": Rating.CONTEXTUAL,
    "retired": Rating.NOT_REPORTED,
}
_STATUSES = frozenset(_STATUS_RATINGS) | {"live"}

#: Float comparisons allow one part in 10⁹ of the target (and of the limit); see module docstring.
_SLACK = 1e-9
_INF = math.inf
_GREEN = Rating.GREEN
_BLUE = Rating.BLUE
_AMBER = Rating.AMBER
_RED = Rating.RED
_NOT_REPORTED = Rating.NOT_REPORTED
_BASELINE = Rating.BASELINE


def rating_status(status: str, *, contextual: bool = False) -> str:
    """The status a KPI is rated by: its own status decides first (suspended, retired, in
    development, baseline, contextual); only a live KPI whose target kind is contextual (it has
    no target) is rated as contextual for that."""
    return "contextual" if contextual and status == "live" else status


def _status_rating(status: str) -> Rating:
    try:
        return _STATUS_RATINGS[status]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown KPI status {status!r}; expected one of {sorted(_STATUSES)}"
        ) from None


def _is_finite(x: Number) -> bool:
    if isinstance(x, Decimal):
        return x.is_finite()
    try:
        return math.isfinite(x)
    except OverflowError:  # an int too large for a float is still a finite number
        return True


def _bad_direction(direction: object) -> ValueError:
    return ValueError(f"direction must be 'higher' or 'lower', not {direction!r}")


def rate(
    value: Number | None,
    target: Number | None,
    *,
    direction: str,
    status: str = "live",
    intervention: Number | None = None,
    policy: RatingPolicy = DEFAULT_POLICY,
    not_available: bool = False,
) -> Rating:
    """Rate one value against its target.

    Decisions, in order: status (suspended, in_development, baseline, contextual; retired → not
    reported); value missing or not_available → NOT_REPORTED; target missing → BASELINE (tracked to
    inform target setting); on or better than target → GREEN (BLUE when better by more than the
    policy's blue margin); worse → AMBER within the intervention level (if the policy uses them and
    the KPI has one) or within the tolerance, else RED. A zero target on the relative basis makes
    any miss RED. See the module docstring for every edge case.
    """
    if status != "live":
        return _status_rating(status)
    if not_available or value is None:
        return _NOT_REPORTED
    if target is None:
        return _BASELINE if _is_finite(value) else _NOT_REPORTED
    if (
        value.__class__ is not float
        or target.__class__ is not float
        or (intervention is not None and intervention.__class__ is not float)
    ):
        if (
            value.__class__ is Decimal
            and target.__class__ is Decimal
            and (intervention is None or intervention.__class__ is Decimal)
        ):  # straight from DecimalFields: no conversion needed
            return _rate_decimal(value, target, direction, intervention, policy)
        return _rate_other(value, target, direction, intervention, policy)

    # Hot path: plain floats.
    if not -_INF < value < _INF:  # NaN or ±infinity
        return _NOT_REPORTED
    if not -_INF < target < _INF:
        return _BASELINE
    if direction == "higher":
        gap = value - target  # > 0 is better than target
    elif direction == "lower":
        gap = target - value
    else:
        raise _bad_direction(direction)
    abs_t = abs(target)
    slack_t = _SLACK * abs_t
    if gap >= -slack_t:
        blue = policy._blue_f
        if blue is None:
            return _GREEN
        limit = abs_t * blue if policy._relative else blue
        return _BLUE if gap > limit + slack_t + _SLACK * limit else _GREEN
    shortfall = -gap
    if policy.use_intervention_levels and intervention is not None and -_INF < intervention < _INF:
        limit = target - intervention if direction == "higher" else intervention - target
        return _AMBER if shortfall <= limit + slack_t + _SLACK * abs(limit) else _RED
    tol = policy._tol_f
    limit = abs_t * tol if policy._relative else tol
    return _AMBER if shortfall <= limit + slack_t + _SLACK * limit else _RED


def _rate_other(value, target, direction, intervention, policy) -> Rating:
    """Anything but all-float input: exact Decimal arithmetic, or floats via float()."""
    numbers = (value, target) if intervention is None else (value, target, intervention)
    exact = any(isinstance(x, Decimal) or (isinstance(x, int) and abs(x) > 2**53) for x in numbers)
    if not exact:
        try:
            value, target = float(value), float(target)
            intervention = None if intervention is None else float(intervention)
        except OverflowError:
            pass  # too big for a float: rate exactly instead
        else:
            return rate(
                value,
                target,
                direction=direction,
                intervention=intervention,
                policy=policy,
            )
    return _rate_decimal(
        _to_decimal(value),
        _to_decimal(target),
        direction,
        None if intervention is None else _to_decimal(intervention),
        policy,
    )


def _rate_decimal(
    value: Decimal,
    target: Decimal,
    direction: str,
    intervention: Decimal | None,
    policy: RatingPolicy,
) -> Rating:
    """Exact rating. Arithmetic goes through _DECIMAL_CONTEXT whatever the thread's context is;
    comparisons of finite Decimals are exact and need no context."""
    if not value.is_finite():
        return _NOT_REPORTED
    if not target.is_finite():
        return _BASELINE
    sub = _DECIMAL_CONTEXT.subtract
    if direction == "higher":
        gap = sub(value, target)
    elif direction == "lower":
        gap = sub(target, value)
    else:
        raise _bad_direction(direction)
    abs_t = target.copy_abs()
    if gap >= 0:
        blue = policy._blue_d
        if blue is None:
            return _GREEN
        limit = _DECIMAL_CONTEXT.multiply(abs_t, blue) if policy._relative else blue
        return _BLUE if gap > limit else _GREEN
    shortfall = gap.copy_negate()
    if policy.use_intervention_levels and intervention is not None and intervention.is_finite():
        limit = sub(target, intervention) if direction == "higher" else sub(intervention, target)
        return _AMBER if shortfall <= limit else _RED
    tol = policy._tol_d
    limit = _DECIMAL_CONTEXT.multiply(abs_t, tol) if policy._relative else tol
    return _AMBER if shortfall <= limit else _RED


#: Exact enough for any council figure (60 digits, unbounded exponent); never raises.
_DECIMAL_CONTEXT = Context(prec=60, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[])


# ---------------------------------------------------------------------------------------------
# Vectorised rating for bulk work (imports, whole-council scorecards, benchmarks).

_CODE_ORDER: tuple[Rating, ...] = tuple(Rating)
_CODE = {r: np.int8(i) for i, r in enumerate(_CODE_ORDER)}
_CODE_TO_RATING = np.array(_CODE_ORDER, dtype=object)


def _float_array(x: Any, n: int | None, name: str) -> np.ndarray:
    if x is None:
        arr = np.full(1 if n is None else n, np.nan)
    elif hasattr(x, "to_numpy"):  # pandas Series / Index, including nullable dtypes
        arr = x.to_numpy(dtype="float64", na_value=np.nan)
    else:
        arr = np.asarray(x, dtype="float64")
    if arr.ndim == 0:
        arr = np.full(1 if n is None else n, float(arr))
    if arr.ndim != 1 or (n is not None and len(arr) != n):
        raise ValueError(f"{name} must be a scalar or a 1-d sequence of the same length as values")
    return arr


def _str_array(x: Any, n: int, name: str) -> np.ndarray | str:
    if isinstance(x, str):
        return x
    arr = np.asarray(x, dtype=object)
    if arr.ndim != 1 or len(arr) != n:
        raise ValueError(f"{name} must be a string or a 1-d sequence of the same length as values")
    return arr


def rate_many(
    values: Any,
    targets: Any,
    *,
    direction: str | Sequence[str],
    status: str | Sequence[str] = "live",
    intervention: Any = None,
    policy: RatingPolicy | Sequence[RatingPolicy] = DEFAULT_POLICY,
    not_available: bool | Sequence[bool] | None = None,
) -> np.ndarray:
    """Rate many values at once with numpy; returns an object array of Rating.

    values, targets, intervention: scalars or 1-d sequences (lists, numpy arrays, pandas Series);
    None/NaN means missing. direction, status and policy may each be one value for all rows or one
    per row. Works in float64 (Decimals are converted) and agrees with rate() for float inputs.
    """
    v = _float_array(values, None, "values")
    n = len(v)
    t = _float_array(targets, n, "targets")
    i = _float_array(intervention, n, "intervention")

    direction_arr = _str_array(direction, n, "direction")
    if isinstance(direction_arr, str):
        if direction_arr not in ("higher", "lower"):
            raise _bad_direction(direction_arr)
        higher: np.ndarray | bool = direction_arr == "higher"
    else:
        higher = direction_arr == "higher"
        bad = ~(higher | (direction_arr == "lower"))
        if bad.any():
            raise _bad_direction(direction_arr[bad.argmax()])

    relative, tol, has_blue, blue, use_i = _policy_columns(policy, n)

    with np.errstate(over="ignore", invalid="ignore"):
        gap = np.where(higher, v - t, t - v)
        shortfall = -gap
        abs_t = np.abs(t)
        slack_t = _SLACK * abs_t
        on_target = gap >= -slack_t
        # Worse than target: within the tolerance, or the intervention level where used.
        limit = np.where(relative, abs_t * tol, tol)
        amber = shortfall <= limit + slack_t + _SLACK * limit
        use_i &= np.isfinite(i)
        if use_i.any():
            limit_i = np.where(higher, t - i, i - t)
            amber_i = shortfall <= limit_i + slack_t + _SLACK * np.abs(limit_i)
            amber = np.where(use_i, amber_i, amber)
        # Better than target by more than the blue margin.
        limit_b = np.where(relative, abs_t * blue, blue)
        is_blue = on_target & has_blue & (gap > limit_b + slack_t + _SLACK * limit_b)

    codes = np.where(
        on_target,
        np.where(is_blue, _CODE[Rating.BLUE], _CODE[Rating.GREEN]),
        np.where(amber, _CODE[Rating.AMBER], _CODE[Rating.RED]),
    ).astype(np.int8)
    codes[~np.isfinite(t)] = _CODE[Rating.BASELINE]
    missing = ~np.isfinite(v)
    if not_available is not None:
        na = np.asarray(not_available, dtype=bool)
        missing = missing | (na if na.ndim else np.full(n, bool(na)))
    codes[missing] = _CODE[Rating.NOT_REPORTED]

    status_arr = _str_array(status, n, "status")
    if isinstance(status_arr, str):
        if status_arr != "live":
            codes[:] = _CODE[_status_rating(status_arr)]
    else:
        for s_value in set(status_arr.tolist()):
            if s_value != "live":
                codes[status_arr == s_value] = _CODE[_status_rating(s_value)]
    return _CODE_TO_RATING[codes]


def _policy_columns(
    policy: RatingPolicy | Sequence[RatingPolicy], n: int
) -> tuple[np.ndarray, ...]:
    """The policy's settings as one column per setting, a row per value: (relative basis,
    tolerance, Blue on, Blue margin, intervention levels used). One row of settings per distinct
    policy, spread to every row (no per-group subsetting)."""
    if isinstance(policy, RatingPolicy):
        distinct, which = [policy], np.zeros(n, dtype=np.intp)
    else:
        import pandas as pd  # only this path needs it, and importing pandas takes about a second

        policies = list(policy)
        if len(policies) != n:
            raise ValueError("policy must be one RatingPolicy or one per value")
        ids = np.fromiter(map(id, policies), dtype=np.int64, count=n)
        which, unique_ids = pd.factorize(ids)
        by_id: dict[int, RatingPolicy] = {}
        for p in policies:  # stops as soon as every distinct policy has been seen
            if id(p) not in by_id:
                if not isinstance(p, RatingPolicy):
                    raise ValueError(f"not a RatingPolicy: {p!r}")
                by_id[id(p)] = p
                if len(by_id) == len(unique_ids):
                    break
        distinct = [by_id[k] for k in unique_ids.tolist()]
    return (
        np.array([p._relative for p in distinct], dtype=bool)[which],
        np.array([p._tol_f for p in distinct], dtype="float64")[which],
        np.array([p._blue_f is not None for p in distinct], dtype=bool)[which],
        np.array([p._blue_f or 0.0 for p in distinct], dtype="float64")[which],
        np.array([p.use_intervention_levels for p in distinct], dtype=bool)[which],
    )
