"""The rating engine: every edge case, plus property tests (no database)."""

import math
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kpis.rating import (
    DEFAULT_POLICY,
    INHERIT,
    PERFORMANCE_RATINGS,
    SUMMARY_ORDER,
    Rating,
    RatingPolicy,
    ToleranceBasis,
    effective_policy,
    rate,
    rate_many,
)

BLUE, GREEN, AMBER, RED = Rating.BLUE, Rating.GREEN, Rating.AMBER, Rating.RED
ABSOLUTE = ToleranceBasis.ABSOLUTE
HDC = RatingPolicy(use_intervention_levels=True)


# --- the enums ------------------------------------------------------------------------------


def test_rating_values_are_lower_case_slugs_with_labels():
    assert [r.value for r in Rating] == [
        "blue",
        "green",
        "amber",
        "red",
        "baseline",
        "contextual",
        "in_development",
        "suspended",
        "not_reported",
    ]
    assert Rating.IN_DEVELOPMENT.label == "In development"
    assert Rating.NOT_REPORTED.label == "Not reported"
    assert Rating.BLUE.label == "Blue"
    assert Rating("amber") is AMBER
    assert AMBER == "amber"


def test_summary_order_is_the_2022_report_table():
    assert [r.label for r in SUMMARY_ORDER] == [
        "Blue",
        "Green",
        "Amber",
        "Red",
        "Contextual",
        "Baseline",
        "In development",
        "Suspended",
    ]


def test_severity_orders_performance_ratings_best_to_worst():
    assert [r.severity for r in PERFORMANCE_RATINGS] == [0, 1, 2, 3]
    assert RED.is_worse_than(AMBER) and AMBER.is_worse_than(GREEN) and GREEN.is_worse_than(BLUE)
    assert not GREEN.is_worse_than(GREEN)
    assert Rating.BASELINE.severity is None and not Rating.BASELINE.is_performance
    with pytest.raises(ValueError):
        RED.is_worse_than(Rating.SUSPENDED)


def test_tolerance_basis_values():
    assert ToleranceBasis("relative") is ToleranceBasis.RELATIVE
    assert ABSOLUTE.value == "absolute"
    assert "percentage points" in ABSOLUTE.label


# --- the CCC rule: 10% relative -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "target", "direction", "expected"),
    [
        (100, 100, "higher", GREEN),  # exactly on target
        (120, 100, "higher", GREEN),  # exceeding
        (90, 100, "higher", AMBER),  # exactly 10% off: "10% or less"
        (89.99, 100, "higher", RED),  # just over 10% off
        (99.99, 100, "higher", AMBER),
        (100, 100, "lower", GREEN),
        (80, 100, "lower", GREEN),  # lower is better: below target is good
        (110, 100, "lower", AMBER),  # exactly 10% above a lower-is-better target
        (110.01, 100, "lower", RED),
        (1.1, 1.0, "lower", AMBER),  # 1.1 - 1.0 is 0.10000000000000009 in binary
        (0.9, 1.0, "higher", AMBER),
        (0.3, 0.1 + 0.2, "higher", GREEN),  # 0.1 + 0.2 is 0.30000000000000004
        (D("90"), D("100"), "higher", AMBER),
        (D("89.999999999"), D("100"), "higher", RED),  # Decimals are exact
        (D("1.1"), 1.0, "lower", AMBER),  # a Decimal with a float
        (D("1.1000000001"), 1.0, "lower", RED),
        (90, 100.0, "higher", AMBER),  # ints
        (np.float64(90), np.int64(100), "higher", AMBER),  # numpy scalars
    ],
)
def test_relative_tolerance(value, target, direction, expected):
    assert rate(value, target, direction=direction) is expected


