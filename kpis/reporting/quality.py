"""Data-quality queries at entry: a value far from the KPI's last period, or from the same period
last year, is queried when it is submitted, and its officer confirms it and explains it.

The rule itself is `kpis.rating.quality` (pure). This part says which threshold applies to a KPI
(its own, else the council's RAG policy), which earlier values it is compared with, and how a
query reads: "This is 180% higher than 2025/26 Q4 (120)." Every figure in it is written by the
one formatter (`Kpi.value_text`, `pmf.formatting`).

Which earlier values: the KPI's value for the period before (not for a year-to-date KPI, whose
value grows through the year and starts again in April) and for the same period last year (for
an annual KPI the two are one). Only reported values count, submitted or approved, with a
number: a draft is not yet a value to compare with.
"""

from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from kpis.rating import quality
from kpis.register.models import Kpi, unit_style
from kpis.reporting.models import Measurement, RagPolicy, ReportingPeriod
from kpis.reporting.periods import previous_key
from pmf.formatting import PERCENTAGE_POINTS, format_value

# A count below this is compared as if it were this (kpis.rating.quality: small bases).
SMALL_COUNT = Decimal(10)
PeriodKey = tuple[str, int, int]


def rule_for(kpi: Kpi, council: RagPolicy) -> tuple[Decimal | None, quality.Basis, Decimal]:
    """(threshold, basis, small base): the KPI's own threshold where it has one, else the
    council's for its unit; percentages in points."""
    if kpi.unit == Kpi.Unit.PERCENT:
        basis, council_threshold = quality.Basis.POINTS, council.query_change_points
    else:
        basis, council_threshold = quality.Basis.RELATIVE, council.query_change_percent
    threshold = kpi.query_threshold if kpi.query_threshold is not None else council_threshold
    small_base = SMALL_COUNT if kpi.unit == Kpi.Unit.COUNT else Decimal(0)
    return threshold, basis, small_base


def comparison_keys(kpi: Kpi, period: ReportingPeriod) -> list[PeriodKey]:
    """The periods a value is compared with: the one before (not for year-to-date values) and
    the same one last year."""
    keys = []
    if kpi.value_basis != Kpi.ValueBasis.YEAR_TO_DATE:
        keys.append(previous_key(period.kind, period.financial_year, period.number))
    last_year = (period.kind, period.financial_year - 1, period.number)
    if last_year not in keys:
        keys.append(last_year)
    return keys


def earlier_values(
    pairs: Iterable[tuple[Kpi, ReportingPeriod]],
) -> dict[tuple[int, int], list[quality.Earlier]]:
    """Each (KPI, period)'s earlier values to compare with, keyed by their ids (one query)."""
    pairs = list(pairs)
    keys = {key for kpi, period in pairs for key in comparison_keys(kpi, period)}
    if not keys:
        return {}
    condition = Q()
    for kind, year, number in keys:
        condition |= Q(period__kind=kind, period__financial_year=year, period__number=number)
    rows = (
        Measurement.objects.reported()
        .filter(condition, kpi_id__in={kpi.pk for kpi, _ in pairs}, value__isnull=False)
        .order_by()
        .values_list(
            "kpi_id",
            "period__kind",
            "period__financial_year",
            "period__number",
            "period__starts_on",
            "value",
        )
    )
    labels: dict[PeriodKey, str] = {}
    reported: dict[tuple[int, PeriodKey], quality.Earlier] = {}
    for kpi_id, kind, year, number, starts_on, value in rows:
        key = (kind, year, number)
        if key not in labels:
            period = ReportingPeriod(kind=kind, financial_year=year, number=number)
            period.starts_on = starts_on
            labels[key] = period.label
        reported[(kpi_id, key)] = quality.Earlier(labels[key], value)
    found: dict[tuple[int, int], list[quality.Earlier]] = defaultdict(list)
    for kpi, period in pairs:
        for key in comparison_keys(kpi, period):
            if (kpi.pk, key) in reported:
                found[(kpi.pk, period.pk)].append(reported[(kpi.pk, key)])
    return found


def query_for(
    kpi: Kpi, value: Decimal | None, earlier: list[quality.Earlier], council: RagPolicy
) -> str:
    """The query a value raises, in words ("" when it raises none)."""
    if value is None or not earlier:
        return ""
    threshold, basis, small_base = rule_for(kpi, council)
    found = quality.findings(
        value, earlier, threshold=threshold, basis=basis, small_base=small_base
    )
    if not found:
        return ""
    return "This is " + " and ".join(_change_words(kpi, finding) for finding in found) + "."


def value_query(
    kpi: Kpi, period: ReportingPeriod, value: Decimal | None, council: RagPolicy
) -> str:
    """The query a value of `kpi` for `period` raises, reading its earlier values (one query,
    none when it cannot raise one)."""
    threshold, _, _ = rule_for(kpi, council)
    if value is None or threshold is None:
        return ""
    earlier = earlier_values([(kpi, period)]).get((kpi.pk, period.pk), [])
    return query_for(kpi, value, earlier, council)


def policy_words(council: RagPolicy) -> str:
    """The council's query thresholds in a sentence, for the RAG policy page."""
    percent, points = council.query_change_percent, council.query_change_points
    than = "than the KPI's value for the last period, or for the same period last year,"
    after = (
        "Its officer confirms it and explains it for the approver. A KPI can have its own "
        "threshold in the register."
    )
    if percent is None and points is None:
        return "No value is queried for being far from the KPI's earlier values."
    if percent is None:
        size = format_value(Decimal(points), PERCENTAGE_POINTS)
        return (
            f"A percentage more than {size} higher or lower {than} is queried when it is "
            f"submitted; other values are not. {after}"
        )
    size = format_value(Decimal(percent), unit_style(Kpi.Unit.PERCENT))
    if points is None:
        percentages = "percentages are not queried"
    else:
        points_size = format_value(Decimal(points), PERCENTAGE_POINTS)
        percentages = f"a percentage when it is more than {points_size} higher or lower"
    return (
        f"A value more than {size} higher or lower {than} is queried when it is submitted "
        f"({percentages}). A count below {SMALL_COUNT} is compared as if it were {SMALL_COUNT} "
        f"(2 becoming 4 is not queried); in other units any change from 0 is queried. {after}"
    )


def _change_words(kpi: Kpi, finding: quality.Finding) -> str:
    """ "180% higher than 2025/26 Q4 (120)", "32.5 percentage points lower than …"."""
    if finding.percent is not None:
        size = format_value(_rounded(abs(finding.percent)), unit_style(Kpi.Unit.PERCENT))
    elif kpi.unit == Kpi.Unit.PERCENT:
        size = format_value(abs(finding.difference), PERCENTAGE_POINTS)
    else:  # from zero: no percentage, so the difference itself
        size = kpi.value_text(abs(finding.difference))
    direction = "higher" if finding.higher else "lower"
    earlier = finding.earlier
    return f"{size} {direction} than {earlier.label} ({kpi.value_text(earlier.value)})"


def _rounded(percent: Decimal) -> Decimal:
    """Whole per cents from 100% up, tenths below it (180%, 62.5%)."""
    places = Decimal(1) if percent >= 100 else Decimal("0.1")
    return percent.quantize(places, rounding=ROUND_HALF_UP)
