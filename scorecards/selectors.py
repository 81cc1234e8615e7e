"""Balanced scorecards (CCC framework Appendix C): reads only, a fixed number of queries.

`scorecard()` makes the organisational, directorate and committee scorecards for one period;
`kpi_performance()` gives one KPI's history, forecast and flags for its chart page. Both fetch
the KPIs, the reporting periods, the targets and every value of the recent history in one query
each, then work in plain Python, so the cost does not grow in queries with the number of KPIs.

Decisions:

* Scope. Organisation: corporate KPIs and every directorate's strategic KPIs. Directorate: its
  corporate, strategic and operational KPIs. Committee: the KPIs whose committee membership was
  current at the end of the period (started on or before that day, not ended by it — the same rule
  as kpis.selectors.current_committees). KPIs removed before the period starts and KPIs added after
  it ends are left out.
* A KPI is read at its own frequency. On a quarterly scorecard a monthly KPI shows the latest month
  of the quarter that has a value (else the quarter's last month); an annual KPI shows the latest
  financial year ending by the end of the period. "Previous period" is the KPI's own previous
  period (the month before, for a monthly KPI).
* Which values: approved ones, and submitted ones marked provisional ("submitted, not yet
  approved": Measurement.PROVISIONAL). Drafts and returned values are work in progress and never
  read here (`_values_of`), so their figures, commentary and action plans appear in no scorecard,
  chart, export or pack; a period with only a draft reads as not reported.
* RAG: the rating stored with the value; otherwise (values loaded without a rating, periods with
  no value) the rating engine with the council's policy and the KPI's overrides, exactly as
  kpis.reporting.policy.rate_value does.
* The RAG summary counts the KPIs in scope after the level and priority filters and before the RAG
  filter, so the table keeps showing the whole picture. Total is the eight statuses of the 2022
  report's table (they add up to it); Not reported is counted separately after it. It says how
  many of the ratings are provisional ("3 of 42 ratings are provisional: submitted, not yet
  approved").
* How a KPI's figures add up comes from its register entry (value basis, how a year's figure is
  formed, seasonal) and what its unit can be from kpis.register.models.kpi_value_bounds; the
  assessment (kpis.rating.assessment) decides from them what the change is compared with, the
  trend, the forecast and the year-end projection (docs/assessment.md). A row names the period
  its change is compared with: the one before, or the same period last year.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import gc
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    OuterRef,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils import timezone

from kpis import rating
from kpis.rating import trends
from kpis.rating.assessment import (
    ASSESSED_PERIODS,
    HOW_TO_READ,
    Assessment,
    Goal,
    Measure,
    Projection,
    Reading,
    assess,
)
from kpis.register.models import (
    Committee,
    CommitteeMembership,
    Directorate,
    Kpi,
    kpi_value_bounds,
    unit_name,
    unit_style,
)
from kpis.reporting import policy
from kpis.reporting.models import Measurement, RagPolicy, ReportingPeriod, Target
from kpis.reporting.periods import FREQUENCY_TO_KIND, parse_label, period_spec
from kpis.reporting.policy import target_for
from pmf.formatting import format_value

Rating = rating.Rating

KINDS = ("organisation", "directorate", "committee")
#: How many periods of each kind a KPI's assessment reads (trend, same period last year, red
#: runs), on every page and in packs, so a flag reads the same everywhere: the assessment's own.
HISTORY = ASSESSED_PERIODS
#: How many periods a KPI's chart shows (its page, packs); the assessment still reads HISTORY.
CHART_PERIODS = {"month": 24, "quarter": 12, "year": 6}
PERIODS_IN_YEAR = {"month": 12, "quarter": 4, "year": 1}
#: How a provisional value is marked, on pages, in exports and in packs.
PROVISIONAL_NOTE = Measurement.PROVISIONAL_NOTE

ORGANISATION_LEVELS = (Kpi.Level.CORPORATE, Kpi.Level.STRATEGIC)
_PERSPECTIVE_ORDER = {value: n for n, value in enumerate(Kpi.Perspective.values)}
_LEVEL_LABELS = dict(Kpi.Level.choices)
_PERSPECTIVE_LABELS = dict(Kpi.Perspective.choices)
_CATEGORY_LABELS = dict(Kpi.MetricCategory.choices)
_FREQUENCY_LABELS = dict(Kpi.Frequency.choices)
_DIRECTION_LABELS = dict(Kpi.Direction.choices)


# Formatting ------------------------------------------------------------------------------------


def value_text(unit: str, value: Decimal | float | None, decimals: int | None = None) -> str:
    """A figure of a KPI with this unit (and its own decimal places, if it sets them), written
    the one way (pmf.formatting)."""
    return format_value(value, unit_style(unit, decimals))


@functools.lru_cache(maxsize=16384)
def natural_key(reference: str) -> tuple:
    """Numbers in numeric order (9 before 10), then the rest in natural order."""
    if reference.isdigit():
        return (0, int(reference), ())
    parts = tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.lower())
        for part in re.split(r"(\d+)", reference)
        if part
    )
    return (1, 0, parts)


# Periods as positions: a month, quarter or year is one integer, so gaps and "the period before"
# need no database rows.


def _position(kind: str, financial_year: int, number: int) -> int:
    return financial_year * PERIODS_IN_YEAR[kind] + number - 1


def _unposition(kind: str, position: int) -> tuple[int, int]:
    year, index = divmod(position, PERIODS_IN_YEAR[kind])
    return year, index + 1


@functools.lru_cache(maxsize=4096)
def _label(kind: str, position: int) -> str:
    year, number = _unposition(kind, position)
    text = f"{year}/{(year + 1) % 100:02d}"
    if kind == "quarter":
        return f"{text} Q{number}"
    if kind == "month":
        return f"{text} {period_spec('month', year, number).starts_on:%b}"
    return text


def _containing(kind: str, day: datetime.date) -> int:
    """The position of the period of `kind` that contains `day`."""
    year = day.year if day.month >= 4 else day.year - 1
    month = (day.month - 4) % 12 + 1
    if kind == "month":
        return _position(kind, year, month)
    if kind == "quarter":
        return _position(kind, year, (month - 1) // 3 + 1)
    return _position(kind, year, 1)


def _last_ending_by(kind: str, day: datetime.date) -> int:
    """The position of the last period of `kind` that ends on or before `day`."""
    position = _containing(kind, day)
    year, number = _unposition(kind, position)
    return position if period_spec(kind, year, number).ends_on <= day else position - 1


def _first_starting_from(kind: str, day: datetime.date) -> int:
    position = _containing(kind, day)
    year, number = _unposition(kind, position)
    return position if period_spec(kind, year, number).starts_on >= day else position + 1


@dataclass(frozen=True, slots=True)
class _Period:
    """Enough of a ReportingPeriod for kpis.reporting.policy.target_for (pk and financial_year)."""

    pk: int | None
    financial_year: int


@dataclass(frozen=True, slots=True)
class _Kpi:
    """The fields of a KPI a scorecard reads: a plain record is far cheaper than a model."""

    pk: int
    reference: str
    name: str
    directorate: str  # short name
    level: str
    perspective: str
    metric_category: str
    frequency: str
    unit: str
    decimals: int | None
    direction: str
    status: str
    target_kind: str
    value_basis: str
    year_figure: str
    seasonal: bool
    allows_values_outside_0_100: bool
    long_term_target: Decimal | None
    long_term_target_year: int | None
    rag_amber_tolerance: Decimal | None
    rag_tolerance_basis: str
    rag_use_intervention_levels: bool | None


_KPI_FIELDS = (
    "pk",
    *(
        f if f != "directorate" else "directorate__short_name"
        for f in (
            "reference",
            "name",
            "directorate",
            "level",
            "perspective",
            "metric_category",
            "frequency",
            "unit",
            "decimals",
            "direction",
            "status",
            "target_kind",
            "value_basis",
            "year_figure",
            "seasonal",
            "allows_values_outside_0_100",
            "long_term_target",
            "long_term_target_year",
            "rag_amber_tolerance",
            "rag_tolerance_basis",
            "rag_use_intervention_levels",
        )
    ),
)


class _Stored(NamedTuple):
    """A period's stored value as a scorecard fetches it (a float, as typed: see _values_of)."""

    value: float | None
    not_available: bool
    status: str
    rating: str
    commentary: str
    action_plan: str