@pytest.mark.parametrize(
    ("value", "target", "direction", "expected"),
    [
        (-5.5, -5, "higher", AMBER),  # 0.5 short of |-5| = 10%
        (-5.51, -5, "higher", RED),
        (-4, -5, "higher", GREEN),
        (-4.5, -5, "lower", AMBER),  # lower is better: -4.5 is above -5, 10% of |-5|
        (-4.4, -5, "lower", RED),
        (-6, -5, "lower", GREEN),
        (-1, 10, "higher", RED),  # a negative value against a positive target
        (9, 10, "higher", AMBER),
        (D("-5.5"), D("-5"), "higher", AMBER),
        (D("-5.5000001"), D("-5"), "higher", RED),
    ],
)
def test_negative_values_and_targets_use_the_size_of_the_target(value, target, direction, expected):
    assert rate(value, target, direction=direction) is expected


@pytest.mark.parametrize("zero", [0, 0.0, -0.0, D("0"), D("-0.00")])
def test_a_zero_target_on_the_relative_basis_makes_any_miss_red(zero):
    assert rate(0, zero, direction="lower") is GREEN
    assert rate(1e-9, zero, direction="lower") is RED
    assert rate(1, zero, direction="lower") is RED
    assert rate(-1, zero, direction="lower") is GREEN
    assert rate(-0.001, zero, direction="higher") is RED
    assert rate(5, zero, direction="higher") is GREEN
    blue = RatingPolicy(blue_margin=50)
    assert rate(0.001, zero, direction="higher", policy=blue) is BLUE  # unboundedly better
    assert rate(0, zero, direction="higher", policy=blue) is GREEN


def test_a_zero_target_has_amber_headroom_with_an_absolute_tolerance_or_intervention_level():
    absolute = RatingPolicy(amber_tolerance=2, tolerance_basis=ABSOLUTE)
    assert rate(2, 0, direction="lower", policy=absolute) is AMBER
    assert rate(3, 0, direction="lower", policy=absolute) is RED
    assert rate(2, 0, direction="lower", intervention=2, policy=HDC) is AMBER
    assert rate(3, 0, direction="lower", intervention=2, policy=HDC) is RED


def test_a_target_approaching_zero_does_not_change_the_rating_with_a_jump():
    for target in (0.1, 0.01, 0.0001, 0.0):
        assert rate(1, target, direction="lower") is RED


# --- absolute basis ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "target", "direction", "expected"),
    [
        (75, 80, "higher", AMBER),  # 5 percentage points short, tolerance 5
        (74.99, 80, "higher", RED),
        (80, 80, "higher", GREEN),
        (85, 80, "lower", AMBER),
        (85.01, 80, "lower", RED),
        (-5, 0, "higher", AMBER),  # zero target: absolute units need no denominator
        (0.15, 0.1, "lower", AMBER),  # 0.05 units over, within 5 units
        (D("74.999"), D("80"), "higher", RED),
    ],
)
def test_absolute_tolerance(value, target, direction, expected):
    policy = RatingPolicy(amber_tolerance=5, tolerance_basis=ABSOLUTE)
    assert rate(value, target, direction=direction, policy=policy) is expected


def test_absolute_and_relative_differ_on_the_same_figures():
    # 70% against 80%: 10 points off, but 12.5% of the target.
    assert rate(70, 80, direction="higher") is RED
    points = RatingPolicy(amber_tolerance=10, tolerance_basis="absolute")
    assert rate(70, 80, direction="higher", policy=points) is AMBER


def test_absolute_tolerance_with_binary_fractions_is_exact_at_the_boundary():
    policy = RatingPolicy(amber_tolerance=0.1, tolerance_basis=ABSOLUTE)
    assert rate(1.1, 1.0, direction="lower", policy=policy) is AMBER
    assert rate(1.1001, 1.0, direction="lower", policy=policy) is RED
    assert rate(1000000.1, 1000000.0, direction="lower", policy=policy) is AMBER


def test_zero_tolerance_means_any_miss_is_red():
    policy = RatingPolicy(amber_tolerance=0)
    assert rate(100, 100, direction="higher", policy=policy) is GREEN
    assert rate(99.999, 100, direction="higher", policy=policy) is RED


