"""The reporting cycle replayed: periods, targets, and every value through import and sign-off.

Each financial year's periods and targets are set up before it starts (targets.csv, through the
targets import). Every period that has ended goes round the cycle (`[cycle]` in council.toml):
G&P open it, import the directorates' returns (values.csv) as drafts, each lead officer submits
their KPI's value, the directorate's approver signs it off, and G&P close and lock the period. The
quarter and month that ended last (Q0, M0) stay open, each value where its `open_period` plan
says. Values from before a KPI was adopted are a historic load by G&P on its adoption day.

Only values not yet stored are imported, so a stored value is never changed, and a later load
adds the periods that have ended since.
"""

import datetime
from collections import defaultdict
from functools import partial
from typing import Any

from demo.context import DemoContext, PeriodKey, period_key
from demo.files import (
    TARGET_HEADERS,
    VALUE_HEADERS,
    Row,
    as_csv,
    raise_unless_ok,
    resolved_target_row,
    resolved_value_row,
)
from demo.relative import DemoCalendar
from demo.timeline import at_hour, days_in, working_moment
from kpis.register.models import Kpi
from kpis.reporting import quality
from kpis.reporting.io import targets_import, values_import
from kpis.reporting.models import Measurement, RagPolicy, ReportingPeriod
from kpis.reporting.periods import PeriodSpec, financial_year_of, period_spec
from kpis.reporting.services import (
    Entry,
    measurement_approve,
    measurement_return,
    measurement_save,
    measurements_approve,
    period_close,
    period_lock,
    period_open,
    period_reopen,
    periods_create_for_year,
)

HISTORY_YEARS = 3  # whole financial years of history before Y0
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)
State = ReportingPeriod.State


def years_loaded(calendar: DemoCalendar) -> range:
    """Y-3 to Y0, and the year today is in when a new one has begun since Q0 ended."""
    return range(
        calendar.y0 - HISTORY_YEARS, max(calendar.y0, financial_year_of(calendar.today)) + 1
    )


def deadlines(context: DemoContext, spec: PeriodSpec) -> tuple[datetime.date, datetime.date]:
    """A period's submission and sign-off deadlines: as stored once it is open; else, for Q0 and
    M0, from `[open_period]` (never before the day after the period ends); else `[cycle]`'s."""
    stored = context.stored.periods.get(period_key(spec))
    opened = stored is not None and stored.state != State.NOT_OPEN
    if opened and stored.submission_deadline and stored.signoff_deadline:
        return stored.submission_deadline, stored.signoff_deadline
    if context.calendar.is_open_period(spec):
        texts = context.council["open_period"][f"{spec.kind}_deadlines"]
        submission, signoff = (context.calendar.date(text) for text in texts)
        submission = max(submission, spec.ends_on + DAY)
        return submission, max(signoff, submission)
    cycle = context.council["cycle"]
    return (
        spec.ends_on + cycle["submission_deadline"] * DAY,
        spec.ends_on + cycle["signoff_deadline"] * DAY,
    )


