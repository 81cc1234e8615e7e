"""Bulk entry of values from a spreadsheet (CSV or XLSX): one row per KPI per period; and of
targets, with their export in the same format.

The formats are documented in docs/import-formats.md ("Values", "Targets"); change them together.

An import is all or nothing: every row is checked against the same rules as the entry page
(`kpis.reporting.services`: who may enter, the period's state, the unit's validation, the computed
value and the rating), and if any row is wrong the result lists every error and nothing is
written. Re-importing a file changes nothing. A preview (apply=False) writes nothing.

Speed: everything a file can refer to is loaded up front in a fixed number of queries, the rows
are checked with the pure functions of `kpis.reporting.services` (not `measurement_save`, which
costs several queries a row), and the values and their history records are written with one
statement each (see `_write`), so a large file is quick to write and the number of queries never
grows with the file.
"""

import datetime
import enum
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F

from kpis.register.io import RowError, heading_errors
from kpis.register.models import Kpi
from kpis.reporting import periods as fy
from kpis.reporting import quality
from kpis.reporting.models import Measurement, RagPolicy, ReportingPeriod, Target
from kpis.reporting.policy import not_collected_reason, target_for
from kpis.reporting.services import (
    Entry,
    computed_value,
    entry_errors,
    rate_entry,
    ratings_recompute,
    target_set,
)
from kpis.rules import enterable_kpis
from pmf import clock
from pmf.formatting import input_text
from pmf.models import User
from pmf.spreadsheets import (
    SpreadsheetError,
    Table,
    parse_number,
    parse_yes_no,
    quoted,
    read_table,
    write_csv,
    write_xlsx,
)

__all__ = [
    "COLUMNS",
    "Outcome",
    "RowError",
    "RowOutcome",
    "TargetsImportResult",
    "ValuesImportResult",
    "targets_export",
    "targets_export_csv",
    "targets_export_xlsx",
    "targets_import",
    "values_import",
]

COLUMNS = (
    "reference",
    "period",
    "value",
    "numerator",
    "denominator",
    "not_available",
    "not_available_reason",
    "commentary",
    "action_plan",
    "data_quality_note",
    "query_explanation",
)
REQUIRED = ("reference", "period")
NUMBER_COLUMNS = ("value", "numerator", "denominator")
# If any of these columns is in the file, all four are taken from it (a missing one is blank),
# so that a value can never be left behind beside a new numerator and denominator.
VALUE_GROUP = (*NUMBER_COLUMNS, "not_available")
TEXT_COLUMNS = (
    "not_available_reason",
    "commentary",
    "action_plan",
    "data_quality_note",
    "query_explanation",
)
# What a bulk write sets on a changed Measurement (besides Entry.FIELDS).
WRITTEN_FIELDS = [
    *Entry.FIELDS,
    "status",
    "rating",
    "is_historic_load",
    "historic_authority",
    "loaded_by",
    "loaded_at",
    "entered_by",
    "approved_by",
    "approved_at",
    "version",
    "updated_at",
]
FILE_ROW = 1  # file-level problems are reported against the heading row
AUTHORITY_NEEDED = (
    "Say on what authority these historic values are loaded, for example “2024/25 outturn from "
    "the finance system, agreed by G&P”."
)


