"""The register of KPIs as a spreadsheet (CSV or XLSX): one row per KPI, in and out.

The format is documented in docs/import-formats.md; change the two together. An export imports
back as "unchanged", so G&P can download the register, edit it in Excel and upload it again.
"""

import copy
import datetime
import difflib
import enum
import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Lower

from kpis.register.models import (
    MAX_DECIMALS,
    Committee,
    CommitteeMembership,
    Directorate,
    Kpi,
    Priority,
    Service,
    unit_name,
    unit_table,
)
from pmf import clock
from pmf.models import User
from pmf.spreadsheets import (
    SpreadsheetError,
    Table,
    parse_date,
    parse_number,
    parse_year,
    parse_yes_no,
    quoted,
    read_table,
    shorten,
    write_csv,
    write_xlsx,
)

IMPORT_DECISION = "Register import"
LIST_SEPARATOR = ";"


class Kind(enum.StrEnum):
    """How a column's text is read."""

    TEXT = "text"
    YES_NO = "yes or no"
    CHOICE = "one of a list"
    UNIT = "one of the council's units"
    PLACES = "decimal places"
    NUMBER = "number"
    YEAR = "year"
    DATE = "date"
    DIRECTORATE = "directorate"
    SERVICE = "service"
    PRIORITIES = "priorities"
    COMMITTEES = "committees"
    USER = "user"


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    required: bool
    kind: Kind
    choices: type[models.TextChoices] | None = None
    digits: tuple[int, int] = (16, 4)  # a number's most digits, and decimal places


COLUMNS: tuple[Column, ...] = (
    Column("reference", "reference", True, Kind.TEXT),
    Column("name", "name", True, Kind.TEXT),
    Column("description", "description", False, Kind.TEXT),
    Column("definition", "definition", False, Kind.TEXT),
    Column("calculation", "calculation", False, Kind.TEXT),
    Column("rationale", "rationale", False, Kind.TEXT),
    Column("data_source", "data_source", False, Kind.TEXT),
    Column("in_information_asset_register", "in_information_asset_register", False, Kind.YES_NO),
    Column("directorate", "directorate", True, Kind.DIRECTORATE),
    Column("service", "service", False, Kind.SERVICE),
    Column("priorities", "priorities", False, Kind.PRIORITIES),
    Column("committees", "committees", False, Kind.COMMITTEES),
    Column("lead_officer", "lead_officer", False, Kind.USER),
    Column("level", "level", True, Kind.CHOICE, Kpi.Level),
    Column("perspective", "perspective", True, Kind.CHOICE, Kpi.Perspective),
    Column("metric_category", "metric_category", True, Kind.CHOICE, Kpi.MetricCategory),
    Column("frequency", "frequency", True, Kind.CHOICE, Kpi.Frequency),
    Column("unit", "unit", True, Kind.UNIT),
    Column("decimal_places", "decimals", False, Kind.PLACES),
    Column("direction", "direction", True, Kind.CHOICE, Kpi.Direction),
    Column("value_basis", "value_basis", False, Kind.CHOICE, Kpi.ValueBasis),
    Column("year_figure", "year_figure", False, Kind.CHOICE, Kpi.YearFigure),
    Column("seasonal", "seasonal", False, Kind.YES_NO),
    Column("leading_or_lagging", "indicator_type", True, Kind.CHOICE, Kpi.IndicatorType),
    Column("financial", "is_financial", False, Kind.YES_NO),
    Column("target_kind", "target_kind", True, Kind.CHOICE, Kpi.TargetKind),
    Column("long_term_target", "long_term_target", False, Kind.NUMBER),
    Column("long_term_target_year", "long_term_target_year", False, Kind.YEAR),
    Column("benchmark", "benchmark", False, Kind.TEXT),
    Column("query_threshold", "query_threshold", False, Kind.NUMBER, digits=(8, 3)),
    Column("numerator_label", "numerator_label", False, Kind.TEXT),
    Column("denominator_label", "denominator_label", False, Kind.TEXT),
    Column("status", "status", False, Kind.CHOICE, Kpi.Status),
    Column("status_reason", "status_reason", False, Kind.TEXT),
    Column("date_added", "date_added", True, Kind.DATE),
    Column("added_by_decision", "added_by_decision", False, Kind.TEXT),
    Column("date_removed", "date_removed", False, Kind.DATE),
    Column("removed_by_decision", "removed_by_decision", False, Kind.TEXT),
)
HEADERS = [column.header for column in COLUMNS]
COLUMNS_BY_HEADER = {column.header: column for column in COLUMNS}
COLUMNS_BY_FIELD = {column.field: column for column in COLUMNS}
RELATION_KINDS = {Kind.DIRECTORATE, Kind.SERVICE, Kind.USER}
SET_KINDS = {Kind.PRIORITIES, Kind.COMMITTEES}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.column:
            return f"Row {self.row}, column {self.column}: {self.message}"
        return f"Row {self.row}: {self.message}"