# --- blue ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "value", "expected"),
    [
        (DEFAULT_POLICY, 200, GREEN),  # Blue off by default
        (RatingPolicy(blue_margin=5), 105, GREEN),  # exactly at the margin: not *more* than
        (RatingPolicy(blue_margin=5), 105.01, BLUE),
        (RatingPolicy(blue_margin=5), 100, GREEN),
        (RatingPolicy(blue_margin=5), 95, AMBER),
        (RatingPolicy(blue_margin=0), 100, GREEN),  # margin 0: any improvement is Blue
        (RatingPolicy(blue_margin=0), 100.001, BLUE),
        (RatingPolicy(blue_margin=2, tolerance_basis=ABSOLUTE), 102, GREEN),
        (RatingPolicy(blue_margin=2, tolerance_basis=ABSOLUTE), 102.5, BLUE),
        (RatingPolicy(blue_margin=D("5")), D("105"), GREEN),
        (RatingPolicy(blue_margin=D("5")), D("105.0000001"), BLUE),
    ],
)
def test_blue_margin(policy, value, expected):
    assert rate(value, 100, direction="higher", policy=policy) is expected


def test_blue_respects_direction_and_binary_fractions():
    policy = RatingPolicy(blue_margin=10)
    assert rate(0.9, 1.0, direction="lower", policy=policy) is GREEN  # exactly 10% better
    assert rate(0.89, 1.0, direction="lower", policy=policy) is BLUE
    assert rate(1.11, 1.0, direction="lower", policy=policy) is RED


# --- intervention levels (HDC) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "direction", "target", "intervention", "expected"),
    [
        (95, "higher", 95, 90, GREEN),
        (92, "higher", 95, 90, AMBER),
        (90, "higher", 95, 90, AMBER),  # exactly at the intervention level
        (89.99, "higher", 95, 90, RED),
        (5, "lower", 5, 8, GREEN),
        (8, "lower", 5, 8, AMBER),  # exactly at the intervention level
        (8.01, "lower", 5, 8, RED),
        (50, "higher", 100, 40, AMBER),  # wide band: 50% off but above intervention
        (99, "higher", 100, 100, RED),  # intervention = target: no Amber band
        (99, "higher", 100, 105, RED),  # intervention on the wrong side: no Amber band
        (0.3, "higher", 0.5, 0.1 + 0.2, AMBER),  # binary fraction exactly at the level
        (D("90"), "higher", D("95"), D("90"), AMBER),
        (D("89.9999"), "higher", D("95"), D("90"), RED),
        (D("8"), "lower", 5, 8.0, AMBER),
    ],
)
def test_intervention_levels(value, direction, target, intervention, expected):
    got = rate(value, target, direction=direction, intervention=intervention, policy=HDC)
    assert got is expected


@pytest.mark.parametrize("missing", [None, math.nan, math.inf, D("NaN")])
def test_missing_intervention_level_falls_back_to_the_tolerance(missing):
    assert rate(91, 100, direction="higher", intervention=missing, policy=HDC) is AMBER
    assert rate(89, 100, direction="higher", intervention=missing, policy=HDC) is RED


def test_intervention_levels_are_ignored_unless_the_policy_uses_them():
    assert rate(50, 100, direction="higher", intervention=40) is RED
    assert rate(50, 100, direction="higher", intervention=40, policy=HDC) is AMBER


def test_intervention_levels_and_blue_together():
    policy = RatingPolicy(use_intervention_levels=True, blue_margin=10)
    assert rate(111, 100, direction="higher", intervention=80, policy=policy) is BLUE
    assert rate(85, 100, direction="higher", intervention=80, policy=policy) is AMBER


# --- statuses and missing data -------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("suspended", Rating.SUSPENDED),
        ("in_development", Rating.IN_DEVELOPMENT),
        ("baseline", Rating.BASELINE),
        ("contextual", Rating.CONTEXTUAL),
        ("retired", Rating.NOT_REPORTED),
    ],
)
def test_statuses_carry_no_performance_rating(status, expected):
    # The status decides even with a value far off target, or no value, or no target.
    assert rate(1, 100, direction="higher", status=status) is expected
    assert rate(None, None, direction="higher", status=status) is expected
    assert rate(1, 100, direction="higher", status=status, not_available=True) is expected