@dataclass(frozen=True, slots=True)
class _Target:
    """Enough of a Target for target_for and the rating engine."""

    period_id: int | None
    financial_year: int
    value: Decimal
    intervention_level: Decimal | None


# Results -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    rag: tuple[str, ...] = ()
    level: tuple[str, ...] = ()
    priority: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.rag or self.level or self.priority)


@dataclass(slots=True)
class Point:
    """One period of a KPI's history: for the chart and its data table."""

    label: str
    value: Decimal | None
    value_display: str
    target: Decimal | None
    target_display: str
    rating: Rating
    provisional: bool


@dataclass(slots=True)
class Row:
    kpi_id: int
    reference: str
    name: str
    directorate: str
    level: str
    perspective: str
    metric_category: str
    frequency: str
    unit: str
    direction: str
    status: str
    kind: str  # the KPI's own period kind: month, quarter or year
    period_label: str  # the KPI's own current period
    last_updated: str
    target: Decimal | None
    target_display: str
    current: Decimal | None
    current_display: str
    previous: Decimal | None  # the value the change is compared with
    previous_display: str
    previous_label: str  # the period it is compared with: the one before, or a year before
    commentary: str
    action_plan: str
    provisional: bool
    forecast_label: str
    assessment: Assessment  # rating, change, trend, forecasts and flags: each defined there once
    points: list[Point] = field(default_factory=list)
    decimals: int | None = None  # the KPI's own decimal places, when it sets them

    # The assessment's parts, as pages, exports and packs name them.
    @property
    def rating(self) -> Rating:
        return self.assessment.rating

    @property
    def change(self) -> trends.Change:
        return self.assessment.change

    @property
    def trend(self) -> trends.Trend:
        return self.assessment.trend

    @property
    def forecast(self) -> float | None:
        return self.assessment.forecast.value if self.assessment.forecast else None

    @property
    def forecast_from_last_year(self) -> bool:
        return bool(self.assessment.forecast and self.assessment.forecast.from_last_year)

    @property
    def no_forecast(self) -> str:
        """Why there is no forecast ("Not enough data for a forecast" …), or ""."""
        return self.assessment.no_forecast

    @property
    def year_end(self) -> float | None:
        return self.assessment.year_end.value if self.assessment.year_end else None

    @property
    def red_run(self) -> int:
        return self.assessment.red_run

    @property
    def flags(self) -> list[str]:
        return self.assessment.flags

    # Words for pages and exports.
    @property
    def level_label(self) -> str:
        return _LEVEL_LABELS.get(self.level, self.level)

    @property
    def perspective_label(self) -> str:
        return _PERSPECTIVE_LABELS.get(self.perspective, self.perspective)

    @property
    def metric_category_label(self) -> str:
        return _CATEGORY_LABELS.get(self.metric_category, self.metric_category)

    @property
    def frequency_label(self) -> str:
        return _FREQUENCY_LABELS.get(self.frequency, self.frequency)

    @property
    def direction_label(self) -> str:
        return _DIRECTION_LABELS.get(self.direction, self.direction)

    @property
    def unit_label(self) -> str:
        return unit_name(self.unit)

    @property
    def value_status(self) -> str:
        """Whether the current figure is final, provisional, or there is none."""
        if self.provisional:
            return PROVISIONAL_NOTE
        return "Approved" if self.current_display else "Not reported"

    @property
    def compared_with(self) -> str:
        """The period the change is compared with: "2025/26 Q1, the same quarter last year" for
        a year-to-date or seasonal KPI, else the period before ("2025/26 Q4")."""
        if self.assessment.same_period_last_year:
            return f"{self.previous_label}, the same {self.kind} last year"
        return self.previous_label

    @property
    def comparison(self) -> str:
        """ "compared with 2025/26 Q1, the same quarter last year" """
        return f"compared with {self.compared_with}"

    @property
    def change_text(self) -> str:
        """ "↑ Improved (compared with 2025/26 Q1, the same quarter last year)" """
        return f"{self.change.arrow} {self.change.label} ({self.comparison})"

    @property
    def trend_text(self) -> str:
        return f"{self.trend.arrow} {self.trend.label}"

    @property
    def forecast_text(self) -> str:
        """ "Forecast for 2025/26 Q3: 72.1% (Amber)" – always says it is a forecast."""
        return self._projection(f"Forecast for {self.forecast_label}", self.assessment.forecast)

    @property
    def year_end_text(self) -> str:
        return self._projection("Projected year-end", self.assessment.year_end)

    @property
    def forecast_or_why_not(self) -> str:
        """The forecast in words, or why there is none, as every page and pack shows it."""
        return self.forecast_text or self.no_forecast

    def _projection(self, what: str, projection: Projection | None) -> str:
        if projection is None:
            return ""
        text = f"{what}: {value_text(self.unit, projection.value, self.decimals)}"
        if projection.rating.is_performance:
            text += f" ({projection.rating.label})"
        return text


