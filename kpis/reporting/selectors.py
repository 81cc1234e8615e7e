"""Reads for the reporting cycle: periods, the completion dashboard, targets, value history, the
officers' entry pages and the approvers' sign-off list.

Each function uses a fixed number of queries whatever the number of KPIs, periods or values.
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from kpis import rating
from kpis.register.models import Directorate, Kpi
from kpis.reporting.models import Measurement, RagPolicy, Reminder, ReportingPeriod, Target
from kpis.reporting.periods import FREQUENCY_TO_KIND, financial_year_of, period_spec, previous_key
from kpis.reporting.policy import not_collected_reason, target_for
from pmf.formatting import number_text
from pmf.history import Entry, history_entries
from pmf.models import User, person_name

NOT_STARTED = "not_started"
OVERDUE = "overdue"
STATUS_LABELS = {
    NOT_STARTED: "Not started",
    Measurement.Status.DRAFT: "Draft",
    Measurement.Status.SUBMITTED: "Submitted",
    Measurement.Status.APPROVED: "Approved",
    Measurement.Status.RETURNED: "Returned",
}
# Values still waiting for their owner: nothing yet, a draft, or returned by the approver.
AWAITING_OWNER = {NOT_STARTED, Measurement.Status.DRAFT, Measurement.Status.RETURNED}
KIND_ORDER = {
    ReportingPeriod.Kind.YEAR: 0,
    ReportingPeriod.Kind.QUARTER: 1,
    ReportingPeriod.Kind.MONTH: 2,
}


def loaded_words(loaded_at: datetime.datetime, by: str) -> str:
    """What a historic value says in place of "last saved": "Loaded 2 Dec 2026 as historic data
    by Jo Bloggs"."""
    day = timezone.localtime(loaded_at)
    return f"Loaded {day:%-d %b %Y} as historic data by {by or 'someone not recorded'}"


# Periods ---------------------------------------------------------------------------------------


def periods_by_year() -> list[dict]:
    """Every period grouped by financial year, newest year first (one query)."""
    years: dict[int, list[ReportingPeriod]] = defaultdict(list)
    for period in ReportingPeriod.objects.order_by("-financial_year", "starts_on"):
        years[period.financial_year].append(period)
    return [
        {
            "financial_year": year,
            "label": f"{year}/{(year + 1) % 100:02d}",
            "periods": sorted(periods, key=lambda p: (KIND_ORDER.get(p.kind, 9), p.number)),
        }
        for year, periods in years.items()
    ]


def kpis_due_in(period: ReportingPeriod) -> QuerySet[Kpi]:
    """The KPIs reported in a period: frequency matches its kind, neither suspended nor retired."""
    frequencies = [f for f, kind in FREQUENCY_TO_KIND.items() if kind == period.kind]
    return Kpi.objects.reporting().filter(frequency__in=frequencies)


# Value states of a set of KPIs for one period ------------------------------------------------

#: A KPI in development may have no value yet: it is not waited for.
NOT_DUE = "not_due"
VALUE_STATE_LABELS = {**STATUS_LABELS, NOT_STARTED: "Missing", NOT_DUE: "No value expected"}
_PER_YEAR = {"month": 12, "quarter": 4, "year": 1}


@dataclass(frozen=True)
class ValueState:
    """Where a KPI's value for a report's period stands in the sign-off cycle."""

    kpi_id: int
    reference: str
    name: str
    period_label: str  # the KPI's own period: a monthly KPI's last month of a quarter
    status: str  # a Measurement.Status, NOT_STARTED (no value) or NOT_DUE

    @property
    def label(self) -> str:
        return VALUE_STATE_LABELS[self.status]


def reported_period_key(frequency: str, period: ReportingPeriod) -> tuple[str, int, int]:
    """The KPI's own period a report for `period` reads: the latest period of the KPI's kind
    ending by the end of `period` (a quarter's last month; the last financial year ended)."""
    kind = FREQUENCY_TO_KIND[frequency]
    if kind == period.kind:
        return kind, period.financial_year, period.number
    year = financial_year_of(period.ends_on)
    for financial_year in (year, year - 1):
        for number in range(_PER_YEAR[kind], 0, -1):
            if period_spec(kind, financial_year, number).ends_on <= period.ends_on:
                return kind, financial_year, number
    raise ValueError(f"No {kind} ends by {period.label}")  # pragma: no cover - years always do