def test_status_accepts_the_register_choices():
    from enum import StrEnum

    class Status(StrEnum):  # stands in for Kpi.Status (a str subclass) without Django
        LIVE = "live"
        SUSPENDED = "suspended"

    assert rate(100, 100, direction="higher", status=Status.LIVE) is GREEN
    assert rate(100, 100, direction="higher", status=Status.SUSPENDED) is Rating.SUSPENDED


def test_unknown_status_or_direction_is_a_programming_error():
    with pytest.raises(ValueError, match="status"):
        rate(1, 1, direction="higher", status="archived")
    with pytest.raises(ValueError, match="direction"):
        rate(1.0, 1.0, direction="up")
    with pytest.raises(ValueError, match="direction"):
        rate(D(1), D(1), direction="up")


@pytest.mark.parametrize("value", [None, math.nan, math.inf, -math.inf, D("NaN"), D("-Infinity")])
def test_missing_value_is_not_reported(value):
    assert rate(value, 100, direction="higher") is Rating.NOT_REPORTED
    assert rate(value, None, direction="higher") is Rating.NOT_REPORTED  # value checked first


def test_not_available_is_not_reported_even_with_a_value():
    assert rate(100, 100, direction="higher", not_available=True) is Rating.NOT_REPORTED


@pytest.mark.parametrize("target", [None, math.nan, math.inf, D("NaN")])
def test_a_live_kpi_without_a_target_is_baseline(target):
    assert rate(42, target, direction="higher") is Rating.BASELINE


# --- policies ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"amber_tolerance": -1},
        {"amber_tolerance": D("-0.1")},
        {"amber_tolerance": math.nan},
        {"amber_tolerance": math.inf},
        {"amber_tolerance": "10"},
        {"blue_margin": -0.5},
        {"blue_margin": D("NaN")},
        {"tolerance_basis": "points"},
        {"use_intervention_levels": "yes"},
    ],
)
def test_invalid_policy_is_refused(kwargs):
    with pytest.raises(ValueError):
        RatingPolicy(**kwargs)


def test_policy_is_frozen_hashable_and_described():
    policy = RatingPolicy(amber_tolerance=5, tolerance_basis="absolute", blue_margin=2)
    assert policy.tolerance_basis is ABSOLUTE
    assert policy == RatingPolicy(amber_tolerance=5, tolerance_basis=ABSOLUTE, blue_margin=2)
    assert hash(policy) == hash(
        RatingPolicy(amber_tolerance=5, tolerance_basis=ABSOLUTE, blue_margin=2)
    )
    with pytest.raises(AttributeError):
        policy.amber_tolerance = 10
    assert "_tol_f" not in repr(policy)
    assert "Blue when better than target by more than 2" in policy.describe()
    assert "intervention level" in HDC.describe()


def test_a_kpis_own_setting_beats_the_council_default():
    council = RatingPolicy(amber_tolerance=10, blue_margin=5)
    assert effective_policy(council) is council  # nothing overridden
    own = effective_policy(council, amber_tolerance=20)
    assert own == RatingPolicy(amber_tolerance=20, blue_margin=5)
    assert rate(85, 100, direction="higher", policy=council) is RED
    assert rate(85, 100, direction="higher", policy=own) is AMBER

    points = effective_policy(council, tolerance_basis="absolute", amber_tolerance=2)
    assert points.tolerance_basis is ABSOLUTE and points.blue_margin == 5
    assert rate(98, 100, direction="higher", policy=points) is AMBER

    no_blue = effective_policy(council, blue_margin=None)  # None switches Blue off
    assert no_blue.blue_margin is None
    assert rate(200, 100, direction="higher", policy=no_blue) is GREEN
    assert effective_policy(council, blue_margin=INHERIT).blue_margin == 5

    hdc_kpi = effective_policy(council, use_intervention_levels=True)
    assert rate(60, 100, direction="higher", intervention=50, policy=hdc_kpi) is AMBER
    assert effective_policy(hdc_kpi, use_intervention_levels=False).use_intervention_levels is False

    with pytest.raises(ValueError):
        effective_policy(council, amber_tolerance=-3)


