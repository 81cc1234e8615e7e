"""Reads for the officers' entry pages and the approvers' sign-off list.

Each function uses a fixed number of queries whatever the number of KPIs: open periods, the
user's KPIs, the previous periods, the values and the targets are each one query.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from kpis import rating
from kpis.measurements import target_for
from kpis.models import Kpi, Measurement, ReportingPeriod, Target
from kpis.periods import FREQUENCY_TO_KIND
from kpis.reporting_selectors import (  # the dashboard's statuses, colours and names
    AWAITING_OWNER,
    NOT_REPORTED_STATUSES,
    NOT_STARTED,
    RATING_TAGS,
    STATUS_TAGS,
    person_name,
)
from pmf.models import User
from pmf.roles import is_gp

STATUS_LABELS = {
    NOT_STARTED: "Not started",
    Measurement.Status.DRAFT: "Draft",
    Measurement.Status.SUBMITTED: "Submitted",
    Measurement.Status.APPROVED: "Approved",
    Measurement.Status.RETURNED: "Returned",
}
LOCKED_FOR_OFFICERS = {Measurement.Status.SUBMITTED, Measurement.Status.APPROVED}


def format_value(kpi: Kpi, value: Decimal | None) -> str:
    """A value as people read it: 72.5%, £1,250.50, 12 days (blank when there is none)."""
    if value is None:
        return ""
    if kpi.unit == Kpi.Unit.MONEY:
        return f"£{value:,.2f}"
    number = value.normalize()
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    text = f"{number:,f}"
    if kpi.unit == Kpi.Unit.PERCENT:
        return f"{text}%"
    if kpi.unit in (Kpi.Unit.DAYS, Kpi.Unit.WEEKS):
        return f"{text} {kpi.get_unit_display().lower()}"
    return text


def measurement_display(kpi: Kpi, measurement: Measurement | None) -> str:
    """What a saved value says: the number, "Not available", or blank."""
    if measurement is None:
        return ""
    if measurement.not_available:
        return "Not available"
    return format_value(kpi, measurement.value)


def rating_of(measurement: Measurement | None) -> rating.Rating | None:
    if measurement is None or not measurement.rating:
        return None
    try:
        return rating.Rating(measurement.rating)
    except ValueError:
        return None


def previous_period_key(period: ReportingPeriod) -> tuple[str, int, int]:
    """(kind, financial year, number) of the period before, of the same kind."""
    if period.kind == ReportingPeriod.Kind.QUARTER:
        if period.number == 1:
            return period.kind, period.financial_year - 1, 4
    elif period.kind == ReportingPeriod.Kind.MONTH:
        if period.number == 1:
            return period.kind, period.financial_year - 1, 12
    else:
        return period.kind, period.financial_year - 1, 1
    return period.kind, period.financial_year, period.number - 1


@dataclass
class EntryRow:
    """One KPI in one period, as the entry pages show it."""

    kpi: Kpi
    period: ReportingPeriod
    measurement: Measurement | None
    previous: Measurement | None
    previous_period: ReportingPeriod | None
    target: Target | None
    today: datetime.date

    @property
    def status(self) -> str:
        return self.measurement.status if self.measurement else NOT_STARTED

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def status_tag(self) -> str:
        return STATUS_TAGS[self.status]

    @property
    def version(self) -> int:
        return self.measurement.version if self.measurement else 0

    @property
    def is_overdue(self) -> bool:
        deadline = self.period.submission_deadline
        return bool(deadline and deadline < self.today and self.status in AWAITING_OWNER)

    @property
    def is_signoff_overdue(self) -> bool:
        deadline = self.period.signoff_deadline
        return bool(
            deadline and deadline < self.today and self.status == Measurement.Status.SUBMITTED
        )

    @property
    def value_display(self) -> str:
        return measurement_display(self.kpi, self.measurement)

    @property
    def previous_display(self) -> str:
        return measurement_display(self.kpi, self.previous)

    @property
    def target_display(self) -> str:
        if self.kpi.target_kind == Kpi.TargetKind.CONTEXTUAL:
            return "Contextual (no target)"
        return format_value(self.kpi, self.target.value) if self.target else ""

    @property
    def intervention_display(self) -> str:
        if self.target is None or self.target.intervention_level is None:
            return ""
        return format_value(self.kpi, self.target.intervention_level)

    @property
    def rating(self) -> rating.Rating | None:
        return rating_of(self.measurement)

    @property
    def rating_tag(self) -> str:
        return RATING_TAGS.get(self.rating, "govuk-tag--grey")

    @property
    def anchor(self) -> str:
        return f"kpi-{self.period.pk}-{self.kpi.pk}"


@dataclass
class PeriodGroup:
    period: ReportingPeriod
    rows: list[EntryRow] = field(default_factory=list)


def _period_lookup(periods: Iterable[ReportingPeriod]) -> dict[tuple, ReportingPeriod]:
    """The previous period of each of `periods`, keyed by (kind, year, number) (one query)."""
    keys = {previous_period_key(period) for period in periods}
    if not keys:
        return {}
    condition = Q()
    for kind, year, number in keys:
        condition |= Q(kind=kind, financial_year=year, number=number)
    return {
        (p.kind, p.financial_year, p.number): p for p in ReportingPeriod.objects.filter(condition)
    }


def _rows(pairs: list[tuple[Kpi, ReportingPeriod]], *, today: datetime.date) -> list[EntryRow]:
    """Entry rows for (KPI, period) pairs in four queries whatever their number."""
    if not pairs:
        return []
    periods = {period.pk: period for _, period in pairs}
    previous_periods = _period_lookup(periods.values())
    kpi_ids = {kpi.pk for kpi, _ in pairs}
    period_ids = set(periods) | {p.pk for p in previous_periods.values()}
    measurements = {
        (m.kpi_id, m.period_id): m
        for m in Measurement.objects.filter(kpi_id__in=kpi_ids, period_id__in=period_ids)
    }
    years = {period.financial_year for period in periods.values()}
    targets: dict[int, list[Target]] = defaultdict(list)
    for target in Target.objects.filter(kpi_id__in=kpi_ids, financial_year__in=years):
        targets[target.kpi_id].append(target)
    rows = []
    for kpi, period in pairs:
        previous_period = previous_periods.get(previous_period_key(period))
        rows.append(
            EntryRow(
                kpi=kpi,
                period=period,
                measurement=measurements.get((kpi.pk, period.pk)),
                previous=(
                    measurements.get((kpi.pk, previous_period.pk)) if previous_period else None
                ),
                previous_period=previous_period,
                target=target_for(kpi, period, targets=targets.get(kpi.pk, [])),
                today=today,
            )
        )
    return rows


def my_entry_groups(user: User, *, today: datetime.date) -> list[PeriodGroup]:
    """Every open period with the KPIs `user` leads or is a delegate of, due in that period.

    Suspended and retired KPIs are left out. Five queries whatever the number of KPIs.
    """
    periods = list(ReportingPeriod.objects.filter(state=ReportingPeriod.State.OPEN))
    if not periods:
        return []
    kinds = {period.kind for period in periods}
    frequencies = [freq for freq, kind in FREQUENCY_TO_KIND.items() if kind in kinds]
    kpi_ids = Kpi.objects.filter(Q(lead_officer=user) | Q(delegates=user)).values("pk")
    kpis = list(
        Kpi.objects.filter(pk__in=kpi_ids, frequency__in=frequencies)
        .exclude(status__in=NOT_REPORTED_STATUSES)
        .select_related("directorate")
        .order_by("reference")
    )
    pairs = [
        (kpi, period)
        for period in periods
        for kpi in kpis
        if FREQUENCY_TO_KIND[kpi.frequency] == period.kind
    ]
    groups = {period.pk: PeriodGroup(period) for period in periods}
    for row in _rows(pairs, today=today):
        groups[row.period.pk].rows.append(row)
    return [group for group in groups.values() if group.rows]


def entry_row(kpi: Kpi, period: ReportingPeriod, *, today: datetime.date) -> EntryRow:
    """One KPI in one period (for the single-KPI entry page)."""
    return _rows([(kpi, period)], today=today)[0]


# Sign-off --------------------------------------------------------------------------------------


@dataclass
class ApprovalRow:
    measurement: Measurement
    target: Target | None
    mine: bool  # submitted by the person looking: they may not sign it off

    @property
    def kpi(self) -> Kpi:
        return self.measurement.kpi

    @property
    def period(self) -> ReportingPeriod:
        return self.measurement.period

    @property
    def value_display(self) -> str:
        return measurement_display(self.kpi, self.measurement)

    @property
    def numerator_display(self) -> str:
        m = self.measurement
        if m.numerator is None and m.denominator is None:
            return ""
        return f"{format_number(m.numerator)} / {format_number(m.denominator)}"

    @property
    def target_display(self) -> str:
        if self.kpi.target_kind == Kpi.TargetKind.CONTEXTUAL:
            return "Contextual (no target)"
        return format_value(self.kpi, self.target.value) if self.target else "No target set"

    @property
    def rating(self) -> rating.Rating | None:
        return rating_of(self.measurement)

    @property
    def rating_tag(self) -> str:
        return RATING_TAGS.get(self.rating, "govuk-tag--grey")

    @property
    def submitted_by_name(self) -> str:
        return person_name(self.measurement.submitted_by)


def format_number(value: Decimal | None) -> str:
    if value is None:
        return "–"
    number = value.normalize()
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    return f"{number:,f}"


def approval_rows(user: User) -> list[ApprovalRow]:
    """Submitted values waiting for `user`'s sign-off: their directorates', or all for G&P.

    Two queries whatever the number of values.
    """
    measurements = (
        Measurement.objects.filter(status=Measurement.Status.SUBMITTED)
        .exclude(period__state=ReportingPeriod.State.LOCKED)
        .select_related("kpi", "kpi__directorate", "period", "submitted_by")
        .order_by("kpi__directorate__name", "period__starts_on", "kpi__reference")
    )
    if not is_gp(user):
        measurements = measurements.filter(kpi__directorate__approvers=user)
    measurements = list(measurements)
    if not measurements:
        return []
    targets: dict[int, list[Target]] = defaultdict(list)
    for target in Target.objects.filter(
        kpi_id__in={m.kpi_id for m in measurements},
        financial_year__in={m.period.financial_year for m in measurements},
    ):
        targets[target.kpi_id].append(target)
    return [
        ApprovalRow(
            measurement=m,
            target=target_for(m.kpi, m.period, targets=targets.get(m.kpi_id, [])),
            mine=m.submitted_by_id == user.pk,
        )
        for m in measurements
    ]