def value_states(kpis: Iterable[Kpi], period: ReportingPeriod) -> list[ValueState]:
    """Each KPI's value state for a report on `period`, read at the KPI's own frequency, in the
    order given (two queries). Suspended and retired KPIs report nothing and are left out."""
    kpis = [kpi for kpi in kpis if kpi.status not in (Kpi.Status.SUSPENDED, Kpi.Status.RETIRED)]
    keys = {kpi.pk: reported_period_key(kpi.frequency, period) for kpi in kpis}
    wanted = Q(pk__in=[])
    for kind, financial_year, number in set(keys.values()):
        wanted |= Q(kind=kind, financial_year=financial_year, number=number)
    periods = {
        (p.kind, p.financial_year, p.number): p for p in ReportingPeriod.objects.filter(wanted)
    }
    found = {
        (kpi_id, period_id): status
        for kpi_id, period_id, status in Measurement.objects.filter(
            kpi__in=list(keys), period__in=list(periods.values())
        ).values_list("kpi_id", "period_id", "status")
    }
    states = []
    for kpi in kpis:
        own = periods.get(keys[kpi.pk])
        status = found.get((kpi.pk, own.pk), NOT_STARTED) if own else NOT_STARTED
        if status == NOT_STARTED and kpi.status == Kpi.Status.IN_DEVELOPMENT:
            status = NOT_DUE
        label = own.label if own else ""
        states.append(ValueState(kpi.pk, kpi.reference, kpi.name, label, status))
    return states


# The completion dashboard ----------------------------------------------------------------------


@dataclass
class DashboardRow:
    kpi_id: int
    reference: str
    name: str
    directorate_id: int
    directorate: str
    lead_officer: str
    status: str
    status_label: str
    updated_at: datetime.datetime | None
    submission_overdue: bool
    signoff_overdue: bool
    last_reminded: datetime.datetime | None
    historic_load: str = ""  # "Loaded … as historic data by …", for a value loaded so

    @property
    def is_overdue(self) -> bool:
        return self.submission_overdue or self.signoff_overdue

    @property
    def can_chase(self) -> bool:
        return self.status in AWAITING_OWNER

    @property
    def status_order(self) -> int:
        """Where the status comes in the cycle, not started first, for sorting by status."""
        return list(STATUS_LABELS).index(self.status)


@dataclass
class DirectorateSummary:
    directorate_id: int
    name: str
    counts: Counter = field(default_factory=Counter)
    overdue: int = 0
    overdue_awaiting_owner: int = 0
    total: int = 0

    @property
    def percent_complete(self) -> int:
        if not self.total:
            return 0
        return round(100 * self.counts[Measurement.Status.APPROVED] / self.total)

    @property
    def ordered_counts(self) -> list[int]:
        return [self.counts[status] for status in STATUS_LABELS]

    @property
    def chaseable(self) -> int:
        return self.counts[NOT_STARTED] + self.overdue_awaiting_owner

    def count(self, row: "DashboardRow") -> None:
        self.counts[row.status] += 1
        self.total += 1
        self.overdue += row.is_overdue
        self.overdue_awaiting_owner += row.submission_overdue and row.status != NOT_STARTED


def _overdue(status: str, period: ReportingPeriod, today: datetime.date) -> tuple[bool, bool]:
    submission = bool(
        period.submission_deadline
        and today > period.submission_deadline
        and status in AWAITING_OWNER
    )
    signoff = bool(
        period.signoff_deadline
        and today > period.signoff_deadline
        and status != Measurement.Status.APPROVED
    )
    return submission, signoff


