"""The data-quality query rule (no database): when a value is far enough from an earlier one."""

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from kpis.rating.quality import Basis, Earlier, findings

LAST = Earlier("2025/26 Q4", D(120))
LAST_YEAR = Earlier("2025/26 Q1", D(200))


def relative(value, *earlier, threshold="50", small_base="0"):
    return findings(
        D(value),
        earlier,
        threshold=None if threshold is None else D(threshold),
        basis=Basis.RELATIVE,
        small_base=D(small_base),
    )


def test_a_value_within_the_threshold_is_not_queried():
    assert relative("150", LAST) == []  # 25% higher
    assert relative("70", LAST) == []  # 41.7% lower


def test_exactly_at_the_threshold_is_inside_it():
    assert relative("180", LAST) == []  # 50% higher: "more than 50%" is not met
    assert relative("60", LAST) == []


def test_a_value_beyond_it_is_queried_with_the_change_as_a_per_cent_of_the_earlier_value():
    [finding] = relative("336", LAST)
    assert finding.earlier == LAST
    assert finding.difference == D(216)
    assert finding.percent == D(180)
    assert finding.higher
    [lower] = relative("30", LAST)
    assert lower.percent == D(-75) and not lower.higher


def test_each_comparison_outside_the_threshold_is_a_finding_in_the_order_given():
    both = relative("400", LAST, LAST_YEAR)
    assert [f.earlier.label for f in both] == ["2025/26 Q4", "2025/26 Q1"]
    # Inside against last year (+25%) but outside against last period (+150%).
    only_last = relative("250", LAST, LAST_YEAR)
    assert [f.earlier.label for f in only_last] == ["2025/26 Q4"]


def test_the_threshold_is_the_kpis_or_the_councils_and_none_queries_nothing():
    assert relative("200", LAST, threshold="100") == []
    assert relative("200", LAST, threshold="60") != []
    assert relative("100000", LAST, threshold=None) == []


def test_a_change_from_zero_has_no_percentage_and_is_always_queried():
    zero = Earlier("2025/26 Q4", D(0))
    [finding] = relative("12", zero)
    assert finding.percent is None and finding.difference == D(12)
    assert relative("0", zero) == []


def test_a_small_base_counts_as_the_small_base():
    two = Earlier("2025/26 Q4", D(2))
    assert relative("4", two, small_base="10") == []  # a change of 2 against 10: 20%
    assert relative("0", two, small_base="10") == []
    [finding] = relative("12", two, small_base="10")  # a change of 10 against 10: 100%
    assert finding.percent == D(500)  # the message still tells the true change
    zero = Earlier("2025/26 Q4", D(0))
    assert relative("5", zero, small_base="10") == []
    assert relative("6", zero, small_base="10")[0].percent is None
    # A base above the small base is itself.
    assert relative("16", Earlier("Q", D(10)), small_base="10") != []


def test_a_negative_base_is_measured_by_its_size():
    [finding] = relative("-30", Earlier("Q", D(-10)))
    assert finding.percent == D(-200) and not finding.higher


def test_percentages_are_compared_in_points():
    earlier = [Earlier("2025/26 Q4", D("72.5"))]
    assert findings(D("60"), earlier, threshold=D(20), basis=Basis.POINTS) == []
    assert findings(D("52.5"), earlier, threshold=D(20), basis=Basis.POINTS) == []
    [finding] = findings(D("40"), earlier, threshold=D(20), basis=Basis.POINTS)
    assert finding.difference == D("-32.5") and finding.percent is None
    # A percentage from zero is an ordinary difference in points.
    zero = [Earlier("Q", D(0))]
    assert findings(D("15"), zero, threshold=D(20), basis=Basis.POINTS) == []


amounts = st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False)


@given(value=amounts, base=amounts, threshold=st.integers(min_value=0, max_value=500))
def test_a_finding_is_exactly_a_change_beyond_the_threshold(value, base, threshold):
    found = relative(str(value), Earlier("Q", base), threshold=str(threshold))
    if base == 0:
        assert bool(found) == (value != 0)
    else:
        assert bool(found) == (abs(value - base) / abs(base) * 100 > threshold)
