"""Data-quality queries: is a value far enough from the KPI's earlier values to ask its officer to
check it before it is submitted? Pure Python: plain numbers in, findings out.

The rule (each part is tested in kpis/rating/tests/test_quality.py):

* A value is compared with each earlier value it is given (the entry page gives the last
  period's and the same period's last year). It is queried when it is outside the threshold
  against any one of them; each comparison outside it is a `Finding`.
* POINTS (percentage KPIs): the difference in percentage points. Outside when
  |value − earlier| > threshold: 40% after 72.5% is 32.5 points lower.
* RELATIVE (every other unit): the difference as a per cent of the earlier value. Outside when
  |value − earlier| > threshold / 100 × |earlier|: 336 after 120 is 180% higher.
* Small and zero bases: a relative change from a small number says little (a count going from
  2 to 4 doubles), so the earlier value counts as at least `small_base` in the test (10 for
  counts: 2 → 4 is not queried, 2 → 12 is). A zero base with no small base has no percentage:
  any change from 0 is outside, and the finding gives the difference instead.
* Exactly at the threshold is inside it: "a change of more than 50%".
* No threshold (None) queries nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

HUNDRED = Decimal(100)


class Basis(enum.StrEnum):
    RELATIVE = "relative"  # per cent of the earlier value
    POINTS = "points"  # percentage points, for percentage KPIs


@dataclass(frozen=True, slots=True)
class Earlier:
    """An earlier value to compare with, and what it is (a period's label)."""

    label: str
    value: Decimal


@dataclass(frozen=True, slots=True)
class Finding:
    """A comparison the value is outside the threshold against."""

    earlier: Earlier
    difference: Decimal  # value − earlier (points for a percentage KPI)
    percent: Decimal | None  # the change as a per cent of the earlier value; None for points or 0

    @property
    def higher(self) -> bool:
        return self.difference > 0


def findings(
    value: Decimal,
    earlier: Iterable[Earlier],
    *,
    threshold: Decimal | None,
    basis: Basis,
    small_base: Decimal = Decimal(0),
) -> list[Finding]:
    """The comparisons `value` is outside `threshold` against, in the order given."""
    if threshold is None:
        return []
    found = []
    for before in earlier:
        difference = value - before.value
        if not _outside(difference, before.value, threshold, basis, small_base):
            continue
        percent = None
        if basis is Basis.RELATIVE and before.value != 0:
            percent = difference / abs(before.value) * HUNDRED
        found.append(Finding(before, difference, percent))
    return found


def _outside(
    difference: Decimal, base: Decimal, threshold: Decimal, basis: Basis, small_base: Decimal
) -> bool:
    if difference == 0:
        return False
    if basis is Basis.POINTS:
        return abs(difference) > threshold
    base = max(abs(base), small_base)
    if base == 0:
        return True
    return abs(difference) * HUNDRED > threshold * base