def test_the_modules_import_no_django():
    code = (
        "import sys, kpis.rating, kpis.rating.trends;"
        "print(any(m.startswith('django') for m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert out.stdout.strip() == "False"


# --- properties ----------------------------------------------------------------------------

finite_floats = st.floats(allow_nan=False, allow_infinity=False)
everyday_floats = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False).map(
    lambda x: round(x, 3)
)
decimals = st.decimals(min_value=-(10**9), max_value=10**9, places=3, allow_nan=False)
any_decimals = st.decimals(allow_nan=False, allow_infinity=False)
amounts = st.one_of(
    st.sampled_from([0, 5, 10, 12.5, 100]),
    st.floats(min_value=0, max_value=1000, allow_nan=False),
    st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False),
)
policies = st.builds(
    RatingPolicy,
    amber_tolerance=amounts,
    tolerance_basis=st.sampled_from(list(ToleranceBasis)),
    blue_margin=st.one_of(st.none(), amounts),
    use_intervention_levels=st.booleans(),
)
directions = st.sampled_from(["higher", "lower"])
targets_with_edges = st.one_of(
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 100.0, -100.0]), everyday_floats
)


def _better_or_equal(a, b, direction):
    """(worse, better) ordering of two values in the direction for improvement."""
    return (min(a, b), max(a, b)) if direction == "higher" else (max(a, b), min(a, b))


@settings(max_examples=1500)
@given(
    a=st.one_of(finite_floats, everyday_floats),
    b=st.one_of(finite_floats, everyday_floats),
    target=st.one_of(targets_with_edges, finite_floats),
    intervention=st.one_of(st.none(), finite_floats, everyday_floats),
    direction=directions,
    policy=policies,
)
@example(
    a=89.99, b=90.0, target=100.0, intervention=None, direction="higher", policy=DEFAULT_POLICY
)
@example(a=1e-300, b=0.0, target=0.0, intervention=None, direction="lower", policy=DEFAULT_POLICY)
def test_monotonic_floats(a, b, target, intervention, direction, policy):
    worse, better = _better_or_equal(a, b, direction)
    kw = {"direction": direction, "intervention": intervention, "policy": policy}
    assert rate(better, target, **kw).severity <= rate(worse, target, **kw).severity


@settings(max_examples=800)
@given(
    a=decimals,
    b=decimals,
    target=st.one_of(st.sampled_from([D(0), D(-1), D(100)]), decimals),
    intervention=st.one_of(st.none(), decimals),
    direction=directions,
    policy=policies,
)
def test_monotonic_decimals(a, b, target, intervention, direction, policy):
    worse, better = _better_or_equal(a, b, direction)
    kw = {"direction": direction, "intervention": intervention, "policy": policy}
    assert rate(better, target, **kw).severity <= rate(worse, target, **kw).severity


@settings(max_examples=800)
@given(
    value=st.one_of(finite_floats, any_decimals, st.integers(), st.none()),
    target=st.one_of(finite_floats, any_decimals, st.integers(), st.none()),
    intervention=st.one_of(finite_floats, any_decimals, st.integers(), st.none()),
    direction=directions,
    policy=policies,
    not_available=st.booleans(),
)
def test_rate_never_raises_for_numbers(
    value, target, intervention, direction, policy, not_available
):
    got = rate(
        value,
        target,
        direction=direction,
        intervention=intervention,
        policy=policy,
        not_available=not_available,
    )
    assert isinstance(got, Rating)
    if not not_available and value is not None and target is not None:
        assert got.is_performance


