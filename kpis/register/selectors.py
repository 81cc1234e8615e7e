"""Reads for the register's pages, each a fixed number of queries whatever the number of KPIs."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.db.models import Count, Prefetch, QuerySet

from kpis.register.models import (
    Committee,
    CommitteeMembership,
    Directorate,
    Kpi,
    Priority,
    Service,
    Unit,
    unit_name,
)
from pmf.formatting import format_value, number_text
from pmf.history import Change, Entry, history_entries


def kpi_register_list() -> QuerySet[Kpi]:
    """KPIs with what the register table shows joined in (one query per page)."""
    return Kpi.objects.select_related("directorate", "service", "lead_officer")


def kpi_detail(*, reference: str) -> Kpi:
    """One KPI with everything its page shows: a fixed handful of queries."""
    memberships = CommitteeMembership.objects.select_related("committee").order_by("-started_on")
    return (
        Kpi.objects.select_related("directorate", "service", "lead_officer")
        .prefetch_related("priorities", "delegates", Prefetch("memberships", queryset=memberships))
        .get(reference=reference)
    )


def current_committees(kpi: Kpi, *, on: datetime.date | None = None) -> list[Committee]:
    """The committees a KPI was reported to on a date (today by default), from prefetched rows."""
    day = on or datetime.date.today()
    return [m.committee for m in kpi.memberships.all() if m.is_in_force_on(day)]


# Every field of the register entry but its id, in the model's order.
KPI_HISTORY_FIELDS = [f.name for f in Kpi._meta.concrete_fields if f.name != "id"]


def kpi_change_history(kpi: Kpi) -> list[Entry]:
    """Every saved version of a KPI, newest first, with the fields that changed and by whom.

    Queries however long the history: the versions, their priorities, the priority names, and
    one for each kind of object the fields point at.
    """
    records = list(kpi.history.select_related("history_user"))
    through = apps.get_model("kpis", "HistoricalKpi_priorities")
    linked = defaultdict(set)
    for history_id, priority_id in through.objects.filter(history__in=records).values_list(
        "history_id", "priority_id"
    ):
        linked[history_id].add(priority_id)
    names = {
        pk: f"Ambition {number}: {name}"
        for pk, number, name in Priority.objects.values_list("pk", "number", "name")
    }

    def priorities(record, older) -> list[Change]:
        before, after = linked[older.history_id], linked[record.history_id]
        if before == after:
            return []
        return [Change("Priorities and ambitions", _list(before, names), _list(after, names))]

    return history_entries(
        records, fields=KPI_HISTORY_FIELDS, words={"unit": unit_name}, more=priorities
    )


def _list(ids: set[int], names: dict[int, str]) -> str:
    return "; ".join(sorted(names.get(pk, "?") for pk in ids)) or "none"


def structure_overview() -> dict:
    """Directorates with their services, priorities and committees, for the structure page."""
    return {
        "directorates": Directorate.objects.prefetch_related(
            Prefetch("services", queryset=Service.objects.order_by("name"))
        ),
        "priorities": Priority.objects.all(),
        "committees": Committee.objects.all(),
    }


# The council's units ---------------------------------------------------------------------------

#: A figure every unit's example is written with, so the list shows how each unit reads.
EXAMPLE_FIGURE = Decimal("1250.5")
UNIT_HISTORY_FIELDS = [f.name for f in Unit._meta.concrete_fields if f.name != "id"]


@dataclass(frozen=True)
class UnitRow:
    unit: Unit
    example: str  # 1,250.5 written in the unit
    range_text: str  # "0 to 100", "0 or more", "No limit"
    kpi_count: int


def unit_list() -> list[UnitRow]:
    """Every unit with an example figure, its range and how many KPIs use it (two queries)."""
    counts = dict(Kpi.objects.order_by().values_list("unit").annotate(n=Count("pk")))
    return [
        UnitRow(
            unit=unit,
            example=format_value(EXAMPLE_FIGURE, unit.info.style),
            range_text=range_text(unit.lowest, unit.highest),
            kpi_count=counts.get(unit.code, 0),
        )
        for unit in Unit.objects.all()
    ]


def range_text(lowest: Decimal | None, highest: Decimal | None) -> str:
    if lowest is not None and highest is not None:
        return f"{number_text(lowest)} to {number_text(highest)}"
    if lowest is not None:
        return f"{number_text(lowest)} or more"
    if highest is not None:
        return f"{number_text(highest)} or less"
    return "No limit"


def unit_history(unit: Unit | None = None) -> list[Entry]:
    """Every version of one unit (or of every unit, each named), newest first (one query)."""
    records = Unit.history.select_related("history_user")
    if unit is not None:
        records = records.filter(id=unit.pk)
    return history_entries(
        records,
        fields=UNIT_HISTORY_FIELDS,
        show_initial=True,
        scope=None if unit is not None else (lambda record: record.name),
    )
