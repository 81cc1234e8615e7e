"""The register's history: each KPI imported on the day it was adopted, then every later change.

register.csv is the register as it stands today, in the register import's format. On its
adoption day each KPI is imported as it was then (live, in the committees it joined with it);
later steps make the changes since through the register's services: committee sets that grew
(`[[set_changes]]`), suspensions and retirements, and a KPI's own RAG setting. The last step
imports the whole file as it is: it finds nothing to change, or puts back what someone changed
by hand since the last load.
"""

import datetime
from collections import defaultdict
from functools import partial
from typing import Any

from demo.context import DemoContext
from demo.files import (
    REGISTER_HEADERS,
    Row,
    adoption_date,
    as_csv,
    raise_unless_ok,
    resolved_register_row,
)
from demo.timeline import at_hour
from kpis.register.io import register_import
from kpis.register.models import Committee, Kpi
from kpis.register.services import committee_set_change, kpi_retire, kpi_save, kpi_suspend

LIVE = "Live"
LATER_STATUSES = {"retired", "suspended"}  # reached after adoption, through a service
REGISTER_FILE = "register.csv"


def schedule_register(context: DemoContext) -> None:
    """Schedule each KPI's adoption and every change to the register since."""
    rows = [resolved_register_row(row, context.calendar) for row in context.files.register]
    for raw in context.files.register:
        context.adopted_on[raw["reference"]] = adoption_date(raw, context.calendar)
    by_day: dict[datetime.date, list[Row]] = defaultdict(list)
    for row in rows:
        by_day[context.adopted_on[row["reference"]]].append(row)
    joins = _later_joins(context)
    for day, adopted in sorted(by_day.items()):
        context.timeline.add(at_hour(day, 9), partial(_adopt, context, adopted, joins))
    _schedule_settings(context)
    _schedule_set_changes(context)
    _schedule_status_changes(context, rows)


def schedule_final_import(context: DemoContext) -> None:
    """The register file as it is, imported last: it changes nothing, or puts back hand-made
    changes since the last load."""
    rows = [resolved_register_row(row, context.calendar) for row in context.files.register]

    def run() -> None:
        result = register_import(
            data=as_csv(rows, REGISTER_HEADERS), filename=REGISTER_FILE, by=context.gp, apply=True
        )
        raise_unless_ok(result, REGISTER_FILE)

    context.timeline.add(context.timeline.now, run)


def _later_joins(context: DemoContext) -> dict[str, set[str]]:
    """Committees each KPI joined by a later decision, not on its adoption day."""
    joins: dict[str, set[str]] = defaultdict(set)
    for change in context.council["set_changes"]:
        on = context.calendar.date(change["on"])
        for reference in change["kpis"]:
            if on > context.adopted_on[reference]:
                joins[reference].add(change["committee"])
    return joins


def _adopt(context: DemoContext, rows: list[Row], joins: dict[str, set[str]]) -> None:
    """Import the KPIs adopted today that are not in the register yet, as they were then."""
    existing = set(
        Kpi.objects.filter(reference__in=[r["reference"] for r in rows]).values_list(
            "reference", flat=True
        )
    )
    stories = context.council["kpis"]
    new = [
        _as_adopted(row, joins[row["reference"]], stories.get(row["reference"], {}))
        for row in rows
        if row["reference"] not in existing
    ]
    if new:
        result = register_import(
            data=as_csv(new, REGISTER_HEADERS), filename=REGISTER_FILE, by=context.gp, apply=True
        )
        raise_unless_ok(result, REGISTER_FILE)
    for kpi in Kpi.objects.filter(reference__in=[row["reference"] for row in rows]):
        context.stored.kpis[kpi.reference] = kpi


def _as_adopted(row: Row, joined_later: set[str], story: dict[str, Any]) -> Row:
    """The row as the KPI was on its adoption day: live, and in the committees it joined then
    (a retired KPI's are in the council file, as the register no longer lists them)."""
    adopted = dict(row)
    committees = [name.strip() for name in row["committees"].split(";") if name.strip()]
    committees += story.get("was_in", [])
    adopted["committees"] = "; ".join(name for name in committees if name not in joined_later)
    if row["status"].lower() in LATER_STATUSES:
        adopted.update(status=LIVE, status_reason="", date_removed="", removed_by_decision="")
    return adopted


def _schedule_set_changes(context: DemoContext) -> None:
    for change in context.council["set_changes"]:
        on = context.calendar.date(change["on"])
        decision = context.calendar.text(change["decision"])
        for reference in change["kpis"]:
            if on > context.adopted_on[reference]:
                step = partial(_join, context, reference, change["committee"], on, decision)
                context.timeline.add(at_hour(on, 10), step)


def _join(
    context: DemoContext, reference: str, short_name: str, on: datetime.date, decision: str
) -> None:
    """The KPI joins the committee's set, unless it was ever in it (the last step, the register
    import, puts back the sets it is in today)."""
    kpi = context.stored.kpis[reference]
    committee = Committee.objects.get(short_name=short_name)
    if kpi.status == Kpi.Status.RETIRED or kpi.memberships.filter(committee=committee).exists():
        return
    current = set(
        Committee.objects.filter(memberships__kpi=kpi, memberships__ended_on__isnull=True)
    )
    committee_set_change(kpi=kpi, committees=current | {committee}, on=on, decision=decision)


def _schedule_status_changes(context: DemoContext, rows: list[Row]) -> None:
    for row in rows:
        reference = row["reference"]
        if row["status"].lower() == "retired":
            on = datetime.date.fromisoformat(row["date_removed"])
            context.timeline.add(at_hour(on, 11), partial(_retire, context, row))
        suspended = context.council["kpis"].get(reference, {}).get("suspended")
        if suspended:
            on = context.calendar.date(suspended)
            context.timeline.add(at_hour(on, 11), partial(_suspend, context, row))


def _retire(context: DemoContext, row: Row) -> None:
    kpi = context.stored.kpis[row["reference"]]
    if kpi.status != Kpi.Status.RETIRED:
        kpi_retire(
            kpi=kpi,
            by=context.gp,
            on=datetime.date.fromisoformat(row["date_removed"]),
            reason=row["status_reason"],
            decision=row["removed_by_decision"],
        )


def _suspend(context: DemoContext, row: Row) -> None:
    kpi = context.stored.kpis[row["reference"]]
    if kpi.status not in (Kpi.Status.SUSPENDED, Kpi.Status.RETIRED):
        kpi_suspend(kpi=kpi, by=context.gp, reason=row["status_reason"])


def _schedule_settings(context: DemoContext) -> None:
    """A KPI's own RAG setting (rate by its intervention level), set on the day it is adopted."""
    for reference, story in context.council["kpis"].items():
        if story.get("rate_by_intervention_level"):
            moment = at_hour(context.adopted_on[reference], 9, 10)
            context.timeline.add(moment, partial(_rate_by_intervention, context, reference))


def _rate_by_intervention(context: DemoContext, reference: str) -> None:
    kpi = context.stored.kpis[reference]
    if kpi.rag_use_intervention_levels:
        return
    kpi.rag_use_intervention_levels = True
    kpi_save(
        kpi=kpi,
        by=context.gp,
        priorities=list(kpi.priorities.all()),
        committees=list(
            Committee.objects.filter(memberships__kpi=kpi, memberships__ended_on__isnull=True)
        ),
        reason="Rated by its intervention level",
    )
