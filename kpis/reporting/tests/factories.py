"""Helpers for the entry and sign-off tests: periods, targets and values in a known state."""

import datetime
from decimal import Decimal

from django.utils import timezone

from kpis.register.models import Kpi
from kpis.reporting.models import Measurement, ReportingPeriod, Target
from kpis.reporting.periods import period_spec


def make_period(
    kind: str = "quarter",
    financial_year: int = 2025,
    number: int = 2,
    *,
    state: str = ReportingPeriod.State.OPEN,
    submission_deadline: datetime.date | None = None,
    signoff_deadline: datetime.date | None = None,
) -> ReportingPeriod:
    spec = period_spec(kind, financial_year, number)
    return ReportingPeriod.objects.create(
        kind=kind,
        financial_year=financial_year,
        number=number,
        starts_on=spec.starts_on,
        ends_on=spec.ends_on,
        state=state,
        submission_deadline=submission_deadline or spec.ends_on + datetime.timedelta(days=20),
        signoff_deadline=signoff_deadline or spec.ends_on + datetime.timedelta(days=30),
    )


def make_target(kpi: Kpi, value, *, financial_year: int = 2025, period=None, intervention=None):
    return Target.objects.create(
        kpi=kpi,
        financial_year=financial_year,
        period=period,
        value=Decimal(str(value)),
        intervention_level=None if intervention is None else Decimal(str(intervention)),
    )


def make_measurement(
    kpi: Kpi,
    period: ReportingPeriod,
    value=None,
    *,
    status: str = Measurement.Status.DRAFT,
    submitted_by=None,
    **fields,
) -> Measurement:
    return Measurement.objects.create(
        kpi=kpi,
        period=period,
        value=None if value is None else Decimal(str(value)),
        status=status,
        submitted_by=submitted_by,
        submitted_at=timezone.now() if submitted_by else None,
        version=1,
        **fields,
    )