def completion_dashboard(
    period: ReportingPeriod,
    *,
    directorate_ids: list[int] | None = None,
    directorate: int | None = None,
    status: str = "",
    today: datetime.date | None = None,
) -> dict:
    """Counts per directorate and one row per KPI for a period (four queries).

    `directorate_ids` limits everything to those directorates (an approver's own); `directorate`
    and `status` filter the KPI rows only ("overdue" is a status filter too).
    """
    today = today or timezone.localdate()
    kpis = kpis_due_in(period).order_by("directorate__name", "reference")
    if directorate_ids is not None:
        kpis = kpis.filter(directorate_id__in=directorate_ids)
    measured = _measured_in(period)
    reminded = dict(
        Reminder.kpis.through.objects.filter(reminder__period=period)
        .values("kpi_id")
        .annotate(last=Max("reminder__sent_at"))
        .values_list("kpi_id", "last")
    )
    summaries: dict[int, DirectorateSummary] = {}
    rows: list[DashboardRow] = []
    for row in _dashboard_rows(kpis, measured, reminded, period, today):
        summary = summaries.get(row.directorate_id)
        if summary is None:
            summary = DirectorateSummary(row.directorate_id, row.directorate)
            summaries[row.directorate_id] = summary
        summary.count(row)
        if _shown(row, directorate, status):
            rows.append(row)
    totals = DirectorateSummary(0, "All directorates")
    for summary in summaries.values():
        totals.counts.update(summary.counts)
        totals.total += summary.total
        totals.overdue += summary.overdue
    directorates = Directorate.objects.order_by("name").only("pk", "name")
    if directorate_ids is not None:
        directorates = directorates.filter(pk__in=directorate_ids)
    return {
        "summaries": sorted(summaries.values(), key=lambda s: s.name),
        "totals": totals,
        "rows": rows,
        "directorates": list(directorates),
        "status_labels": STATUS_LABELS,
        "today": today,
    }


def _measured_in(period: ReportingPeriod) -> dict[int, tuple]:
    """Each KPI's value in the period: (status, last updated, historic load words) (one query)."""
    measured = {}
    for kpi_id, status, updated_at, loaded_at, *names in Measurement.objects.filter(
        period=period
    ).values_list(
        "kpi_id",
        "status",
        "updated_at",
        "loaded_at",
        "loaded_by__first_name",
        "loaded_by__last_name",
        "loaded_by__username",
    ):
        loaded = ""
        if loaded_at is not None:
            first, last, login = names
            loaded = loaded_words(loaded_at, f"{first or ''} {last or ''}".strip() or login or "")
        measured[kpi_id] = (status, updated_at, loaded)
    return measured


def _dashboard_rows(kpis, measured: dict, reminded: dict, period, today) -> list[DashboardRow]:
    """One row per KPI due in the period, from one query of the KPIs' fields."""
    columns = kpis.values_list(
        "pk",
        "reference",
        "name",
        "directorate_id",
        "directorate__name",
        "lead_officer__first_name",
        "lead_officer__last_name",
        "lead_officer__username",
    )
    rows = []
    for kpi_id, reference, name, directorate_id, directorate_name, first, last, login in columns:
        kpi_status, updated_at, loaded = measured.get(kpi_id, (NOT_STARTED, None, ""))
        submission_overdue, signoff_overdue = _overdue(kpi_status, period, today)
        rows.append(
            DashboardRow(
                kpi_id=kpi_id,
                reference=reference,
                name=name,
                directorate_id=directorate_id,
                directorate=directorate_name,
                lead_officer=f"{first or ''} {last or ''}".strip() or (login or ""),
                status=kpi_status,
                status_label=STATUS_LABELS[kpi_status],
                updated_at=updated_at,
                submission_overdue=submission_overdue,
                signoff_overdue=signoff_overdue,
                last_reminded=reminded.get(kpi_id),
                historic_load=loaded,
            )
        )
    return rows


def _shown(row: DashboardRow, directorate: int | None, status: str) -> bool:
    """Whether the row passes the directorate and status filters ("overdue" is a status)."""
    if directorate and row.directorate_id != directorate:
        return False
    if status == OVERDUE:
        return row.is_overdue
    return not status or row.status == status


# Locking ---------------------------------------------------------------------------------------

#: A value not approved, as the lock confirmation counts it.
UNAPPROVED_LABELS = {
    NOT_STARTED: "Missing",
    Measurement.Status.DRAFT: "Draft",
    Measurement.Status.SUBMITTED: "Submitted, not yet approved",
    Measurement.Status.RETURNED: "Returned",
}


@dataclass
class Unapproved:
    """A period's values that are not approved, by KPI: what locking it would freeze as it is."""

    rows: list[DashboardRow]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def counts(self) -> list[tuple[str, str, int]]:
        """(status, label, how many) for missing, draft, submitted and returned."""
        found = Counter(row.status for row in self.rows)
        return [(status, label, found[status]) for status, label in UNAPPROVED_LABELS.items()]