class Outcome(enum.StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    ERROR = "error"

    @property
    def label(self) -> str:
        return self.value.capitalize()


@dataclass(slots=True)
class RowOutcome:
    """What one row of the file would do (or did)."""

    row: int
    reference: str
    period: str
    outcome: Outcome
    errors: list[RowError] = field(default_factory=list)
    value: str = ""
    # The data-quality query the value will raise when it is submitted ("" for none), and
    # whether the row explains it (kpis.reporting.quality).
    query: str = ""
    explained: bool = False

    @property
    def reason(self) -> str:
        return " ".join(
            f"{error.column}: {error.message}" if error.column else error.message
            for error in self.errors
        )


@dataclass
class ValuesImportResult:
    rows: list[RowOutcome] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False
    # Set when `expected_fingerprint` no longer matches: the data changed since the preview.
    stale: bool = False
    fingerprint: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(Outcome, 0)
        for row in self.rows:
            counts[row.outcome] += 1
        return {str(outcome): count for outcome, count in counts.items()}

    @property
    def queried(self) -> int:
        return sum(1 for row in self.rows if row.query)

    @property
    def to_write(self) -> int:
        counts = self.counts
        return counts[Outcome.NEW] + counts[Outcome.CHANGED]

    def rows_errors_first(self) -> list[RowOutcome]:
        return [r for r in self.rows if r.outcome == Outcome.ERROR] + [
            r for r in self.rows if r.outcome != Outcome.ERROR
        ]


# Reading cells ------------------------------------------------------------------------------


def _same_text(stored: str, text: str) -> bool:
    # A file's text has LF line endings; text typed into a browser has CRLF.
    if "\r" in stored:
        stored = stored.replace("\r\n", "\n").replace("\r", "\n")
    return stored == text


def _entry_matches(entry: Entry, measurement: Measurement) -> bool:
    for name in Entry.FIELDS:
        mine, stored = getattr(entry, name), getattr(measurement, name)
        if isinstance(mine, str):
            if not _same_text(stored, mine):
                return False
        elif mine != stored:
            return False
    return True


# Loading what a file refers to ---------------------------------------------------------------


@dataclass
class _Loaded:
    kpis: dict[str, Kpi]
    periods: dict[tuple[str, int, int], ReportingPeriod]
    enterable: set[int] | None  # the KPIs the importer may enter; None for any
    council: RagPolicy
    existing: dict[tuple[int, int], Measurement] = field(default_factory=dict)
    targets: dict[tuple[int, int], list[Target]] = field(default_factory=dict)


def _load_register(by: User, *, lock: bool) -> _Loaded:
    """Every KPI and period (a register holds thousands, not millions) and the RAG policy."""
    # Whole KPIs: the rating reads the KPI's own RAG settings, and a deferred field would cost
    # a query per KPI.
    kpis = {kpi.reference: kpi for kpi in Kpi.objects.order_by()}
    period_query = ReportingPeriod.objects.order_by()
    if lock:
        # Nobody may lock (or reopen) a period half-way through an import.
        period_query = period_query.select_for_update()
    periods = {(p.kind, p.financial_year, p.number): p for p in period_query}
    return _Loaded(
        kpis=kpis, periods=periods, enterable=enterable_kpis(by), council=RagPolicy.current()
    )


def _load_values(loaded: _Loaded, period_ids: set[int], years: set[int], *, lock: bool) -> None:
    """The stored values of the periods named and the targets of their years: two queries."""
    if period_ids:
        query = Measurement.objects.filter(period_id__in=period_ids).order_by()
        if lock:
            query = query.select_for_update()
        loaded.existing = {(m.kpi_id, m.period_id): m for m in query}
    targets: dict[tuple[int, int], list[Target]] = defaultdict(list)
    if years:
        for target in Target.objects.filter(financial_year__in=years).order_by():
            targets[(target.kpi_id, target.financial_year)].append(target)
    loaded.targets = targets


# Checking rows ------------------------------------------------------------------------------


def _header_errors(table: Table) -> list[RowError]:
    return heading_errors(table, COLUMNS, REQUIRED, file="values", rows="values")


@dataclass(slots=True)
class _Row:
    number: int
    kpi: Kpi | None
    period: ReportingPeriod | None
    cells: dict[str, Any]
    errors: list[RowError]


def _read_row(
    number: int,
    row: dict[str, str],
    headers: list[str],
    loaded: _Loaded,
) -> _Row:
    errors: list[RowError] = []
    reference = row["reference"]
    kpi = loaded.kpis.get(reference)
    if not reference:
        errors.append(RowError(number, "reference", "Reference is required."))
    elif kpi is None:
        errors.append(
            RowError(number, "reference", f"There is no KPI with reference {quoted(reference)}.")
        )
    elif loaded.enterable is not None and kpi.pk not in loaded.enterable:
        errors.append(
            RowError(
                number,
                "reference",
                f"You are not the lead officer or a delegate for KPI {reference}, "
                "so you cannot import its values.",
            )
        )

    label = row["period"]
    period = None
    if not label:
        errors.append(RowError(number, "period", "Period is required."))
    else:
        try:
            key = fy.parse_label(label)
        except ValueError as error:
            errors.append(RowError(number, "period", str(error)))
        else:
            period = loaded.periods.get(key)
            if period is None:
                errors.append(
                    RowError(
                        number,
                        "period",
                        f"There is no reporting period {label} yet. Governance and Performance "
                        "set up periods before values can be entered for them.",
                    )
                )
            elif kpi is not None and fy.FREQUENCY_TO_KIND.get(kpi.frequency) != period.kind:
                example = {"month": "2025/26 Oct", "quarter": "2025/26 Q3", "year": "2025/26"}
                wanted = fy.FREQUENCY_TO_KIND.get(kpi.frequency, "quarter")
                errors.append(
                    RowError(
                        number,
                        "period",
                        f"KPI {kpi.reference} is reported {kpi.get_frequency_display().lower()}: "
                        f"give a {wanted}, like {example[wanted]}, not {label}.",
                    )
                )

    cells: dict[str, Any] = {}
    for header in headers:
        text = row[header]
        try:
            if header in NUMBER_COLUMNS:
                cells[header] = parse_number(text)
            elif header == "not_available":
                cells[header] = parse_yes_no(text) if text else False
            elif header in TEXT_COLUMNS:
                cells[header] = text
        except ValueError as error:
            errors.append(RowError(number, header, str(error)))
    return _Row(number, kpi, period, cells, errors)


def _entry_for(cells: dict[str, Any], existing: Measurement | None, has_value_group: bool) -> Entry:
    """The entry a row asks for: its columns, and the stored value's for columns it leaves out."""
    entry = Entry()
    if existing is not None:
        for name in Entry.FIELDS:
            setattr(entry, name, getattr(existing, name))
    if has_value_group:
        entry.value = cells.get("value")
        entry.numerator = cells.get("numerator")
        entry.denominator = cells.get("denominator")
        entry.not_available = cells.get("not_available", False)
    for name in TEXT_COLUMNS:
        if name in cells:
            setattr(entry, name, cells[name])
    return entry


@dataclass(slots=True)
class _Write:
    kpi: Kpi
    period: ReportingPeriod
    entry: Entry
    existing: Measurement | None
    rating: str


def _write_errors(
    number: int,
    kpi: Kpi,
    period: ReportingPeriod,
    existing: Measurement | None,
    *,
    runs_cycle: bool,
    historic: bool,
    today,
) -> list[RowError]:
    """The KPI's status, the period and sign-off rules, for a row that would change something."""
    if not historic and (reason := not_collected_reason(kpi)):
        return [RowError(number, "reference", reason)]
    if period.is_locked:
        return [
            RowError(
                number, "period", f"{period.label} is locked: its values can no longer be changed."
            )
        ]
    if historic:
        if period.is_open:
            return [
                RowError(
                    number,
                    "period",
                    f"{period.label} is open for entry: import its values without the historic "
                    "option, or close the period first.",
                )
            ]
        if period.state == ReportingPeriod.State.NOT_OPEN and period.ends_on >= today:
            return [
                RowError(
                    number,
                    "period",
                    f"{period.label} has not ended yet, so it has no historic values.",
                )
            ]
        return []
    if not period.is_open:
        hint = " Tick “historic load” to load values into a closed period." if runs_cycle else ""
        return [RowError(number, "period", f"{period.label} is not open for entry.{hint}")]
    signed = (Measurement.Status.SUBMITTED, Measurement.Status.APPROVED)
    if existing is not None and existing.status in signed and not runs_cycle:
        return [
            RowError(
                number,
                "value",
                f"KPI {kpi.reference}'s value for {period.label} has been "
                f"{existing.get_status_display().lower()}. Ask your approver to return it if it "
                "needs to change.",
            )
        ]
    return []


def _fingerprint(outcomes: list[RowOutcome], writes: list[_Write]) -> str:
    """Changes whenever the preview would say something different, or a stored value moves on."""
    digest = hashlib.sha256()
    for outcome in outcomes:
        digest.update(f"{outcome.row}:{outcome.outcome};".encode())
    for write in writes:
        version = write.existing.version if write.existing else 0
        digest.update(f"{write.kpi.pk}/{write.period.pk}@{version};".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class _Checking:
    """What every row of one file is checked against."""

    loaded: _Loaded
    runs_cycle: bool  # the importer runs the reporting cycle (G&P, the system actor)
    historic: bool
    today: datetime.date
    has_value_group: bool


def _check(
    table: Table,
    by: User,
    *,
    historic: bool,
    lock: bool,
) -> tuple[list[RowOutcome], list[RowError], list[_Write]]:
    loaded = _load_register(by, lock=lock)
    headers = [h for h in table.headers if h not in REQUIRED]
    read = [_read_row(number, row, headers, loaded) for number, row in table.numbered()]
    period_ids = {r.period.pk for r in read if r.period is not None}
    years = {r.period.financial_year for r in read if r.period is not None}
    _load_values(loaded, period_ids, years, lock=lock)
    checking = _Checking(
        loaded=loaded,
        runs_cycle=by.has_perm("kpis.run_cycle"),
        historic=historic,
        today=clock.localdate(),
        has_value_group=any(h in table.headers for h in VALUE_GROUP),
    )
    outcomes: list[RowOutcome] = []
    errors: list[RowError] = []
    writes: list[_Write] = []
    first_row: dict[tuple[int, int], int] = {}
    written: list[tuple[RowOutcome, _Write]] = []
    for r, (_, raw) in zip(read, table.numbered(), strict=True):
        outcome, write = _check_row(r, raw, checking, first_row)
        if outcome.errors:
            errors += outcome.errors
        elif write is not None:
            writes.append(write)
            written.append((outcome, write))
        outcomes.append(outcome)
    if not historic:
        _note_queries(written, loaded.council)
    return outcomes, errors, writes


def _note_queries(written: list[tuple[RowOutcome, _Write]], council: RagPolicy) -> None:
    """Mark each row whose value will be queried when it is submitted (one query).

    An import saves drafts, and a draft is never refused for being unusual: the query is asked
    on the entry page when the value is submitted. The preview shows it now, so that a slip
    (pence for pounds, a lost decimal point) is caught before the file is imported, and a
    `query_explanation` column carries the officer's explanation to the entry page. A historic
    load is not submitted, so it raises none.
    """
    asked = [
        (outcome, write)
        for outcome, write in written
        if write.entry.value is not None and not write.entry.not_available
    ]
    earlier = quality.earlier_values((write.kpi, write.period) for _, write in asked)
    for outcome, write in asked:
        compared = earlier.get((write.kpi.pk, write.period.pk))
        if compared:
            outcome.query = quality.query_for(write.kpi, write.entry.value, compared, council)
            outcome.explained = bool(outcome.query and write.entry.query_explanation.strip())


def _check_row(
    r: _Row, raw: dict[str, str], checking: _Checking, first_row: dict[tuple[int, int], int]
) -> tuple[RowOutcome, _Write | None]:
    """One row's outcome, every problem with it listed, and what it would write."""
    row_errors = r.errors + _repeated_row(r, first_row)
    existing = entry = None
    if r.kpi is not None and not any(error.column in VALUE_GROUP for error in row_errors):
        # Checked even when the row has other problems, so that every error is reported.
        existing, entry, field_errors = _entry_of(r, checking)
        row_errors += field_errors
    outcome, write = Outcome.ERROR, None
    if not row_errors and entry is not None and r.kpi is not None and r.period is not None:
        outcome = _outcome(entry, existing, historic=checking.historic)
        if outcome != Outcome.UNCHANGED:
            row_errors += _write_errors(
                r.number,
                r.kpi,
                r.period,
                existing,
                runs_cycle=checking.runs_cycle,
                historic=checking.historic,
                today=checking.today,
            )
            write = _Write(r.kpi, r.period, entry, existing, _rating(r, entry, checking))
    if row_errors:
        outcome, write = Outcome.ERROR, None
    result = RowOutcome(
        row=r.number,
        reference=raw["reference"],
        period=raw["period"],
        outcome=outcome,
        errors=row_errors,
        value=raw.get("value", ""),
    )
    return result, write


def _repeated_row(r: _Row, first_row: dict[tuple[int, int], int]) -> list[RowError]:
    """An error if an earlier row of the file gives the same KPI and period."""
    if r.kpi is None or r.period is None:
        return []
    key = (r.kpi.pk, r.period.pk)
    if key not in first_row:
        first_row[key] = r.number
        return []
    message = f"KPI {r.kpi.reference} for {r.period.label} is also on row {first_row[key]}."
    return [RowError(r.number, "period", message)]


def _entry_of(r: _Row, checking: _Checking) -> tuple[Measurement | None, Entry, list[RowError]]:
    """The stored value, what the row says, and the entry page's errors with it."""
    existing = None
    if r.period is not None:
        existing = checking.loaded.existing.get((r.kpi.pk, r.period.pk))
    entry = _entry_for(r.cells, existing, checking.has_value_group)
    entry.value = computed_value(r.kpi, entry)
    field_errors = entry_errors(r.kpi, entry)
    if checking.historic and entry.value is None and not entry.not_available:
        field_errors.setdefault("value", "Enter a value, or say it is not available and why")
    return existing, entry, [RowError(r.number, name, text) for name, text in field_errors.items()]


def _outcome(entry: Entry, existing: Measurement | None, *, historic: bool) -> Outcome:
    if existing is None:
        return Outcome.NEW
    unchanged = _entry_matches(entry, existing) and (
        not historic or existing.status == Measurement.Status.APPROVED
    )
    return Outcome.UNCHANGED if unchanged else Outcome.CHANGED


def _rating(r: _Row, entry: Entry, checking: _Checking) -> str:
    targets = checking.loaded.targets.get((r.kpi.pk, r.period.financial_year), [])
    return rate_entry(
        r.kpi,
        entry.value,
        target_for(r.kpi, r.period, targets),
        not_available=entry.not_available,
        council=checking.loaded.council,
    ).value


# Import -------------------------------------------------------------------------------------


def values_import(
    *,
    data: bytes,
    filename: str,
    by: User,
    apply: bool,
    historic: bool = False,
    authority: str = "",
    expected_fingerprint: str | None = None,
) -> ValuesImportResult:
    """Check a values file and, with apply=True and no errors, write it in one transaction.

    The management command acts as the system actor, or as a named person. Officers may import
    values for KPIs they lead or are delegated into open periods, saved as drafts; G&P may import
    any KPI's values, and with historic=True load them into closed (not locked) periods as
    approved values marked as a historic load, each recording who loaded it, when, and on what
    `authority` (required: "2024/25 outturn from the finance system, agreed by G&P").
    `expected_fingerprint` is the preview's fingerprint: if the stored data has moved on since,
    nothing is written and the result is marked stale.
    """
    if not by.has_perm("kpis.enter_value"):
        raise PermissionDenied("Only officers and Governance and Performance can import values.")
    if historic and not by.has_perm("kpis.run_cycle"):
        return ValuesImportResult(
            errors=[
                RowError(FILE_ROW, "", "Only Governance and Performance can load historic values.")
            ]
        )
    if historic and not authority.strip():
        return ValuesImportResult(errors=[RowError(FILE_ROW, "", AUTHORITY_NEEDED)])
    try:
        table = read_table(data, filename)
    except SpreadsheetError as error:
        return ValuesImportResult(errors=[RowError(FILE_ROW, "", str(error))])
    errors = _header_errors(table)
    if errors:
        return ValuesImportResult(errors=errors)

    try:
        with transaction.atomic():
            outcomes, errors, writes = _check(table, by, historic=historic, lock=apply)
            result = ValuesImportResult(
                rows=outcomes, errors=errors, fingerprint=_fingerprint(outcomes, writes)
            )
            if errors or not apply:
                return result
            if expected_fingerprint is not None and expected_fingerprint != result.fingerprint:
                result.stale = True
                return result
            _write(
                writes,
                by=by,
                filename=filename,
                historic=historic,
                authority=authority.strip() if historic else "",
            )
            result.applied = True
            return result
    except IntegrityError:
        # Someone saved one of these values between our checks and our writes.
        return ValuesImportResult(
            errors=[
                RowError(FILE_ROW, "", "Values changed while importing. Upload the file again.")
            ]
        )


def _write(
    writes: list[_Write], *, by: User, filename: str, historic: bool, authority: str = ""
) -> None:
    """Insert the new values, update the changed ones and record every one in their history.

    The rows go to the database with one `executemany` per statement rather than through
    `bulk_create`/`bulk_update`: Django's per-value SQL compilation was most of the time of a
    100,000-value import with its history records, and the ORM's batches made the number of queries
    grow with the file. The history records are the ones django-simple-history would write (same
    table, same columns): who, when, "Imported from <file>", and every field after the change.
    """
    name = PurePath(filename).name
    reason = (f"Historic load from {name}" if historic else f"Imported from {name}")[:100]
    now = clock.now()
    status = Measurement.Status.APPROVED if historic else Measurement.Status.DRAFT
    by_id = by.pk
    fields = [f for f in Measurement._meta.concrete_fields]
    defaults = {f.attname: None if f.primary_key else f.get_default() for f in fields}
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for write in writes:
        if write.existing is None:
            values = dict(defaults, kpi_id=write.kpi.pk, period_id=write.period.pk, version=0)
        else:
            values = {f.attname: getattr(write.existing, f.attname) for f in fields}
        for field_name in Entry.FIELDS:
            values[field_name] = getattr(write.entry, field_name)
        values["status"] = status
        values["rating"] = write.rating
        values["is_historic_load"] = values["is_historic_load"] or historic
        if by_id is not None:
            values["entered_by_id"] = by_id
        if historic:
            values["approved_by_id"], values["approved_at"] = by_id, now
            values["loaded_by_id"], values["loaded_at"] = by_id, now
            values["historic_authority"] = authority
        values["version"] += 1
        values["updated_at"] = now
        (changed if write.existing else new).append(values)

    with connection.cursor() as cursor:
        if new:
            _insert(cursor, Measurement, new)
            _fill_ids(new)
        if changed:
            _update(cursor, Measurement, changed)
        history_model = Measurement.history.model
        meta = {
            "history_date": now,
            "history_change_reason": reason,
            "history_user_id": by_id,
        }
        history = [dict(values, history_type="+", **meta) for values in new]
        history += [dict(values, history_type="~", **meta) for values in changed]
        if history:
            _insert(cursor, history_model, history)


_PASS_THROUGH = (
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.IntegerField,
    models.DecimalField,
    models.ForeignKey,
)


def _column_values(model_fields: list[models.Field]):
    """A function giving a row's parameters, adapting only the types drivers cannot take as is.

    The others (date-times) are adapted once per distinct value: an import stamps most rows with
    the same moment, and adapting 700,000 date-times one by one cost seconds.
    """
    prepare: list[tuple[str, dict | None, models.Field]] = []
    for model_field in model_fields:
        cache = None if isinstance(model_field, _PASS_THROUGH) else {}
        prepare.append((model_field.attname, cache, model_field))

    def adapt(value: Any, cache: dict, model_field: models.Field) -> Any:
        if value not in cache:
            cache[value] = model_field.get_db_prep_save(value, connection)
        return cache[value]

    def params(values: dict[str, Any]) -> list[Any]:
        return [
            values[attname] if cache is None else adapt(values[attname], cache, model_field)
            for attname, cache, model_field in prepare
        ]

    return params


def _insert(cursor, model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Insert rows: COPY on PostgreSQL (a round trip per row cost a minute for 200,000 rows),
    one `executemany` elsewhere (SQLite runs it in C, in a second or two)."""
    model_fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in model_fields)
    params = _column_values(model_fields)
    if connection.vendor == "postgresql":
        # The raw driver cursor: wrap its errors so a clash is Django's IntegrityError.
        copy_sql = f"COPY {table} ({columns}) FROM STDIN"
        with connection.wrap_database_errors, cursor.cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row(params(row))
        return
    placeholders = ", ".join(["%s"] * len(model_fields))
    # Only quoted table and column names from the model are formatted in; values are parameters.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
    cursor.executemany(sql, [params(row) for row in rows])


def _update(cursor, model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Update rows by id: through a COPY-filled temporary table on PostgreSQL, one
    `executemany` elsewhere."""
    model_fields = [model._meta.get_field(name) for name in WRITTEN_FIELDS]
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    params = _column_values([*model_fields, model._meta.pk])
    # Only quoted table and column names from the model are formatted in; values are parameters.
    if connection.vendor == "postgresql":
        columns = ", ".join(quote(f.column) for f in model_fields)
        cursor.execute(
            f"CREATE TEMPORARY TABLE values_import_update ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {columns}, {pk} FROM {table} WITH NO DATA"
        )
        copy_sql = f"COPY values_import_update ({columns}, {pk}) FROM STDIN"
        with connection.wrap_database_errors, cursor.cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row(params(row))
        assignments = ", ".join(f"{quote(f.column)} = u.{quote(f.column)}" for f in model_fields)
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM values_import_update u "  # noqa: S608
            f"WHERE {table}.{pk} = u.{pk}"
        )
        cursor.execute("DROP TABLE values_import_update")
        return
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608
        table, ", ".join(f"{quote(f.column)} = %s" for f in model_fields), pk
    )
    cursor.executemany(sql, [params(row) for row in rows])


def _fill_ids(rows: list[dict[str, Any]]) -> None:
    """The ids the database gave the new values, in one query (executemany returns none)."""
    period_ids = {row["period_id"] for row in rows}
    ids = {
        (kpi_id, period_id): pk
        for pk, kpi_id, period_id in Measurement.objects.filter(
            period_id__in=period_ids
        ).values_list("id", "kpi_id", "period_id")
    }
    for row in rows:
        row["id"] = ids[(row["kpi_id"], row["period_id"])]


# Targets ------------------------------------------------------------------------------------
#
# One row per KPI per financial year (the annual target), or per period of that year where the
# target varies through it. The format is in docs/import-formats.md ("Targets"). Every new or
# changed row goes through `services.target_set`, the service the targets page uses, so a target
# is checked, recorded in history and re-rates its KPI's unlocked values exactly as if typed in.

TARGET_COLUMNS = ("reference", "financial_year", "period", "value", "intervention_level", "note")
TARGET_REQUIRED = ("reference", "financial_year", "value")
TARGET_NUMBER_COLUMNS = ("value", "intervention_level")
TARGET_NOTE_LENGTH = 300


@dataclass
class TargetsImportResult(ValuesImportResult):
    """What a targets file would do (or did): the same shape as a values import's result."""


@dataclass(slots=True)
class _TargetRow:
    number: int
    kpi: Kpi | None = None
    financial_year: int | None = None
    period: ReportingPeriod | None = None
    value: Decimal | None = None
    intervention_level: Decimal | None = None
    note: str = ""
    errors: list[RowError] = field(default_factory=list)

    @property
    def key(self) -> tuple[int, int, int | None] | None:
        if self.kpi is None or self.financial_year is None:
            return None
        return (self.kpi.pk, self.financial_year, self.period.pk if self.period else None)


def targets_import(
    *,
    data: bytes,
    filename: str,
    by: User,
    apply: bool,
    expected_fingerprint: str | None = None,
) -> TargetsImportResult:
    """Check a targets file and, with apply=True and no errors, set every new or changed target
    in one transaction. The management command acts as the system actor or a named person.

    A row that says what is stored is unchanged and writes nothing, so a file can be imported
    again and again (and an export imported unchanged changes nothing). `expected_fingerprint`
    is the preview's: if a target it would change has changed since, nothing is written and the
    result is marked stale.
    """
    if not by.has_perm("kpis.run_cycle"):
        raise PermissionDenied("Only Governance and Performance can import targets.")
    try:
        table = read_table(data, filename)
    except SpreadsheetError as error:
        return TargetsImportResult(errors=[RowError(FILE_ROW, "", str(error))])
    errors = _target_header_errors(table)
    if errors:
        return TargetsImportResult(errors=errors)
    with transaction.atomic():
        rows, existing = _read_target_rows(table, lock=apply)
        result = TargetsImportResult(rows=[_target_outcome(row, existing) for row in rows])
        result.errors = [error for row in rows for error in row.errors]
        result.fingerprint = _target_fingerprint(rows, result.rows, existing)
        if result.errors or not apply:
            return result
        if expected_fingerprint is not None and expected_fingerprint != result.fingerprint:
            result.stale = True
            return result
        changed = [
            row
            for row, outcome in zip(rows, result.rows, strict=True)
            if outcome.outcome in (Outcome.NEW, Outcome.CHANGED)
        ]
        for row in changed:
            target_set(
                kpi=row.kpi,
                financial_year=row.financial_year,
                by=by,
                value=row.value,
                intervention_level=row.intervention_level,
                period=row.period,
                note=row.note,
                rerate=False,
            )
        if changed:
            ratings_recompute(kpis={row.kpi for row in changed})
        result.applied = True
        return result


def _target_header_errors(table: Table) -> list[RowError]:
    return heading_errors(table, TARGET_COLUMNS, TARGET_REQUIRED, file="targets", rows="targets")


def _read_target_rows(
    table: Table, *, lock: bool = False
) -> tuple[list[_TargetRow], dict[tuple, Target]]:
    """Every row read and checked, and the stored targets they would replace (three queries);
    with `lock`, those targets are held until the import's transaction ends."""
    kpis = {kpi.reference: kpi for kpi in Kpi.objects.order_by()}
    periods = {(p.kind, p.financial_year, p.number): p for p in ReportingPeriod.objects.order_by()}
    rows = [_read_target_row(number, cells, kpis, periods) for number, cells in table.numbered()]
    years = {row.financial_year for row in rows if row.financial_year is not None}
    stored = Target.objects.filter(financial_year__in=years).order_by()
    if lock:
        stored = stored.select_for_update()
    existing = {
        (target.kpi_id, target.financial_year, target.period_id): target for target in stored
    }
    first_row: dict[tuple, int] = {}
    for row in rows:
        if row.key is None or row.errors:
            continue
        if row.key in first_row:
            row.errors.append(
                RowError(row.number, "period", f"This target is also on row {first_row[row.key]}.")
            )
        first_row.setdefault(row.key, row.number)
    return rows, existing


def _read_target_row(
    number: int,
    cells: dict[str, str],
    kpis: dict[str, Kpi],
    periods: dict[tuple[str, int, int], ReportingPeriod],
) -> _TargetRow:
    row = _TargetRow(number)
    reference = cells["reference"]
    row.kpi = kpis.get(reference)
    if not reference:
        row.errors.append(RowError(number, "reference", "Reference is required."))
    elif row.kpi is None:
        row.errors.append(
            RowError(number, "reference", f"There is no KPI with reference {quoted(reference)}.")
        )
    elif row.kpi.target_kind == Kpi.TargetKind.CONTEXTUAL:
        row.errors.append(
            RowError(number, "reference", f"KPI {reference} is contextual: it has no target.")
        )
    _read_target_year(row, cells["financial_year"])
    _read_target_period(row, cells.get("period", ""), periods)
    for header in TARGET_NUMBER_COLUMNS:
        try:
            setattr(row, header, parse_number(cells.get(header, ""), max_digits=16))
        except ValueError as error:
            row.errors.append(RowError(number, header, str(error)))
    if row.value is None and not any(e.column == "value" for e in row.errors):
        row.errors.append(RowError(number, "value", "Enter the target, as a number."))
    row.note = cells.get("note", "")
    if len(row.note) > TARGET_NOTE_LENGTH:
        row.errors.append(
            RowError(number, "note", f"Shorten the note to {TARGET_NOTE_LENGTH} characters.")
        )
    return row


def _read_target_year(row: _TargetRow, label: str) -> None:
    if not label:
        row.errors.append(RowError(row.number, "financial_year", "Financial year is required."))
        return
    try:
        kind, year, _ = fy.parse_label(label)
    except ValueError as error:
        row.errors.append(RowError(row.number, "financial_year", str(error)))
        return
    if kind != "year":
        row.errors.append(
            RowError(
                row.number,
                "financial_year",
                f"{quoted(label)} is a period, not a financial year. Write the year like 2025/26 "
                "and "
                "the quarter or month in the period column.",
            )
        )
        return
    row.financial_year = year


def _read_target_period(
    row: _TargetRow, label: str, periods: dict[tuple[str, int, int], ReportingPeriod]
) -> None:
    """A blank period is the annual target; otherwise a month or quarter of the row's year, of
    the KPI's own frequency."""
    if not label:
        return
    try:
        key = fy.parse_label(label)
    except ValueError as error:
        row.errors.append(RowError(row.number, "period", str(error)))
        return
    row.period = periods.get(key)
    wanted = fy.FREQUENCY_TO_KIND.get(row.kpi.frequency) if row.kpi else None
    if key[0] == "year":
        message = "Leave the period blank for the year's target."
    elif row.financial_year is not None and key[1] != row.financial_year:
        message = f"{label} is not in the financial year of this row."
    elif row.period is None:
        message = f"There is no reporting period {label} yet."
    elif wanted is not None and key[0] != wanted:
        message = (
            f"KPI {row.kpi.reference} is reported {row.kpi.get_frequency_display().lower()}: "
            f"a target through the year is for each {wanted}, not {label}."
        )
    else:
        return
    row.period = None
    row.errors.append(RowError(row.number, "period", message))


def _target_outcome(row: _TargetRow, existing: dict[tuple, Target]) -> RowOutcome:
    label = row.period.label if row.period else ""
    if row.financial_year is not None and not label:
        label = f"{row.financial_year}/{(row.financial_year + 1) % 100:02d}"
    outcome = Outcome.ERROR
    if not row.errors:
        stored = existing.get(row.key)
        if stored is None:
            outcome = Outcome.NEW
        elif (stored.value, stored.intervention_level, stored.note) == (
            row.value,
            row.intervention_level,
            row.note,
        ):
            outcome = Outcome.UNCHANGED
        else:
            outcome = Outcome.CHANGED
    return RowOutcome(
        row=row.number,
        reference=row.kpi.reference if row.kpi else "",
        period=label,
        outcome=outcome,
        errors=row.errors,
        value=_target_words(row),
    )


def _target_words(row: _TargetRow) -> str:
    """ "80%, intervention level 65%": the row's target as the preview shows it."""
    write = row.kpi.value_text if row.kpi else input_text
    words = write(row.value) if row.value is not None else ""
    if row.intervention_level is not None:
        words += f", intervention level {write(row.intervention_level)}"
    return words


def _target_fingerprint(
    rows: list[_TargetRow], outcomes: list[RowOutcome], existing: dict[tuple, Target]
) -> str:
    """Changes whenever the preview would say something different, or a stored target it would
    replace has changed."""
    digest = hashlib.sha256()
    for row, outcome in zip(rows, outcomes, strict=True):
        stored = existing.get(row.key) if row.key else None
        before = (
            (stored.value, stored.intervention_level, stored.note) if stored is not None else "-"
        )
        digest.update(f"{outcome.row}:{outcome.outcome}:{row.key}:{before};".encode())
    return digest.hexdigest()


# Exporting targets ------------------------------------------------------------------------------


def targets_export(
    *, financial_year: int | None = None, directorate: int | None = None
) -> tuple[list[str], list[list]]:
    """Targets in the import format, so that the file imported unchanged changes nothing: a
    year's (or every year's), a directorate's (or every one's). Contextual KPIs have none to
    export. One query."""
    targets = (
        Target.objects.exclude(kpi__target_kind=Kpi.TargetKind.CONTEXTUAL)
        .select_related("kpi", "period")
        .order_by("kpi__reference", "financial_year", F("period__starts_on").asc(nulls_first=True))
    )
    if financial_year is not None:
        targets = targets.filter(financial_year=financial_year)
    if directorate is not None:
        targets = targets.filter(kpi__directorate_id=directorate)
    rows = [
        [
            target.kpi.reference,
            fy.year_label(target.financial_year),
            target.period.label if target.period else "",
            target.value,
            target.intervention_level,
            target.note,
        ]
        for target in targets
    ]
    return list(TARGET_COLUMNS), rows


def targets_export_csv(**filters) -> bytes:
    return write_csv(*targets_export(**filters))


def targets_export_xlsx(**filters) -> bytes:
    return write_xlsx(*targets_export(**filters), sheet_title="Targets")
