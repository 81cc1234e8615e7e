"""Reads for the register's pages, each a fixed number of queries whatever the number of KPIs."""

import datetime
from collections import defaultdict

from django.apps import apps
from django.db.models import Prefetch, QuerySet

from kpis.register.models import Committee, CommitteeMembership, Directorate, Kpi, Priority, Service
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

    return history_entries(records, fields=KPI_HISTORY_FIELDS, more=priorities)


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