def unapproved_in(period: ReportingPeriod, *, today: datetime.date | None = None) -> Unapproved:
    """Every KPI due in the period (and any other with a value in it) whose value is missing, a
    draft, submitted or returned, by directorate and reference (two queries)."""
    today = today or timezone.localdate()
    with_values = Measurement.objects.filter(period=period).values("kpi_id")
    kpis = Kpi.objects.filter(
        Q(pk__in=kpis_due_in(period).values("pk")) | Q(pk__in=with_values)
    ).order_by("directorate__name", "reference")
    rows = _dashboard_rows(kpis, _measured_in(period), {}, period, today)
    for row in rows:
        row.status_label = UNAPPROVED_LABELS.get(row.status, row.status_label)
    return Unapproved([row for row in rows if row.status not in Measurement.FINAL])


def chase_candidates(
    period: ReportingPeriod, *, directorate_id: int, today: datetime.date | None = None
) -> list[Kpi]:
    """A directorate's KPIs not started, or awaiting their owner past the submission deadline."""
    today = today or timezone.localdate()
    statuses = dict(
        Measurement.objects.filter(period=period, kpi__directorate_id=directorate_id).values_list(
            "kpi_id", "status"
        )
    )
    chosen = []
    for kpi in kpis_due_in(period).filter(directorate_id=directorate_id):
        kpi_status = statuses.get(kpi.pk, NOT_STARTED)
        if kpi_status == NOT_STARTED or _overdue(kpi_status, period, today)[0]:
            chosen.append(kpi)
    return chosen


# Targets ---------------------------------------------------------------------------------------


def target_years() -> list[int]:
    """Financial years to choose from: those with periods or targets, and this year and next."""
    current = timezone.localdate()
    this_year = current.year if current.month >= 4 else current.year - 1
    years = set(ReportingPeriod.objects.values_list("financial_year", flat=True).distinct())
    years |= set(Target.objects.values_list("financial_year", flat=True).distinct())
    years |= {this_year, this_year + 1}
    return sorted(years, reverse=True)


def targets_for_year(financial_year: int, *, directorate: int | None = None) -> list[dict]:
    """KPIs (not retired) with their annual target for a year and how many period targets."""
    kpis = (
        Kpi.objects.exclude(status=Kpi.Status.RETIRED)
        .select_related("directorate")
        .order_by("reference")
    )
    if directorate:
        kpis = kpis.filter(directorate_id=directorate)
    annual: dict[int, Target] = {}
    period_counts: Counter = Counter()
    for target in Target.objects.filter(financial_year=financial_year):
        if target.period_id is None:
            annual[target.kpi_id] = target
        else:
            period_counts[target.kpi_id] += 1
    return [
        {
            "kpi": kpi,
            "is_contextual": kpi.target_kind == Kpi.TargetKind.CONTEXTUAL,
            "target": annual.get(kpi.pk),
            "period_targets": period_counts[kpi.pk],
        }
        for kpi in kpis
    ]


def periods_for_targets(kpi: Kpi, financial_year: int) -> list[ReportingPeriod]:
    """The year's periods a KPI can have its own targets for: quarters or months (not annual)."""
    kind = FREQUENCY_TO_KIND.get(kpi.frequency)
    if kind in (None, ReportingPeriod.Kind.YEAR):
        return []
    return list(
        ReportingPeriod.objects.filter(financial_year=financial_year, kind=kind).order_by("number")
    )


TARGET_FIELDS = {"value": "Target", "intervention_level": "Intervention level", "note": "Note"}


def target_history(kpi: Kpi, financial_year: int) -> list[Entry]:
    """Every change to a KPI's targets for one year, newest first, with before and after."""
    records = Target.history.filter(kpi_id=kpi.pk, financial_year=financial_year).select_related(
        "history_user", "period"
    )
    return _target_entries(records)


def _target_entries(records) -> list[Entry]:
    return history_entries(
        records,
        fields=list(TARGET_FIELDS),
        labels=TARGET_FIELDS,
        scope=_target_scope,
        show_initial=True,
    )


def _target_scope(record) -> str:
    if record.period_id:
        return f"Target for {record.period.label}"
    return f"Annual target {record.financial_year}/{(record.financial_year + 1) % 100:02d}"


# Value history ---------------------------------------------------------------------------------


def _rating_label(value: str) -> str:
    try:
        return rating.Rating(value).label
    except ValueError:
        return value


MEASUREMENT_FIELDS = {
    "value": "Value",
    "numerator": "Numerator",
    "denominator": "Denominator",
    "not_available": "Not available",
    "not_available_reason": "Why not available",
    "commentary": "Commentary",
    "action_plan": "Action plan",
    "data_quality_note": "Data quality note",
    "data_query": "Data-quality query",
    "query_explanation": "Explanation of the query",
    "status": "Status",
    "rating": "Rating",
    "returned_reason": "Reason returned",
    "historic_authority": "Authority for the historic load",
}
# What readers who do not work on a KPI's values may see of their history: never why a value
# was returned.
READER_FIELDS = [name for name in MEASUREMENT_FIELDS if name != "returned_reason"]