class ReportingCycle:
    """Schedules the cycle's steps on the context's timeline and runs them when it runs."""

    def __init__(self, context: DemoContext) -> None:
        self.context = context
        self.cycle: dict[str, Any] = context.council["cycle"]
        self.imported: set[tuple[str, PeriodKey]] = set()
        self.submitted: set[tuple[str, PeriodKey]] = set()
        self.closed_here: set[PeriodKey] = set()
        self.rows = self._value_rows()

    # Scheduling -----------------------------------------------------------------------------

    def schedule(self) -> None:
        for year in years_loaded(self.context.calendar):
            self.context.timeline.add(self._set_up_moment(year), partial(self._set_up, year))
        self._schedule_targets()
        self._schedule_historic_loads()
        by_end: dict[datetime.date, list[PeriodSpec]] = defaultdict(list)
        for key in self.rows:
            by_end[period_spec(*key).ends_on].append(period_spec(*key))
        for _end, specs in sorted(by_end.items()):
            closed = [spec for spec in specs if not self.context.calendar.is_open_period(spec)]
            if closed:
                self._schedule_closed(closed)
            for spec in specs:
                if self.context.calendar.is_open_period(spec):
                    OpenPeriod(self, spec).schedule()

    def _set_up_moment(self, year: int) -> datetime.datetime:
        starts = datetime.date(year, 4, 1)
        return at_hour(starts - self.cycle["year_set_up"] * DAY, 9)

    def _value_rows(self) -> dict[PeriodKey, list[Row]]:
        """values.csv's rows for periods that have ended, by period, resolved."""
        calendar, years = self.context.calendar, years_loaded(self.context.calendar)
        rows: dict[PeriodKey, list[Row]] = defaultdict(list)
        for raw in self.context.files.values:
            spec = calendar.period(raw["period"])
            if spec.ends_on < calendar.today and spec.financial_year in years:
                rows[period_key(spec)].append(resolved_value_row(raw, calendar))
        return rows

    def is_historic(self, row: Row, key: PeriodKey) -> bool:
        return period_spec(*key).ends_on < self.context.adopted_on[row["reference"]]

    def _schedule_targets(self) -> None:
        """A year's targets when it is set up; a KPI adopted later in the year, on adoption."""
        calendar, years = self.context.calendar, years_loaded(self.context.calendar)
        groups: dict[datetime.datetime, list[Row]] = defaultdict(list)
        for raw in self.context.files.targets:
            year = calendar.period(raw["financial_year"]).financial_year
            if year not in years:
                continue
            adopted = self.context.adoption_moment(raw["reference"]) + 20 * datetime.timedelta(
                minutes=1
            )
            moment = max(self._set_up_moment(year) + HOUR, adopted)
            groups[moment].append(resolved_target_row(raw, calendar))
        for moment, rows in sorted(groups.items()):
            self.context.timeline.add(moment, partial(self._import_targets, rows))

    def _schedule_historic_loads(self) -> None:
        by_day: dict[datetime.date, list[tuple[Row, PeriodKey]]] = defaultdict(list)
        for key, rows in self.rows.items():
            for row in rows:
                if self.is_historic(row, key):
                    by_day[self.context.adopted_on[row["reference"]]].append((row, key))
        for day, rows in sorted(by_day.items()):
            self.context.timeline.add(
                at_hour(day, 9, 30), partial(self._historic_load, rows), catch_up=True
            )

    def _schedule_closed(self, specs: list[PeriodSpec]) -> None:
        """One round of the cycle for the periods that ended on one day."""
        add, end = self.context.timeline.add, specs[0].ends_on
        for spec in specs:
            add(self._after(end, "opened", 9), partial(self._open, spec), catch_up=True)
        returns = [
            (row, period_key(spec))
            for spec in specs
            for row in self.rows[period_key(spec)]
            if not self.is_historic(row, period_key(spec))
        ]
        imported = self._after(end, "returns_imported", 10)
        add(imported, partial(self._import_returns, returns, end), catch_up=True)
        self._schedule_sign_off(returns, end)
        for spec in specs:
            add(self._after(end, "closed", 17), partial(self._close, spec), catch_up=True)
            add(self._after(end, "locked", 9), partial(self._lock, spec), catch_up=True)

    def _schedule_sign_off(self, returns: list[tuple[Row, PeriodKey]], end: datetime.date) -> None:
        """Each lead submits their value on a day of their own; each directorate's approver
        signs off its return for the period in one sitting, some days after its last value."""
        add = self.context.timeline.add
        directorate_of = {
            row["reference"]: row["directorate"] for row in self.context.files.register
        }
        returns_of: dict[tuple[str, PeriodKey], list[tuple[Row, PeriodKey]]] = defaultdict(list)
        last_submitted: dict[tuple[str, PeriodKey], datetime.datetime] = {}
        for row, key in returns:
            seed = f"{row['reference']} {row['period']}"
            submitted = working_moment(end + days_in(self.cycle["submitted"], seed), seed)
            add(submitted, partial(self.submit, row, key), catch_up=True)
            directorate = (directorate_of[row["reference"]], key)
            returns_of[directorate].append((row, key))
            last_submitted[directorate] = max(submitted, last_submitted.get(directorate, submitted))
        for directorate, batch in returns_of.items():
            seed = f"sign-off {directorate}"
            day = last_submitted[directorate].date() + days_in(self.cycle["signed_off"], seed)
            add(working_moment(day, seed), partial(self.approve_all, batch), catch_up=True)

    def _after(self, end: datetime.date, step: str, hour: int) -> datetime.datetime:
        """The moment of a cycle step: `[cycle] step` days after the period ends."""
        return at_hour(end + self.cycle[step] * DAY, hour)

    # Steps ----------------------------------------------------------------------------------

    def _set_up(self, year: int) -> None:
        """G&P create the year's periods (those it does not have yet)."""
        for period in periods_create_for_year(financial_year=year, by=self.context.gp):
            self.context.stored.keep_period(period)

    def _import_targets(self, rows: list[Row]) -> None:
        label = rows[0]["financial_year"].replace("/", "-")
        result = targets_import(
            data=as_csv(rows, TARGET_HEADERS),
            filename=f"targets {label}.csv",
            by=self.context.gp,
            apply=True,
        )
        raise_unless_ok(result, "targets.csv")

    def _open(self, spec: PeriodSpec) -> None:
        period = self.context.stored.periods[period_key(spec)]
        if period.state == State.NOT_OPEN:
            self.context.stored.keep_period(
                period_open(
                    period=period,
                    by=self.context.gp,
                    submission_deadline=spec.ends_on + self.cycle["submission_deadline"] * DAY,
                    signoff_deadline=spec.ends_on + self.cycle["signoff_deadline"] * DAY,
                )
            )

    def _import_returns(self, returns: list[tuple[Row, PeriodKey]], end: datetime.date) -> None:
        self.import_values(returns, by=self.context.gp, filename=f"returns {end:%Y-%m-%d}.csv")

    def import_values(
        self,
        rows: list[tuple[Row, PeriodKey]],
        *,
        by,
        filename: str,
        historic: bool = False,
        authority: str = "",
    ) -> None:
        """Import the rows whose values are not stored yet, and keep what was written."""
        stored = self.context.stored
        missing = self._not_stored(rows)
        if not missing:
            return
        result = values_import(
            data=as_csv([row for row, _ in missing], VALUE_HEADERS),
            filename=filename,
            by=by,
            apply=True,
            historic=historic,
            authority=authority,
        )
        raise_unless_ok(result, "values.csv")
        periods = {stored.periods[key].pk for _, key in missing}
        kpis = {stored.kpis[row["reference"]].pk for row, _ in missing}
        for measurement in Measurement.objects.filter(period_id__in=periods, kpi_id__in=kpis):
            stored.keep(measurement)
        self.imported |= {(row["reference"], key) for row, key in missing}

    def submit(self, row: Row, key: PeriodKey) -> None:
        """The lead officer submits the value imported for them, as it stands."""
        if (row["reference"], key) not in self.imported:
            return
        stored = self.context.stored
        kpi, period = stored.kpis[row["reference"]], stored.periods[key]
        value = stored.value(kpi, period)
        stored.keep(
            measurement_save(
                kpi=kpi,
                period=period,
                by=self.context.lead_of(kpi),
                entry=Entry(**{name: getattr(value, name) for name in Entry.FIELDS}),
                expected_version=value.version,
                submit=True,
                confirmed_query=self._confirmed_query(kpi, period, value),
            )
        )
        self.submitted.add((row["reference"], key))

    @staticmethod
    def _confirmed_query(kpi: Kpi, period: ReportingPeriod, value: Measurement) -> str:
        """The query the officer confirms on submitting: the one the value raises, when
        values.csv explains it (query_explanation). A queried value the file does not explain
        is refused, and stops the load."""
        if not value.query_explanation:
            return ""
        council = RagPolicy.current()
        return quality.value_query(kpi, period, value.value, council)

    def approve_all(self, batch: list[tuple[Row, PeriodKey]]) -> None:
        """One approver signs off the values submitted to them, together."""
        stored = self.context.stored
        values = [
            stored.value(stored.kpis[row["reference"]], stored.periods[key])
            for row, key in batch
            if (row["reference"], key) in self.submitted
        ]
        if not values:
            return
        approver = self.context.approver_of(values[0].kpi)
        for value in measurements_approve(items=[(v, v.version) for v in values], by=approver):
            stored.keep(value)

    def approve(self, row: Row, key: PeriodKey, *, returned_because: str = "") -> None:
        """The directorate's approver signs the submitted value off, or returns it."""
        if (row["reference"], key) not in self.submitted:
            return
        stored = self.context.stored
        kpi = stored.kpis[row["reference"]]
        value = stored.value(kpi, stored.periods[key])
        approver = self.context.approver_of(kpi)
        if returned_because:
            value = measurement_return(
                measurement=value,
                by=approver,
                expected_version=value.version,
                reason=returned_because,
            )
        else:
            value = measurement_approve(
                measurement=value, by=approver, expected_version=value.version
            )
        stored.keep(value)

    def _close(self, spec: PeriodSpec) -> None:
        period = self.context.stored.periods[period_key(spec)]
        if period.state == State.OPEN:
            self.context.stored.keep_period(period_close(period=period, by=self.context.gp))
            self.closed_here.add(period_key(spec))

    def _lock(self, spec: PeriodSpec) -> None:
        """Lock a period this load closed (one G&P reopened and left closed stays so)."""
        if period_key(spec) in self.closed_here:
            period = self.context.stored.periods[period_key(spec)]
            self.context.stored.keep_period(period_lock(period=period, by=self.context.gp))

    def _not_stored(self, rows: list[tuple[Row, PeriodKey]]) -> list[tuple[Row, PeriodKey]]:
        """The rows whose value is not stored yet (a later load adds only what is new)."""
        stored = self.context.stored
        return [
            (row, key)
            for row, key in rows
            if stored.value(stored.kpis[row["reference"]], stored.periods[key]) is None
        ]

    def _historic_load(self, rows: list[tuple[Row, PeriodKey]]) -> None:
        """G&P load a newly adopted KPI's earlier figures, reopening locked periods for it."""
        stored = self.context.stored
        missing = self._not_stored(rows)
        if not missing:
            return
        references = ", ".join(sorted({row["reference"] for row, _ in missing}))
        noun = "KPIs" if "," in references else "KPI"
        reason = f"{self.cycle['historic_reason']} ({noun} {references})"
        reopened = []
        for key in sorted({key for _, key in missing}):
            period = stored.periods[key]
            if period.state == State.LOCKED:
                reopened.append(
                    stored.keep_period(
                        period_reopen(period=period, by=self.context.gp, reason=reason)
                    )
                )
        self.import_values(
            missing,
            by=self.context.gp,
            filename=f"historic {references}.csv",
            historic=True,
            authority=self.cycle["historic_authority"],
        )
        for period in reopened:
            stored.keep_period(period_lock(period=period, by=self.context.gp))