@dataclass
class RegisterImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


# Reading cells ------------------------------------------------------------------------------


def _words(header: str) -> str:
    return header.replace("_", " ")


def _choice_key(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", text.lower().replace(",", "")).strip()


@functools.cache
def _choice_lookup(choices: type[models.TextChoices]) -> dict[str, str]:
    """Every way of writing a choice: its value, its label, its label without "(…)"."""
    lookup: dict[str, str] = {}
    spellings = [(value, value) for value in choices.values]
    spellings += [(str(label), value) for value, label in choices.choices]
    spellings += [(re.sub(r"\(.*\)", "", str(label)), value) for value, label in choices.choices]
    for text, value in spellings:
        key = _choice_key(text)
        if lookup.setdefault(key, value) != value:
            raise RuntimeError(f"{choices.__name__}: {quoted(text)} could mean two choices.")
    return lookup


def _parse_choice(text: str, column: Column) -> str:
    assert column.choices is not None
    value = _choice_lookup(column.choices).get(_choice_key(text))
    if value is None:
        labels = ", ".join(str(label) for label in column.choices.labels)
        raise ValueError(f"{quoted(text)} is not a {_words(column.header)}. Use one of: {labels}.")
    return value


def _parse_unit(text: str) -> str:
    """A unit by its code, name or any of its other names (Units page), ignoring case."""
    found = unit_table.find(text)
    if found is None:
        raise ValueError(
            f"“{text}” is not a unit. Use one of the council's units: {unit_table.names()}."
        )
    return found.code


def _parse_places(text: str) -> int:
    if not re.fullmatch(r"[0-9]", text) or int(text) > MAX_DECIMALS:
        raise ValueError(
            f"“{text}” is not a number of decimal places. Enter a whole number from 0 to "
            f"{MAX_DECIMALS}, or leave it blank to use the unit's."
        )
    return int(text)


def _split(text: str) -> list[str]:
    items = [item.strip() for item in text.split(LIST_SEPARATOR)]
    return list(dict.fromkeys(item for item in items if item))


def _index(objects: Iterable[Any], *keys: str) -> dict[str, Any]:
    """Objects by each lower-cased key; None marks a key that two objects share."""
    index: dict[str, Any] = {}
    for obj in objects:
        for key in {str(getattr(obj, name)).strip().lower() for name in keys} - {""}:
            index[key] = obj if index.get(key, obj) == obj else None
    return index


@dataclass
class _Register:
    """Everything a file may refer to, loaded in a fixed number of queries."""

    directorates: dict[str, Directorate | None]
    services: dict[tuple[int, str], Service]
    priorities: dict[int, Priority]
    committees: dict[str, Committee | None]
    users: dict[str, User | None]
    kpis: dict[str, Kpi]
    kpi_priorities: dict[int, set[int]]
    memberships: dict[int, list[CommitteeMembership]]

    def directorate(self, text: str) -> Directorate:
        key = text.lower()
        if key not in self.directorates:
            names = ", ".join(sorted({d.name for d in self.directorates.values() if d}))
            raise ValueError(f"There is no directorate called {quoted(text)}. Use one of: {names}.")
        found = self.directorates[key]
        if found is None:
            raise ValueError(
                f"{quoted(text)} matches more than one directorate. Use its full name."
            )
        return found

    def service(self, directorate: Directorate | None, text: str) -> Service | None:
        if directorate is None:
            return None  # the directorate's own error says what is wrong
        found = self.services.get((directorate.pk, text.lower()))
        if found is None:
            raise ValueError(f"There is no service called {quoted(text)} in {directorate.name}.")
        return found

    def priority_set(self, text: str) -> frozenset[Priority]:
        found, unknown = [], []
        for item in _split(text):
            number = int(item) if item.isdigit() else None
            if number in self.priorities:
                found.append(self.priorities[number])
            else:
                unknown.append(item)
        if unknown:
            raise ValueError(
                f"There is no priority or ambition numbered {', '.join(unknown)}. "
                f"Use numbers separated by “{LIST_SEPARATOR}”, like 1{LIST_SEPARATOR} 3."
            )
        return frozenset(found)

    def committee_set(self, text: str) -> frozenset[Committee]:
        found, problems = [], []
        for item in _split(text):
            committee = self.committees.get(item.lower(), False)
            if committee is False:
                problems.append(f"There is no committee called {quoted(item)}.")
            elif committee is None:
                problems.append(
                    f"{quoted(item)} matches more than one committee; use its full name."
                )
            else:
                found.append(committee)
        if problems:
            names = ", ".join(sorted({c.short_name for c in self.committees.values() if c}))
            raise ValueError(
                f"{' '.join(problems)} Use short names or names separated by "
                f"“{LIST_SEPARATOR}”, from: {names}."
            )
        return frozenset(found)

    def user(self, text: str) -> User:
        key = text.lower()
        if key not in self.users:
            raise ValueError(f"No one has the username or e-mail address {quoted(text)}.")
        found = self.users[key]
        if found is None:
            raise ValueError(f"More than one person matches {quoted(text)}. Use their username.")
        return found


def _load_register(table: Table, today: datetime.date) -> _Register:
    named_users = {row.get("lead_officer", "").lower() for row in table.rows} - {""}
    users = (
        User.objects.annotate(lower_username=Lower("username"), lower_email=Lower("email"))
        .filter(Q(lower_username__in=named_users) | Q(lower_email__in=named_users))
        .only("username", "email", "first_name", "last_name", "is_active")
        if named_users
        else []
    )
    kpi_priorities: dict[int, set[int]] = defaultdict(set)
    for kpi_id, priority_id in Kpi.priorities.through.objects.values_list("kpi_id", "priority_id"):
        kpi_priorities[kpi_id].add(priority_id)
    memberships: dict[int, list[CommitteeMembership]] = defaultdict(list)
    for membership in CommitteeMembership.objects.not_ended_by(today):
        memberships[membership.kpi_id].append(membership)
    return _Register(
        directorates=_index(Directorate.objects.all(), "name", "short_name"),
        services={(s.directorate_id, s.name.lower()): s for s in Service.objects.all()},
        priorities={p.number: p for p in Priority.objects.all()},
        committees=_index(Committee.objects.all(), "name", "short_name"),
        users=_index(users, "username", "email"),
        kpis={kpi.reference: kpi for kpi in Kpi.objects.select_related("service")},
        kpi_priorities=kpi_priorities,
        memberships=memberships,
    )


def _parse_cell(column: Column, text: str, values: dict[str, Any], register: _Register) -> Any:
    if not text:
        if column.required:
            raise ValueError(f"{_words(column.header).capitalize()} is required.")
        return _blank(column)
    match column.kind:
        case Kind.TEXT:
            return text
        case Kind.YES_NO:
            return parse_yes_no(text)
        case Kind.CHOICE:
            return _parse_choice(text, column)
        case Kind.UNIT:
            return _parse_unit(text)
        case Kind.PLACES:
            return _parse_places(text)
        case Kind.NUMBER:
            max_digits, decimal_places = column.digits
            return parse_number(text, max_digits=max_digits, decimal_places=decimal_places)
        case Kind.YEAR:
            return parse_year(text)
        case Kind.DATE:
            return parse_date(text)
        case Kind.DIRECTORATE:
            return register.directorate(text)
        case Kind.SERVICE:
            return register.service(values.get("directorate"), text)
        case Kind.PRIORITIES:
            return register.priority_set(text)
        case Kind.COMMITTEES:
            return register.committee_set(text)
        case Kind.USER:
            return register.user(text)


def _blank(column: Column) -> Any:
    if column.kind == Kind.TEXT:
        return ""
    if column.kind == Kind.YES_NO:
        return False
    if column.kind == Kind.CHOICE:
        return Kpi._meta.get_field(column.field).get_default()
    if column.kind in SET_KINDS:
        return frozenset()
    return None


# Planning a row -----------------------------------------------------------------------------


@dataclass
class _Plan:
    kpi: Kpi
    is_new: bool
    changed_fields: set[str]
    priority_ids: set[int] | None
    priorities_changed: bool
    start_committees: list[Committee]
    end_memberships: list[CommitteeMembership]

    @property
    def changed(self) -> bool:
        return bool(
            self.is_new
            or self.changed_fields
            or self.priorities_changed
            or self.start_committees
            or self.end_memberships
        )


def _same(column: Column, kpi: Kpi, value: Any) -> bool:
    if column.kind in RELATION_KINDS:
        return getattr(kpi, f"{column.field}_id") == (value.pk if value else None)
    stored = getattr(kpi, column.field)
    if column.kind == Kind.TEXT:
        # A file's text always has LF line endings; text typed into a browser has CRLF.
        return stored.replace("\r\n", "\n").replace("\r", "\n") == value
    return stored == value


def _plan_row(
    number: int, values: dict[str, Any], register: _Register, failed: set[str]
) -> tuple[_Plan, list[RowError]]:
    """What a row would change; `failed` are fields whose cells could not be read."""
    existing = register.kpis.get(values.get("reference", ""))
    # A copy, so that a second row with the same reference compares with what is stored.
    kpi = copy.copy(existing) if existing else Kpi()
    changed_fields = set()
    for name, value in values.items():
        column = COLUMNS_BY_FIELD[name]
        if column.kind in SET_KINDS:
            continue
        if existing is None or not _same(column, kpi, value):
            setattr(kpi, name, value)
            changed_fields.add(name)
    errors = _model_errors(number, kpi, failed)

    stored_priorities = register.kpi_priorities.get(kpi.pk, set()) if existing else set()
    priority_ids = None
    if "priorities" in values:
        priority_ids = {priority.pk for priority in values["priorities"]}
    current = register.memberships.get(kpi.pk, []) if existing else []
    start, end = [], []
    if "committees" in values:
        listed = {committee.pk: committee for committee in values["committees"]}
        start = [c for pk, c in listed.items() if pk not in {m.committee_id for m in current}]
        end = [m for m in current if m.committee_id not in listed]
    plan = _Plan(
        kpi=kpi,
        is_new=existing is None,
        changed_fields=changed_fields if existing else set(),
        priority_ids=priority_ids,
        priorities_changed=priority_ids is not None and priority_ids != stored_priorities,
        start_committees=start,
        end_memberships=end,
    )
    return plan, errors + _inactive_links(number, plan, values, stored_priorities)


def _model_errors(number: int, kpi: Kpi, failed: set[str]) -> list[RowError]:
    try:
        # Relations were found in the preloaded register and the reference is keyed on, so the
        # per-row queries of foreign-key, unique and constraint checks would find nothing new.
        kpi.full_clean(
            exclude=["directorate", "service", "lead_officer", *failed],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        return [
            RowError(number, _header_for_field(name), message)
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return []


def _header_for_field(name: str) -> str:
    column = COLUMNS_BY_FIELD.get(name)
    return column.header if column else ""


def _inactive_links(
    number: int, plan: _Plan, values: dict[str, Any], stored_priorities: set[int]
) -> list[RowError]:
    """A KPI may keep a link to something no longer active, but not gain one."""
    errors = []
    for name in ("directorate", "service", "lead_officer"):
        linked = values.get(name)
        newly_linked = plan.is_new or name in plan.changed_fields
        if newly_linked and linked and not linked.is_active:
            errors.append(RowError(number, name, f"{linked} is no longer active."))
    added = [p for p in values.get("priorities", ()) if p.pk not in stored_priorities]
    for item in [p for p in added if not p.is_active]:
        errors.append(RowError(number, "priorities", f"{item} is no longer active."))
    for item in [c for c in plan.start_committees if not c.is_active]:
        errors.append(RowError(number, "committees", f"{item} is no longer active."))
    return errors


# Import -------------------------------------------------------------------------------------


# Unknown headings given a "Did you mean …?": each guess compares the heading with every known
# one, so a file of thousands of made-up headings would cost seconds. The rest are listed plainly.
HEADINGS_GUESSED = 20
GUESSABLE_LENGTH = 60


def heading_errors(
    table: Table, known: Sequence[str], required: Iterable[str], *, file: str, rows: str
) -> list[RowError]:
    """What is wrong with a file's headings, for every import: a heading it does not know (with
    the nearest it does, for the first few), a required column left out, or headings and no rows.
    (`read_table` has already refused a file with more columns than any import could use.)"""
    errors = []
    known_set = frozenset(known)
    guesses = 0
    for header in table.headers:
        if header in known_set:
            continue
        hint = ""
        if guesses < HEADINGS_GUESSED and len(header) <= GUESSABLE_LENGTH:
            guesses += 1
            guess = difflib.get_close_matches(header, known, n=1)
            hint = f" Did you mean “{guess[0]}”?" if guess else ""
        message = f"This is not a {file} column.{hint}"
        errors.append(RowError(1, shorten(table.label(header)), message))
    for header in required:
        if header not in table.headers:
            errors.append(RowError(1, header, "Add this column: it is required."))
    if not errors and not table.rows:
        errors.append(RowError(1, "", f"The file has headings but no {rows}."))
    return errors


def _usual_year_figure(values: dict[str, Any], row: dict[str, str], register: _Register) -> None:
    """A blank year figure (or none, for a new KPI) is the usual one for the KPI's value basis:
    Latest for a snapshot or a rolling 12-month value, else Average."""
    existing = register.kpis.get(values.get("reference", ""))
    blank = "year_figure" in values and not row.get("year_figure", "").strip()
    if blank or ("year_figure" not in values and existing is None):
        basis = values.get("value_basis") or (existing.value_basis if existing else "")
        values["year_figure"] = Kpi.usual_year_figure(basis)


# An import's page (and command) lists this many of its problems, then says how many more.
ERRORS_SHOWN = 100


def errors_to_show(errors: Sequence[RowError]) -> tuple[Sequence[RowError], int]:
    """The first ERRORS_SHOWN errors, and how many are left out."""
    return errors[:ERRORS_SHOWN], max(len(errors) - ERRORS_SHOWN, 0)


def _header_errors(table: Table) -> list[RowError]:
    required = [column.header for column in COLUMNS if column.required]
    return heading_errors(table, HEADERS, required, file="register", rows="KPIs")


def _validate(table: Table, today: datetime.date) -> tuple[list[tuple[str, _Plan]], list[RowError]]:
    register = _load_register(table, today)
    columns = [COLUMNS_BY_HEADER[header] for header in table.headers]
    plans: list[tuple[str, _Plan]] = []
    errors: list[RowError] = []
    first_row: dict[str, int] = {}
    for number, row in table.numbered():
        values: dict[str, Any] = {}
        row_errors = []
        for column in columns:
            try:
                values[column.field] = _parse_cell(column, row[column.header], values, register)
            except ValueError as error:
                row_errors.append(RowError(number, column.header, str(error)))
        failed = {COLUMNS_BY_HEADER[error.column].field for error in row_errors}
        _usual_year_figure(values, row, register)
        reference = values.get("reference", "")
        if reference in first_row:
            row_errors.append(
                RowError(number, "reference", f"{reference} is also on row {first_row[reference]}.")
            )
        elif reference:
            first_row[reference] = number
        plan, plan_errors = _plan_row(number, values, register, failed)
        # The model may repeat a cell's problem in its own words (a bad date is a missing date).
        reported = {error.column for error in row_errors}
        row_errors += [error for error in plan_errors if error.column not in reported]
        if row_errors:
            errors += row_errors
        else:
            plans.append((reference, plan))
    return plans, errors


def register_import(
    *, data: bytes, filename: str, by: User, apply: bool = True
) -> RegisterImportResult:
    """Create or update KPIs from a register file, all or nothing.

    Every row is checked before anything is written; if any row is wrong the result lists every
    error and nothing is saved. With apply=False it only checks (a preview). `by` keeps the
    register (Governance and Performance, or the system actor for the management command).
    """
    if not by.has_perm("kpis.keep_register"):
        raise PermissionDenied
    try:
        table = read_table(data, filename)
    except SpreadsheetError as error:
        return RegisterImportResult(errors=[RowError(1, "", str(error))])
    errors = _header_errors(table)
    if errors:
        return RegisterImportResult(errors=errors)

    today = clock.localdate()
    try:
        with transaction.atomic():
            plans, errors = _validate(table, today)
            result = RegisterImportResult(errors=errors)
            for reference, plan in plans:
                if plan.is_new:
                    result.created.append(reference)
                elif plan.changed:
                    result.updated.append(reference)
                else:
                    result.unchanged.append(reference)
            if errors or not apply:
                return result
            reason = f"Imported from {PurePath(filename).name}"[:100]
            for _reference, plan in plans:
                if plan.changed:
                    _apply(plan, by=by, reason=reason, today=today)
            result.applied = True
            return result
    except IntegrityError:
        # Someone else changed the register between our checks and our writes.
        return RegisterImportResult(
            errors=[RowError(1, "", "The register changed while importing. Upload it again.")]
        )


def _apply(plan: _Plan, *, by: User, reason: str, today: datetime.date) -> None:
    kpi = plan.kpi
    kpi._history_user = by
    kpi._change_reason = reason
    if plan.is_new:
        kpi.save()
        if plan.priority_ids:
            # A new KPI needs its row before its priorities, so its history has two records.
            kpi.priorities.set(plan.priority_ids)
    elif plan.changed_fields or plan.priorities_changed:
        if plan.priorities_changed:
            # Set quietly: the save below records fields and priorities in one history record.
            kpi.skip_history_when_saving = True
            try:
                kpi.priorities.set(plan.priority_ids)
            finally:
                del kpi.skip_history_when_saving
        kpi.save()

    for membership in plan.end_memberships:
        membership.ended_on = max(today, membership.started_on)
        membership.end_decision = IMPORT_DECISION
        membership._history_user = by
        membership._change_reason = reason
        membership.save(update_fields=["ended_on", "end_decision"])
    for committee in plan.start_committees:
        membership = CommitteeMembership(
            kpi=kpi,
            committee=committee,
            started_on=kpi.date_added if plan.is_new else today,
            decision=(kpi.added_by_decision if plan.is_new else "") or IMPORT_DECISION,
        )
        membership._history_user = by
        membership._change_reason = reason
        membership.save()


# Export -------------------------------------------------------------------------------------


def register_export(*, kpis: QuerySet[Kpi]) -> tuple[list[str], list[list]]:
    """The register in the import format, in three queries whatever the number of KPIs."""
    today = clock.localdate()
    current = CommitteeMembership.objects.not_ended_by(today).select_related("committee")
    kpis = kpis.select_related("directorate", "service", "lead_officer").prefetch_related(
        "priorities", Prefetch("memberships", queryset=current, to_attr="current_memberships")
    )
    return list(HEADERS), [[_export_cell(column, kpi) for column in COLUMNS] for kpi in kpis]


def _export_cell(column: Column, kpi: Kpi) -> Any:
    if column.kind == Kind.COMMITTEES:
        names = sorted(m.committee.short_name for m in kpi.current_memberships)
        return f"{LIST_SEPARATOR} ".join(names)
    value = getattr(kpi, column.field)
    match column.kind:
        case Kind.YES_NO:
            return "yes" if value else "no"
        case Kind.CHOICE:
            assert column.choices is not None
            return str(dict(column.choices.choices).get(value, value))
        case Kind.UNIT:
            return unit_name(value)
        case Kind.PLACES:
            return "" if value is None else value
        case Kind.DIRECTORATE | Kind.SERVICE:
            return value.name if value else ""
        case Kind.USER:
            return value.username if value else ""
        case Kind.PRIORITIES:
            numbers = sorted(priority.number for priority in value.all())
            return f"{LIST_SEPARATOR} ".join(str(number) for number in numbers)
    return value


def register_export_csv(kpis: QuerySet[Kpi]) -> bytes:
    headers, rows = register_export(kpis=kpis)
    return write_csv(headers, rows)


def register_export_xlsx(kpis: QuerySet[Kpi]) -> bytes:
    headers, rows = register_export(kpis=kpis)
    return write_xlsx(headers, rows, sheet_title="KPI register")