@dataclass(frozen=True)
class SummaryLine:
    rating: Rating | None  # None for the Total line
    label: str
    count: int
    percent: int
    provisional: int = 0  # how many of `count` rest on provisional values


@dataclass(frozen=True)
class Group:
    perspective: str
    label: str
    rows: list[Row]


@dataclass
class Scorecard:
    kind: str
    title: str
    period: ReportingPeriod
    directorate: Directorate | None
    committee: Committee | None
    filters: Filters
    rows: list[Row]  # after every filter, grouped order (one page's rows when paginated)
    summary: list[SummaryLine]  # Blue … Suspended, then Total
    not_reported: SummaryLine
    kpi_count: int  # in scope after the level and priority filters
    policy_description: str
    row_count: int = 0  # after every filter, on all pages
    page: Page | None = None  # the page shown, when the scorecard is paginated
    continues_perspective: bool = False  # the page starts part-way through a perspective
    how_to_read: tuple[str, ...] = HOW_TO_READ  # the assessment's rules, in words
    provisional_count: int = 0  # KPIs in the summary whose current value is provisional

    @property
    def provisional_text(self) -> str:
        """ "3 of 42 ratings are provisional: submitted, not yet approved." """
        return provisional_words(self.provisional_count, self.kpi_count)

    @property
    def groups(self) -> list[Group]:
        groups: dict[str, list[Row]] = {}
        for row in self.rows:
            groups.setdefault(row.perspective, []).append(row)
        return [
            Group(perspective, _PERSPECTIVE_LABELS.get(perspective, perspective), rows)
            for perspective, rows in groups.items()
        ]

    @property
    def slug(self) -> str:
        who = {
            "organisation": "organisation",
            "directorate": f"directorate-{self.directorate.short_name if self.directorate else ''}",
            "committee": f"committee-{self.committee.short_name if self.committee else ''}",
        }[self.kind]
        text = f"scorecard-{who}-{self.period.label}"
        return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()


# The scorecard -----------------------------------------------------------------------------------


def scope_queryset(
    *,
    kind: str,
    period: ReportingPeriod,
    directorate: Directorate | None = None,
    committee: Committee | None = None,
) -> QuerySet[Kpi]:
    """The KPIs a scorecard covers for a period (unfiltered, unevaluated)."""
    kpis = Kpi.objects.exclude(date_removed__lt=period.starts_on).exclude(
        date_added__gt=period.ends_on
    )
    if kind == "organisation":
        return kpis.filter(level__in=ORGANISATION_LEVELS)
    if kind == "directorate":
        if directorate is None:
            raise ValueError("A directorate scorecard needs a directorate.")
        return kpis.filter(directorate=directorate)
    if kind == "committee":
        if committee is None:
            raise ValueError("A committee scorecard needs a committee.")
        day = period.ends_on
        current = CommitteeMembership.objects.in_force_on(day).filter(
            kpi=OuterRef("pk"), committee=committee
        )
        return kpis.filter(Exists(current))
    raise ValueError(f"Unknown scorecard kind {kind!r}; expected one of {', '.join(KINDS)}.")