two_dp = st.integers(min_value=-100_000, max_value=100_000).map(lambda n: n / 100)
whole_amounts = st.one_of(st.none(), st.integers(min_value=0, max_value=100))


@settings(max_examples=1000)
@given(
    value=two_dp,
    target=st.one_of(st.just(0.0), two_dp),
    intervention=st.one_of(st.none(), two_dp),
    direction=directions,
    tolerance=st.integers(min_value=0, max_value=100),
    basis=st.sampled_from(list(ToleranceBasis)),
    blue=whole_amounts,
    use_intervention_levels=st.booleans(),
)
@example(1.1, 1.0, None, "lower", 10, ToleranceBasis.RELATIVE, None, False)
@example(0.9, 1.0, None, "lower", 0, ToleranceBasis.RELATIVE, 10, False)
def test_floats_give_the_exact_decimal_rating_for_figures_as_councils_record_them(
    value, target, intervention, direction, tolerance, basis, blue, use_intervention_levels
):
    """For 2-dp figures the float slack never decides: float and exact Decimal ratings agree."""
    policy = RatingPolicy(tolerance, basis, blue, use_intervention_levels)
    as_float = rate(value, target, direction=direction, intervention=intervention, policy=policy)
    as_decimal = rate(
        D(repr(value)),
        D(repr(target)),
        direction=direction,
        intervention=None if intervention is None else D(repr(intervention)),
        policy=policy,
    )
    assert as_float is as_decimal


row = st.tuples(
    st.one_of(finite_floats, everyday_floats, st.just(math.nan)),
    st.one_of(targets_with_edges, finite_floats, st.just(math.nan)),
    st.one_of(everyday_floats, st.just(math.nan)),
    directions,
    st.sampled_from(["live", "live", "live", "baseline", "suspended", "retired"]),
    st.booleans(),
)


@settings(max_examples=300)
@given(rows=st.lists(row, max_size=40), policy_list=st.lists(policies, min_size=1, max_size=3))
def test_rate_many_agrees_with_rate(rows, policy_list):
    values = [r[0] for r in rows]
    targets = [r[1] for r in rows]
    interventions = [r[2] for r in rows]
    dirs = [r[3] for r in rows]
    statuses = [r[4] for r in rows]
    na = [r[5] for r in rows]
    per_row = [policy_list[k % len(policy_list)] for k in range(len(rows))]
    many = rate_many(
        values,
        targets,
        direction=dirs,
        status=statuses,
        intervention=interventions,
        policy=per_row,
        not_available=na,
    )
    one_by_one = [
        rate(
            r[0],
            None if math.isnan(r[1]) else r[1],
            direction=r[3],
            status=r[4],
            intervention=None if math.isnan(r[2]) else r[2],
            policy=p,
            not_available=r[5],
        )
        for r, p in zip(rows, per_row, strict=True)
    ]
    assert len(many) == len(one_by_one)
    assert all(a is b for a, b in zip(many, one_by_one, strict=True))


def test_rate_many_accepts_scalars_pandas_and_none():
    values = pd.Series([90.0, None, 120.0, 50.0], dtype="Float64")
    got = rate_many(values, 100, direction="higher", intervention=None, policy=HDC)
    assert list(got) == [AMBER, Rating.NOT_REPORTED, GREEN, RED]
    got = rate_many([D("1.1"), None], [D("1.0"), None], direction="lower")
    assert list(got) == [AMBER, Rating.NOT_REPORTED]
    got = rate_many([1.0, 2.0], [None, 1.0], direction=["higher", "lower"], status="live")
    assert list(got) == [Rating.BASELINE, RED]
    assert list(rate_many([1.0], 1.0, direction="higher", status="contextual")) == [
        Rating.CONTEXTUAL
    ]
    assert list(rate_many([1.0], 1.0, direction="higher", not_available=True)) == [
        Rating.NOT_REPORTED
    ]
    assert len(rate_many([], [], direction="higher")) == 0


