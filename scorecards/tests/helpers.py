"""Periods, targets and values in a known state for the scorecard tests."""

from decimal import Decimal

from kpis.reporting.models import Measurement, ReportingPeriod, Target
from kpis.reporting.periods import period_spec


def period(kind: str = "quarter", year: int = 2025, number: int = 2, **fields) -> ReportingPeriod:
    spec = period_spec(kind, year, number)
    found, _ = ReportingPeriod.objects.get_or_create(
        kind=kind,
        financial_year=year,
        number=number,
        defaults={
            "starts_on": spec.starts_on,
            "ends_on": spec.ends_on,
            "state": fields.pop("state", ReportingPeriod.State.CLOSED),
            **fields,
        },
    )
    return found


def quarters(first: tuple[int, int], count: int) -> list[ReportingPeriod]:
    """`count` consecutive quarters from (financial year, quarter)."""
    year, number = first
    out = []
    for _ in range(count):
        out.append(period("quarter", year, number))
        year, number = (year + 1, 1) if number == 4 else (year, number + 1)
    return out


def target(kpi, value, *, year: int = 2025, on=None, intervention=None) -> Target:
    return Target.objects.create(
        kpi=kpi,
        financial_year=year,
        period=on,
        value=Decimal(str(value)),
        intervention_level=None if intervention is None else Decimal(str(intervention)),
    )


def value(kpi, on: ReportingPeriod, amount, *, status="approved", rating="", **fields):
    return Measurement.objects.create(
        kpi=kpi,
        period=on,
        value=None if amount is None else Decimal(str(amount)),
        status=status,
        rating=rating,
        **fields,
    )


def series(kpi, periods, amounts, **fields) -> None:
    for on, amount in zip(periods, amounts, strict=True):
        if amount is not None:
            value(kpi, on, amount, **fields)