def scorecard(
    *,
    kind: str,
    period: ReportingPeriod,
    directorate: Directorate | None = None,
    committee: Committee | None = None,
    rag: tuple[str, ...] | list[str] = (),
    level: tuple[str, ...] | list[str] = (),
    priority: int | None = None,
    page_size: int | None = None,
    page: int | str | None = None,
    keep_points: bool = False,
) -> Scorecard:
    """One balanced scorecard for a period: rows, RAG summary, forecasts and flags.

    Five queries whatever the number of KPIs: the RAG policy, the KPIs, the periods, the targets
    and the values (one values() query for the whole history window).

    With `page_size`, rows are made for one page only (`page`, 1 by default; out-of-range or
    malformed numbers give the nearest page): every KPI's current rating is read first for the
    summary, the RAG filter and the order, then the full rows for that page's KPIs (eight queries).
    With `keep_points`, each row keeps its history's points for a chart (packs).
    """
    filters = Filters(rag=tuple(rag), level=tuple(level), priority=priority)
    kpis_qs = scope_queryset(kind=kind, period=period, directorate=directorate, committee=committee)
    if filters.level:
        kpis_qs = kpis_qs.filter(level__in=filters.level)
    if filters.priority:
        kpis_qs = kpis_qs.filter(priorities=filters.priority)
    council = RagPolicy.current()
    kpis = _kpi_records(kpis_qs)
    scope = kpis_qs.values("pk")
    shown_page, continued = None, False
    if page_size is None:
        rows = _rows(kpis, scope, period=period, council=council, keep_points=keep_points)
        rated = [(row, _Current(row.rating, row.provisional)) for row in rows]
    else:
        currents = _current_ratings(kpis, scope, period=period, council=council)
        rated = list(zip(kpis, currents, strict=True))
    rated.sort(key=lambda pair: _order(pair[0]))
    summary, not_reported = rag_summary(current for _, current in rated)
    if filters.rag:
        wanted = set(filters.rag)
        rated = [pair for pair in rated if pair[1].rating.value in wanted]
    row_count = len(rated)
    if page_size is None:
        rows = [row for row, _ in rated]
    else:
        shown_page = Paginator([k for k, _ in rated], page_size).get_page(page)
        on_page = list(shown_page.object_list)
        rows = _rows(
            on_page,
            [k.pk for k in on_page],
            period=period,
            council=council,
            keep_points=keep_points,
        )
        before = shown_page.start_index() - 2  # the last KPI of the page before, if any
        continued = before >= 0 and rated[before][0].perspective == on_page[0].perspective
    return Scorecard(
        kind=kind,
        title=_title(kind, directorate, committee),
        period=period,
        directorate=directorate,
        committee=committee,
        filters=filters,
        rows=rows,
        summary=summary,
        not_reported=not_reported,
        kpi_count=sum(line.count for line in summary[:-1]) + not_reported.count,
        policy_description=policy.policy_words(council),
        row_count=row_count,
        page=shown_page,
        continues_perspective=continued,
        provisional_count=sum(line.provisional for line in summary[:-1]) + not_reported.provisional,
    )


def _title(kind: str, directorate: Directorate | None, committee: Committee | None) -> str:
    if kind == "organisation":
        return "Organisational scorecard"
    if kind == "directorate":
        return f"{directorate.name} scorecard"
    return f"{committee.name} scorecard"


def _order(kpi: _Kpi | Row) -> tuple:
    """Grouped by perspective in the framework's order, then by reference (9 before 10)."""
    return (_PERSPECTIVE_ORDER.get(kpi.perspective, 99), natural_key(kpi.reference))


def rag_summary(currents) -> tuple[list[SummaryLine], SummaryLine]:
    """Counts and whole-number percentages in the 2022 report's order, then Not reported; each
    line with how many of its KPIs' current values are provisional.

    `currents`: each KPI's (rating, provisional). Total is the sum of the eight statuses (they make
    100%); Not reported is a percentage of every KPI in the scorecard.
    """
    counts = dict.fromkeys(Rating, 0)
    provisional = dict.fromkeys(Rating, 0)
    for r, is_provisional in currents:
        counts[r] += 1
        provisional[r] += is_provisional
    total = sum(counts[r] for r in rating.SUMMARY_ORDER)
    everything = total + counts[Rating.NOT_REPORTED]
    lines = [
        SummaryLine(r, r.label, counts[r], _percent(counts[r], total), provisional[r])
        for r in rating.SUMMARY_ORDER
    ]
    total_provisional = sum(provisional[r] for r in rating.SUMMARY_ORDER)
    lines.append(SummaryLine(None, "Total", total, 100 if total else 0, total_provisional))
    not_reported = SummaryLine(
        Rating.NOT_REPORTED,
        Rating.NOT_REPORTED.label,
        counts[Rating.NOT_REPORTED],
        _percent(counts[Rating.NOT_REPORTED], everything),
        provisional[Rating.NOT_REPORTED],
    )
    return lines, not_reported