@dataclass
class ValueRow:
    period: ReportingPeriod
    measurement: Measurement
    target: Target | None
    rating: rating.Rating | None
    status_label: str
    entered_by: str
    submitted_by: str
    approved_by: str
    loaded_by: str = ""  # who loaded it as historic data

    @property
    def provisional_note(self) -> str:
        """ "Provisional: submitted, not yet approved" for a provisional value, else blank."""
        return Measurement.PROVISIONAL_NOTE if self.measurement.is_provisional else ""

    @property
    def loaded_words(self) -> str:
        """For a value loaded as historic data: when and by whom, in place of "last saved"."""
        m = self.measurement
        return loaded_words(m.loaded_at, self.loaded_by) if m.loaded_at else ""

    @property
    def approved_after_loading(self) -> bool:
        """Approved by someone, or at a moment, other than its historic load."""
        m = self.measurement
        return bool(m.approved_by_id) and (
            not m.is_historic_load
            or (m.approved_by_id, m.approved_at) != (m.loaded_by_id, m.loaded_at)
        )


QUERY_FIELDS = ("data_query", "query_explanation")


def kpi_value_history(kpi: Kpi, *, work_in_progress: bool, show_queries: bool = False) -> dict:
    """A KPI's values over time, newest first, and every change to its values and targets.

    With work_in_progress (for those who work on the KPI's values: "kpis.see_work_in_progress"),
    every value and every change. Without it (readers), only the values now approved or
    provisional, and of their changes only those that left them approved or provisional, each
    compared with the previous such version, never saying why a value was returned: drafts and
    returned values, and the history of a value now back in the works, are not shown.

    Four queries whatever the number of periods: measurements, targets, and the two histories.
    Data-quality queries and their explanations are left out of the changes unless
    `show_queries` (the person may see them: "kpis.see_data_queries").
    Returns {"rows": [ValueRow…], "changes": [entry…], "is_contextual": bool, "show_queries"}.
    """
    measurements = Measurement.objects.filter(kpi_id=kpi.pk)
    if not work_in_progress:
        measurements = measurements.reported()
    measurements = list(
        measurements.select_related(
            "period", "entered_by", "submitted_by", "approved_by", "loaded_by"
        ).order_by("-period__starts_on", "period__kind")
    )
    value_records = Measurement.history.filter(kpi_id=kpi.pk)
    if not work_in_progress:
        value_records = value_records.filter(
            id__in=[m.pk for m in measurements], status__in=Measurement.REPORTED
        )
    targets = list(Target.objects.filter(kpi_id=kpi.pk))
    rows = []
    for measurement in measurements:
        target = target_for(kpi, measurement.period, targets)
        rows.append(
            ValueRow(
                period=measurement.period,
                measurement=measurement,
                target=target,
                rating=rating_of(measurement),
                status_label=STATUS_LABELS.get(measurement.status, measurement.status),
                entered_by=person_name(measurement.entered_by),
                submitted_by=person_name(measurement.submitted_by),
                approved_by=person_name(measurement.approved_by),
                loaded_by=person_name(measurement.loaded_by),
            )
        )
    value_records = list(value_records.select_related("history_user", "period"))
    target_records = list(
        Target.history.filter(kpi_id=kpi.pk).select_related("history_user", "period")
    )
    readable = list(MEASUREMENT_FIELDS) if work_in_progress else READER_FIELDS
    fields = [name for name in readable if show_queries or name not in QUERY_FIELDS]
    changes = history_entries(
        value_records,
        fields=fields,
        labels=MEASUREMENT_FIELDS,
        words={"rating": _rating_label, "status": lambda status: STATUS_LABELS.get(status, status)},
        scope=lambda record: f"Value for {record.period.label}",
        show_initial=True,
    ) + _target_entries(target_records)
    changes.sort(key=lambda entry: entry.when, reverse=True)
    return {
        "kpi": kpi,
        "rows": rows,
        "changes": changes,
        "is_contextual": kpi.target_kind == Kpi.TargetKind.CONTEXTUAL,
        "show_queries": show_queries,
    }