def test_rate_many_refuses_bad_input():
    with pytest.raises(ValueError, match="direction"):
        rate_many([1.0], [1.0], direction="up")
    with pytest.raises(ValueError, match="direction"):
        rate_many([1.0, 2.0], [1.0, 1.0], direction=["higher", "sideways"])
    with pytest.raises(ValueError, match="status"):
        rate_many([1.0], [1.0], direction="higher", status=["archived"])
    with pytest.raises(ValueError, match="same length"):
        rate_many([1.0, 2.0], [1.0], direction="higher")
    with pytest.raises(ValueError, match="policy"):
        rate_many([1.0, 2.0], [1.0, 1.0], direction="higher", policy=[DEFAULT_POLICY])
    with pytest.raises(ValueError, match="RatingPolicy"):
        rate_many([1.0, 2.0], [1.0, 1.0], direction="higher", policy=[DEFAULT_POLICY, "x"])


def test_rate_many_agrees_with_rate_on_a_large_random_sample():
    rng = np.random.default_rng(7)
    n = 100_000
    values = rng.uniform(-50, 150, n)
    targets = rng.choice([0.0, 50.0, 100.0, -20.0], n)
    dirs = rng.choice(np.array(["higher", "lower"], dtype=object), n)
    many = rate_many(values, targets, direction=dirs, policy=RatingPolicy(blue_margin=5))
    assert len(many) == n
    sample = rng.integers(0, n, 2000)
    assert all(
        many[k]
        is rate(
            float(values[k]),
            float(targets[k]),
            direction=dirs[k],
            policy=RatingPolicy(blue_margin=5),
        )
        for k in sample
    )


@settings(max_examples=1500)
@given(data=st.data(), target=targets_with_edges, direction=directions, policy=policies)
def test_monotonic_at_the_boundaries(data, target, direction, policy):
    """Values a few ulps either side of each threshold (on target, Amber limit, Blue margin)."""
    sign = 1 if direction == "higher" else -1
    tol = float(policy.amber_tolerance)
    blue = float(policy.blue_margin or 0)
    scale = abs(target) / 100 if policy.tolerance_basis is ToleranceBasis.RELATIVE else 1.0
    edges = [target, target - sign * tol * scale, target + sign * blue * scale]
    intervention = data.draw(st.one_of(st.none(), st.sampled_from(edges), everyday_floats))
    if intervention is not None:
        edges.append(intervention)

    def near_edge():
        return st.builds(
            lambda edge, steps: _nudge(edge, steps),
            st.sampled_from(edges),
            st.integers(min_value=-3, max_value=3),
        )

    a, b = data.draw(near_edge()), data.draw(near_edge())
    worse, better = _better_or_equal(a, b, direction)
    kw = {"direction": direction, "intervention": intervention, "policy": policy}
    assert rate(better, target, **kw).severity <= rate(worse, target, **kw).severity
    many = rate_many(
        [worse, better], target, direction=direction, intervention=intervention, policy=policy
    )
    assert list(many) == [rate(worse, target, **kw), rate(better, target, **kw)]


def _nudge(x: float, steps: int) -> float:
    for _ in range(abs(steps)):
        x = math.nextafter(x, math.inf if steps > 0 else -math.inf)
    return x


def test_decimal_rating_ignores_the_threads_decimal_context():
    from decimal import FloatOperation, Inexact, Overflow, Rounded, localcontext

    with localcontext(prec=3) as ctx:
        for signal in (FloatOperation, Inexact, Overflow, Rounded):
            ctx.traps[signal] = True
        assert rate(D("1.1"), 1.0, direction="lower") is AMBER
        assert rate(D("1000.01"), D("1000.02"), direction="higher") is AMBER
        assert rate(D("1000.02"), D("1000.01"), direction="higher") is GREEN
        assert rate(D("9E+999999"), D("-9E+999999"), direction="higher") is GREEN
        policy = RatingPolicy(amber_tolerance=150)
        assert rate(D("-9E+999999"), D("9E+999999"), direction="higher", policy=policy) is RED