def provisional_words(count: int, total: int) -> str:
    """How many of a summary's ratings rest on provisional values, in words."""
    if not total:
        return ""
    verb = "is" if count == 1 else "are"
    return (
        f"{count} of {total} rating{'' if total == 1 else 's'} {verb} provisional: "
        f"{Measurement.PROVISIONAL_MEANING}."
    )


def _percent(count: int, total: int) -> int:
    if not total:
        return 0
    return int((Decimal(count) * 100 / total).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# The engine ------------------------------------------------------------------------------------


def _measures(council: RagPolicy):
    """measure_of(kpi): how the KPI is read and rated (kpis.rating.assessment.Measure), with
    policies cached.

    Building an engine policy from the council's RagPolicy costs more than rating a value; over
    thousands of values that is most of the cost, so the council's policy is built once and a
    KPI's own only if it overrides it.
    """
    base = policy.engine_policy(council)
    cache: dict[int, Measure] = {}
    bounds: dict[tuple[str, bool], tuple[float | None, float | None]] = {}

    def measure_of(kpi: _Kpi) -> Measure:
        found = cache.get(kpi.pk)
        if found is None:
            has_own = (
                kpi.rag_amber_tolerance is not None
                or kpi.rag_tolerance_basis
                or kpi.rag_use_intervention_levels is not None
            )
            key = (kpi.unit, kpi.allows_values_outside_0_100)
            if key not in bounds:
                bounds[key] = _bounds(*key)
            lower, upper = bounds[key]
            found = Measure(
                direction=kpi.direction,
                status=kpi.status,
                policy=policy.engine_policy(council, kpi) if has_own else base,
                contextual=kpi.target_kind == Kpi.TargetKind.CONTEXTUAL,
                periods_in_year=PERIODS_IN_YEAR[FREQUENCY_TO_KIND[kpi.frequency]],
                value_basis=kpi.value_basis,
                year_figure=kpi.year_figure,
                seasonal=kpi.seasonal,
                lower=lower,
                upper=upper,
            )
            cache[kpi.pk] = found
        return found

    return measure_of


def _bounds(unit: str, allows_outside: bool) -> tuple[float | None, float | None]:
    """What a KPI's figures can be (kpis.register.models), as the assessment's plain numbers."""
    lower, upper = kpi_value_bounds(unit, allows_values_outside_0_100=allows_outside)
    return (
        None if lower is None else float(lower),
        None if upper is None else float(upper),
    )


def _fetch(queryset: QuerySet) -> list[tuple]:
    """Run a values_list() query's own SQL and return the database's tuples as they come.

    Django's per-value converters cost more than the query itself over tens of thousands of
    rows. Only for columns that need none: integers, text, floats (Cast) and booleans (0/1 on
    SQLite, bool on PostgreSQL — both test true or false alike).
    """
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@contextlib.contextmanager
def _cyclic_gc_paused():
    """Building thousands of rows allocates hundreds of thousands of small objects, none in a
    reference cycle; the cyclic collector would otherwise sweep the whole heap many times over
    (a fifth of the time for a 2,000-KPI scorecard). Reference counting still frees everything."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(slots=True)
class _Window:
    """What a scorecard reads for its KPIs: periods as positions, their targets and values."""

    end_at: dict[str, int]  # by period kind: the last period ending by the scorecard's end
    start_in: dict[str, int]  # the first period starting within the scorecard's period
    first_at: dict[str, int]  # the first period of the history read
    period_ids: dict[tuple[str, int], int]
    targets: dict[tuple[int, int], list[_Target]]
    values: dict[int, dict[int, _Stored]]  # KPI → position → the value stored for it


def _kpi_records(kpis_qs: QuerySet[Kpi]) -> list[_Kpi]:
    return [_Kpi(*fields) for fields in kpis_qs.order_by().values_list(*_KPI_FIELDS)]


def _window(
    kpis: list[_Kpi], scope, *, period: ReportingPeriod, history: dict[str, int] | None
) -> _Window:
    """Three queries (periods, targets, values) for `kpis`; `scope` selects them in SQL.

    `history` is how many periods of each kind to read back from the scorecard's end; None reads
    only the periods within the scorecard's own period (enough for the current rating).
    """
    kinds = {FREQUENCY_TO_KIND[k.frequency] for k in kpis}
    end_at = {kind: _last_ending_by(kind, period.ends_on) for kind in kinds}
    start_in = {kind: _first_starting_from(kind, period.starts_on) for kind in kinds}
    first_at = {
        kind: end_at[kind] - history[kind] + 1
        if history is not None
        else min(start_in[kind], end_at[kind])
        for kind in kinds
    }
    period_ids = _period_ids(first_at, end_at)
    # The values of the periods a row can show come with their commentary; none when only
    # ratings are wanted. The period after the end is there only for its target (forecasts).
    read = {key: pk for key, pk in period_ids.items() if key[1] <= end_at[key[0]]}
    shown = [
        pk
        for (kind, position), pk in read.items()
        if history is not None and min(start_in[kind], end_at[kind]) <= position
    ]
    return _Window(
        end_at,
        start_in,
        first_at,
        period_ids,
        _targets_of(scope, first_at, end_at),
        _values_of(scope, read, shown),
    )


def _period_ids(first_at: dict[str, int], end_at: dict[str, int]) -> dict[tuple[str, int], int]:
    """Query: the reporting periods in the window, and the one after it (a forecast is rated
    against its target), by (kind, position)."""
    earliest = min(
        period_spec(kind, *_unposition(kind, first)).starts_on for kind, first in first_at.items()
    )
    latest = max(
        period_spec(kind, *_unposition(kind, end + 1)).ends_on for kind, end in end_at.items()
    )
    period_ids: dict[tuple[str, int], int] = {}
    for pk, kind, year, number in ReportingPeriod.objects.filter(
        kind__in=list(first_at), starts_on__gte=earliest, ends_on__lte=latest
    ).values_list("pk", "kind", "financial_year", "number"):
        position = _position(kind, year, number)
        if first_at[kind] <= position <= end_at[kind] + 1:
            period_ids[(kind, position)] = pk
    return period_ids


def _targets_of(
    scope, first_at: dict[str, int], end_at: dict[str, int]
) -> dict[tuple[int, int], list[_Target]]:
    """Query: targets for every financial year in the window and the next period's (forecasts)."""
    years = {
        year
        for kind in first_at
        for year in range(
            first_at[kind] // PERIODS_IN_YEAR[kind], (end_at[kind] + 1) // PERIODS_IN_YEAR[kind] + 1
        )
    }
    targets: dict[tuple[int, int], list[_Target]] = {}
    for kpi_id, period_id, year, value, intervention in (
        Target.objects.filter(kpi__in=scope, financial_year__in=sorted(years))
        .order_by()  # no default ordering: it would join the KPIs and periods to sort
        .values_list("kpi_id", "period_id", "financial_year", "value", "intervention_level")
    ):
        targets.setdefault((kpi_id, year), []).append(_Target(period_id, year, value, intervention))
    return targets


def _values_of(
    scope, period_ids: dict[tuple[str, int], int], shown: list[int]
) -> dict[int, dict[int, _Stored]]:
    """Query: every value in the window readers may see, KPI → position → its stored fields.

    The one place scorecards, KPI charts, exports and packs read values: only approved and
    provisional ones (Measurement.REPORTED); drafts and returned values, with their commentary
    and action plans, are left in the database.

    Values come as floats (no Decimal conversion for thousands of history values; a stored value
    has at most 4 decimal places, so repr() gives it back exactly); commentary only for the
    `shown` periods, not the whole history.
    """
    position_of = {pk: key for key, pk in period_ids.items()}
    values: dict[int, dict[int, _Stored]] = {}
    if not position_of:
        return values

    def shown_only(name: str) -> Case:
        return Case(
            When(period_id__in=shown, then=F(name)), default=Value(""), output_field=TextField()
        )

    for kpi_id, period_id, *m in _fetch(
        Measurement.objects.filter(kpi__in=scope, period_id__in=list(position_of))
        .filter(status__in=Measurement.REPORTED)
        .order_by()  # no default ordering: it would join the KPIs and periods to sort
        .annotate(
            float_value=Cast("value", FloatField()),
            shown_commentary=shown_only("commentary"),
            shown_action_plan=shown_only("action_plan"),
        )
        .values_list(
            "kpi_id",
            "period_id",
            "float_value",
            "not_available",
            "status",
            "rating",
            "shown_commentary",
            "shown_action_plan",
        )
    ):
        values.setdefault(kpi_id, {})[position_of[period_id][1]] = _Stored(*m)
    return values


@_cyclic_gc_paused()
def _rows(
    kpis: list[_Kpi],
    scope,
    *,
    period: ReportingPeriod,
    council: RagPolicy,
    keep_points: bool = False,
) -> list[Row]:
    """Every KPI's full row (trend, forecasts, flags) from three queries; see _window."""
    if not kpis:
        return []
    window = _window(kpis, scope, period=period, history=CHART_PERIODS if keep_points else HISTORY)
    measure_of = _measures(council)
    rows = []
    for kpi in kpis:
        kind = FREQUENCY_TO_KIND[kpi.frequency]
        rows.append(
            _row(
                kpi,
                kind=kind,
                first=window.first_at[kind],
                end=window.end_at[kind],
                start_in=window.start_in[kind],
                measured=window.values.get(kpi.pk, {}),
                targets=window.targets,
                period_ids=window.period_ids,
                measure=measure_of(kpi),
                keep_points=keep_points,
            )
        )
    return rows


class _Current(NamedTuple):
    rating: Rating
    provisional: bool


def _current_ratings(
    kpis: list[_Kpi], scope, *, period: ReportingPeriod, council: RagPolicy
) -> list[_Current]:
    """Each KPI's current rating only, and whether it is provisional, exactly as its full row has
    them, reading only the values within the scorecard's period (three queries). For the RAG
    summary and filter of a page that shows one slice of a large scorecard: the full rows are
    then made for that slice alone."""
    if not kpis:
        return []
    window = _window(kpis, scope, period=period, history=None)
    measure_of = _measures(council)
    ratings = []
    for kpi in kpis:
        kind = FREQUENCY_TO_KIND[kpi.frequency]
        measured = window.values.get(kpi.pk, {})
        current = _current_position(window.end_at[kind], window.start_in[kind], measured)
        year = current // PERIODS_IN_YEAR[kind]
        target = target_for(
            kpi,
            _Period(window.period_ids.get((kind, current)), year),
            window.targets.get((kpi.pk, year), []),
        )
        m = measured.get(current)
        ratings.append(
            _Current(measure_of(kpi).rate_reading(_reading(m, target)), _is_provisional(m))
        )
    return ratings


_RATINGS = {r.value: r for r in Rating}


def _decimal(value: float | None) -> Decimal | None:
    """A stored value fetched as a float, back to the Decimal it was stored as (as typed)."""
    return None if value is None else Decimal(repr(value))


def _current_position(end: int, start_in: int, measured: dict[int, _Stored]) -> int:
    """The KPI's current period: the latest of its own periods within the scorecard's period that
    has a value (a monthly KPI on a quarterly scorecard), else the last one ending by its end."""
    for position in range(end, start_in - 1, -1):
        m = measured.get(position)
        if m is not None and m.value is not None:
            return position
    return end


def _reading(m: _Stored | None, target: _Target | None) -> Reading:
    """A period's value as the assessment reads it: with the rating it was reported with (else
    the engine rates it; see the module docstring). Only approved and provisional values reach
    here (`_values_of`)."""
    goal = target.value if target else None
    intervention = target.intervention_level if target else None
    if m is None:
        return Reading(target=goal, intervention=intervention)
    reported = _RATINGS[m.rating] if m.status in Measurement.REPORTED and m.rating else None
    return Reading(m.value, bool(m.not_available), reported, goal, intervention)


def _row(
    kpi: _Kpi,
    *,
    kind: str,
    first: int,
    end: int,
    start_in: int,
    measured: dict[int, _Stored],
    targets: dict[tuple[int, int], list[_Target]],
    period_ids: dict[tuple[str, int], int],
    measure: Measure,
    keep_points: bool,
) -> Row:
    """The KPI's row: its assessment (kpis.rating.assessment) arranged with its register fields."""
    current = _current_position(end, start_in, measured)
    target_at = _target_finder(kpi, kind, targets, period_ids)
    positions = range(first, current + 1)
    readings = [_reading(measured.get(position), target_at(position)) for position in positions]
    assessed_from = max(first, end - HISTORY[kind] + 1)  # a chart's window may be longer
    assessment = assess(
        measure,
        readings[assessed_from - first :],
        next_target=_goal(target_at(current + 1) or target_at(current)),
        **_year_end_inputs(kpi, kind, assessed_from, current, targets),
    )
    m = measured.get(current)
    compared = current - assessment.compared_back  # the period before, or a year before
    previous_m = measured.get(compared)
    current_value = _decimal(m.value) if m else None
    target = target_at(current)
    updated = next((p for p in reversed(positions) if readings[p - first].value is not None), None)
    return Row(
        kpi_id=kpi.pk,
        reference=kpi.reference,
        name=kpi.name,
        directorate=kpi.directorate,
        level=kpi.level,
        perspective=kpi.perspective,
        metric_category=kpi.metric_category,
        frequency=kpi.frequency,
        unit=kpi.unit,
        decimals=kpi.decimals,
        direction=kpi.direction,
        status=kpi.status,
        kind=kind,
        period_label=_label(kind, current),
        last_updated=_label(kind, updated) if updated is not None else "",
        target=target.value if target else None,
        target_display=_target_text(
            kpi, target, intervention=measure.policy.use_intervention_levels
        ),
        current=current_value,
        current_display=_value_display(kpi, m),
        previous=_decimal(previous_m.value) if previous_m else None,
        previous_display=_value_display(kpi, previous_m, not_available_words=False),
        previous_label=_label(kind, compared),
        commentary=m.commentary if m else "",
        action_plan=m.action_plan if m else "",
        provisional=_is_provisional(m),
        forecast_label=_label(kind, current + 1),
        assessment=assessment,
        points=_points(
            kpi, kind, positions, measured, _ratings(readings, assessment, measure), target_at
        )
        if keep_points
        else [],
    )


def _target_finder(kpi: _Kpi, kind: str, targets, period_ids):
    """target_at(position): the target a period of the KPI is measured against, looked up once."""
    found: dict[int, _Target | None] = {}

    def target_at(position: int) -> _Target | None:
        if position not in found:
            year = position // PERIODS_IN_YEAR[kind]
            found[position] = target_for(
                kpi,
                _Period(period_ids.get((kind, position)), year),
                targets.get((kpi.pk, year), []),
            )
        return found[position]

    return target_at


def _goal(target: _Target | None) -> Goal | None:
    return None if target is None else Goal(target.value, target.intervention_level)


def _year_end_inputs(kpi: _Kpi, kind: str, first: int, current: int, targets) -> dict:
    """Where the current financial year starts among the readings (a running total's banked
    figure), and its annual target for the year-end projection: only for a KPI with an annual
    target reported more often than yearly."""
    year = current // PERIODS_IN_YEAR[kind]
    inputs: dict = {"year_start": _position(kind, year, 1) - first}
    if kpi.target_kind != Kpi.TargetKind.ANNUAL or kind == "year":
        return inputs
    annual = next((t for t in targets.get((kpi.pk, year), ()) if t.period_id is None), None)
    if annual is not None:
        inputs["annual_target"] = _goal(annual)
    return inputs


def _value_display(kpi: _Kpi, m: _Stored | None, *, not_available_words: bool = True) -> str:
    if m and m.not_available and not_available_words:
        return "Not available"
    return value_text(kpi.unit, _decimal(m.value) if m else None, kpi.decimals)


def _is_provisional(m: _Stored | None) -> bool:
    """Submitted, not yet approved (Measurement.PROVISIONAL)."""
    return m is not None and m.status in Measurement.PROVISIONAL


def _ratings(readings: list[Reading], assessment: Assessment, measure: Measure) -> list[Rating]:
    """Every reading's rating: the assessed ones from the assessment, older ones (a chart's)
    rated the same way."""
    older = readings[: len(readings) - len(assessment.ratings)]
    return [measure.rate_reading(reading) for reading in older] + list(assessment.ratings)


def _points(kpi: _Kpi, kind: str, positions: range, measured, ratings, target_at) -> list[Point]:
    """The chart's points and its data table: each period's value, target and rating."""
    points = []
    for position, rated in zip(positions, ratings, strict=True):
        m = measured.get(position)
        target = target_at(position)
        points.append(
            Point(
                label=_label(kind, position),
                value=_decimal(m.value) if m else None,
                value_display=_value_display(kpi, m),
                target=target.value if target else None,
                target_display=_target_text(kpi, target),
                rating=rated,
                provisional=_is_provisional(m),
            )
        )
    return points


def _target_text(kpi: _Kpi, target: _Target | None, *, intervention: bool = False) -> str:
    """The target as pages, exports and packs write it; with its intervention level where the
    KPI is rated by one (the council's RAG policy or the KPI's own setting): "80%, intervention
    level 65%"."""
    if kpi.target_kind == Kpi.TargetKind.CONTEXTUAL:
        return "Contextual"
    if target is not None:
        text = value_text(kpi.unit, target.value, kpi.decimals)
        if intervention and target.intervention_level is not None:
            level = value_text(kpi.unit, target.intervention_level, kpi.decimals)
            text += f", intervention level {level}"
        return text
    if kpi.long_term_target is not None:
        text = value_text(kpi.unit, kpi.long_term_target, kpi.decimals)
        year = f" by {kpi.long_term_target_year}" if kpi.long_term_target_year else ""
        return f"{text}{year} (long-term)"
    return "No target set"


# One KPI ---------------------------------------------------------------------------------------


@dataclass
class KpiPerformance:
    kpi: Kpi
    row: Row | None  # None when the KPI has no reporting periods yet
    how_to_read: tuple[str, ...] = HOW_TO_READ  # the assessment's rules, in words


def kpi_performance(kpi: Kpi, *, upto: ReportingPeriod | None = None) -> KpiPerformance:
    """One KPI's recent history, current row, forecast and flags, for its chart page.

    Reads up to the latest period of the KPI's own frequency that has a value (or `upto`).
    Five queries.
    """
    kind = FREQUENCY_TO_KIND[kpi.frequency]
    if upto is None:
        upto = (
            ReportingPeriod.objects.filter(
                kind=kind,
                measurements__kpi=kpi,
                measurements__value__isnull=False,
                measurements__status__in=Measurement.REPORTED,
            )
            .order_by("-starts_on")
            .first()
        )
    if upto is None:
        upto = ReportingPeriod.objects.filter(kind=kind).order_by("-starts_on").first()
    if upto is None:
        return KpiPerformance(kpi=kpi, row=None)
    one = Kpi.objects.filter(pk=kpi.pk)
    row = _rows(
        _kpi_records(one),
        one.values("pk"),
        period=upto,
        council=RagPolicy.current(),
        keep_points=True,
    )[0]
    first_value = next((n for n, p in enumerate(row.points) if p.value is not None), None)
    row.points = row.points[first_value:] if first_value is not None else row.points[-1:]
    return KpiPerformance(kpi=kpi, row=row)


# Choosing a scorecard --------------------------------------------------------------------------


def latest_period_with_values() -> ReportingPeriod | None:
    """The latest quarter with any value readers may see (else the latest period of any kind),
    never one that has not begun yet."""
    return ReportingPeriod.objects.latest_with_values(timezone.localdate())


def period_by_label(label: str) -> ReportingPeriod:
    """ "2025/26 Q2" → the ReportingPeriod; ValueError with a message for a person otherwise."""
    kind, year, number = parse_label(label)
    try:
        return ReportingPeriod.objects.get(kind=kind, financial_year=year, number=number)
    except ReportingPeriod.DoesNotExist:
        raise ValueError(f"There is no reporting period “{label.strip()}”.") from None


def resolve_spec(spec: str) -> tuple[str, Directorate | None, Committee | None]:
    """ "organisation", "directorate:<short name>" or "committee:<short name>"."""
    kind, _, name = spec.partition(":")
    kind = kind.strip().lower()
    if kind == "organisation" and not name:
        return kind, None, None
    if kind == "directorate" and name:
        try:
            return kind, Directorate.objects.get(short_name__iexact=name.strip()), None
        except Directorate.DoesNotExist:
            raise ValueError(f"There is no directorate with the short name “{name}”.") from None
    if kind == "committee" and name:
        try:
            return kind, None, Committee.objects.get(short_name__iexact=name.strip())
        except Committee.DoesNotExist:
            raise ValueError(f"There is no committee with the short name “{name}”.") from None
    raise ValueError(
        f"“{spec}” is not a scorecard: use organisation, directorate:<short name> "
        "or committee:<short name>."
    )