LOCKED_FOR_OFFICERS = {Measurement.Status.SUBMITTED, Measurement.Status.APPROVED}


def measurement_display(kpi: Kpi, measurement: Measurement | None) -> str:
    """What a saved value says: the number, "Not available", or blank."""
    if measurement is None:
        return ""
    if measurement.not_available:
        return "Not available"
    return kpi.value_text(measurement.value)


def rating_of(measurement: Measurement | None) -> rating.Rating | None:
    if measurement is None or not measurement.rating:
        return None
    try:
        return rating.Rating(measurement.rating)
    except ValueError:
        return None


def previous_period_key(period: ReportingPeriod) -> tuple[str, int, int]:
    """(kind, financial year, number) of the period before, of the same kind."""
    return previous_key(period.kind, period.financial_year, period.number)


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
    def not_collected_reason(self) -> str:
        """Why the KPI's status means no value is entered for it; blank when one is."""
        return not_collected_reason(self.kpi)

    @property
    def status(self) -> str:
        return self.measurement.status if self.measurement else NOT_STARTED

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

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
        return self.kpi.value_text(self.target.value) if self.target else ""

    @property
    def intervention_display(self) -> str:
        if self.target is None or self.target.intervention_level is None:
            return ""
        return self.kpi.value_text(self.target.intervention_level)

    @property
    def rating(self) -> rating.Rating | None:
        return rating_of(self.measurement)

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

    A suspended KPI, or one retired since the period began, is listed too, so its officer sees
    why it has no form; KPIs retired before are left out. Five queries whatever the number of KPIs.
    """
    periods = list(ReportingPeriod.objects.open())
    if not periods:
        return []
    kinds = {period.kind for period in periods}
    frequencies = [freq for freq, kind in FREQUENCY_TO_KIND.items() if kind in kinds]
    kpi_ids = Kpi.objects.filter(Q(lead_officer=user) | Q(delegates=user)).values("pk")
    earliest = min(period.starts_on for period in periods)
    kpis = list(
        Kpi.objects.filter(pk__in=kpi_ids, frequency__in=frequencies)
        .exclude(status=Kpi.Status.RETIRED, date_removed__lt=earliest)
        .select_related("directorate")
        .order_by("reference")
    )
    pairs = [
        (kpi, period)
        for period in periods
        for kpi in kpis
        if FREQUENCY_TO_KIND[kpi.frequency] == period.kind and _listed_in(kpi, period)
    ]
    groups = {period.pk: PeriodGroup(period) for period in periods}
    for row in _rows(pairs, today=today):
        groups[row.period.pk].rows.append(row)
    return [group for group in groups.values() if group.rows]


def _listed_in(kpi: Kpi, period: ReportingPeriod) -> bool:
    """A retired KPI is listed in the periods it was retired during or before."""
    return not kpi.is_retired or (
        kpi.date_removed is not None and kpi.date_removed >= period.starts_on
    )


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
        return f"{number_text(m.numerator) or '–'} / {number_text(m.denominator) or '–'}"

    @property
    def target_display(self) -> str:
        if self.kpi.target_kind == Kpi.TargetKind.CONTEXTUAL:
            return "Contextual (no target)"
        return self.kpi.value_text(self.target.value) if self.target else "No target set"

    @property
    def rating(self) -> rating.Rating | None:
        return rating_of(self.measurement)

    @property
    def submitted_by_name(self) -> str:
        return person_name(self.measurement.submitted_by)


def approval_rows(user: User) -> list[ApprovalRow]:
    """Submitted values waiting for `user`'s sign-off: their directorates', or all for G&P.

    Two queries whatever the number of values.
    """
    measurements = (
        Measurement.objects.awaiting_signoff()
        .exclude(period__state=ReportingPeriod.State.LOCKED)
        .select_related("kpi", "kpi__directorate", "period", "submitted_by")
        .order_by("kpi__directorate__name", "period__starts_on", "kpi__reference")
    )
    if not user.has_perm("kpis.run_cycle"):  # an approver signs off their directorates' values
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


def rag_policy_history(council: RagPolicy) -> list[Entry]:
    """Every version of the council's RAG policy, newest first (two queries)."""
    return history_entries(
        council.history.select_related("history_user"),
        fields=[
            "amber_tolerance",
            "tolerance_basis",
            "blue_margin",
            "use_intervention_levels",
            "query_change_percent",
            "query_change_points",
        ],
        show_initial=True,
    )