class OpenPeriod:
    """Q0 or M0: opened, and each value where its `open_period` plan says."""

    def __init__(self, cycle: ReportingCycle, spec: PeriodSpec) -> None:
        self.cycle, self.spec, self.key = cycle, spec, period_key(spec)
        self.context = cycle.context
        self.settings: dict[str, Any] = self.context.council["open_period"]

    def schedule(self) -> None:
        """Opened; each lead officer's figures imported; then submissions and decisions."""
        add = self.context.timeline.add
        opened = at_hour(self.spec.ends_on + self.cycle.cycle["opened"] * DAY, 9)
        add(opened, self._open, catch_up=True)
        drafts_day = self.context.calendar.date(self.settings["drafts_imported"])
        imported = max(opened + HOUR, at_hour(drafts_day, 9))
        planned = [
            (row, self._plan(row["reference"]))
            for row in self.cycle.rows[self.key]
            if self._plan(row["reference"])["status"] != "missing"
        ]
        by_lead: dict[str, list[tuple[Row, PeriodKey]]] = defaultdict(list)
        for row, plan in planned:
            by_lead[self._lead(row["reference"])].append((self._as_planned(row, plan), self.key))
        for username, rows in sorted(by_lead.items()):
            add(imported, partial(self._import, username, rows), catch_up=True)
        for row, plan in planned:
            if plan["status"] != "draft":
                self._schedule_sign_off(row, plan, imported)

    def _schedule_sign_off(self, row: Row, plan: dict[str, Any], imported) -> None:
        add, today = self.context.timeline.add, self.context.today
        seed = f"open {row['reference']} {row['period']}"
        submitted = max(
            imported + HOUR,
            working_moment(today - days_in(self.settings["submitted"], seed), seed),
        )
        add(submitted, partial(self.cycle.submit, row, self.key), catch_up=True)
        if plan["status"] in ("approved", "returned"):
            decided = working_moment(
                submitted.date() + days_in(self.settings["decided"], seed), seed
            )
            reason = self.context.calendar.text(plan.get("reason", ""))
            add(
                decided,
                partial(self.cycle.approve, row, self.key, returned_because=reason),
                catch_up=True,
            )

    def _plan(self, reference: str) -> dict[str, Any]:
        plan = self.context.council["kpis"].get(reference, {}).get("open_period", "missing")
        return {"status": plan} if isinstance(plan, str) else plan

    def _lead(self, reference: str) -> str:
        row = next(r for r in self.context.files.register if r["reference"] == reference)
        return row["lead_officer"]

    def _as_planned(self, row: Row, plan: dict[str, Any]) -> Row:
        """The row as its officer has it so far: a draft's words may still be a placeholder,
        and a returned value carries the plan its approver sent back."""
        planned = dict(row)
        for name in ("commentary", "action_plan"):
            if name in plan:
                planned[name] = self.context.calendar.text(plan[name])
        return planned

    def _open(self) -> None:
        period = self.context.stored.periods[self.key]
        if period.state != State.NOT_OPEN:
            return
        submission, signoff = deadlines(self.context, self.spec)
        self.context.stored.keep_period(
            period_open(
                period=period,
                by=self.context.gp,
                submission_deadline=submission,
                signoff_deadline=signoff,
            )
        )

    def _import(self, username: str, rows: list[tuple[Row, PeriodKey]]) -> None:
        label = rows[0][0]["period"].replace("/", "-")
        self.cycle.import_values(
            rows, by=self.context.users[username], filename=f"{username} {label}.csv"
        )
