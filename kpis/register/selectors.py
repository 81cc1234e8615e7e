"""Reads for the register's pages, each a fixed number of queries whatever the number of KPIs."""

import datetime
from collections import defaultdict

from django.apps import apps
from django.db.models import Prefetch, QuerySet

from kpis.register.models import Committee, CommitteeMembership, Directorate, Kpi, Priority, Service


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


def kpi_change_history(kpi: Kpi) -> list[dict]:
    """Every saved version of a KPI, newest first, with the fields that changed and by whom.

    Three queries however long the history: the versions, their priorities, the priority names.
    """
    records = list(kpi.history.select_related("history_user").order_by("-history_date", "-pk"))
    linked = defaultdict(set)
    through = apps.get_model("kpis", "HistoricalKpi_priorities")
    for row in through.objects.filter(history__in=records).values("history_id", "priority_id"):
        linked[row["history_id"]].add(row["priority_id"])
    names = {
        pk: f"Ambition {number}: {name}"
        for pk, number, name in Priority.objects.values_list("pk", "number", "name")
    }
    fields = [f for f in Kpi._meta.concrete_fields if f.name != "id"]
    related = _related_names(records, [f for f in fields if f.is_relation])
    changes = []
    for newer, older in zip(records, records[1:] + [None], strict=True):
        changed = []
        if older is not None:
            for field in fields:
                before, after = getattr(older, field.attname), getattr(newer, field.attname)
                if before != after:
                    if field.is_relation:
                        before = related.get((field.name, before), before)
                        after = related.get((field.name, after), after)
                    changed.append({"field": _verbose(field.name), "old": before, "new": after})
            before, after = linked[older.history_id], linked[newer.history_id]
            if before != after:
                changed.append(
                    {
                        "field": "Priorities and ambitions",
                        "old": _priority_list(before, names),
                        "new": _priority_list(after, names),
                    }
                )
        changes.append(
            {
                "when": newer.history_date,
                "who": newer.history_user,
                "kind": newer.get_history_type_display(),
                "reason": newer.history_change_reason,
                "changes": changed,
            }
        )
    return changes


def _related_names(records: list, relations: list) -> dict:
    """Names for the directorates, services and people a KPI's history points at."""
    names = {}
    for field in relations:
        ids = {getattr(record, field.attname) for record in records} - {None}
        for pk, obj in field.related_model.objects.in_bulk(ids).items():
            names[(field.name, pk)] = str(obj)
    return names


def _priority_list(ids: set[int], names: dict[int, str]) -> str:
    return "; ".join(sorted(names.get(pk, "?") for pk in ids)) or "none"


def _verbose(field_name: str) -> str:
    try:
        return str(Kpi._meta.get_field(field_name).verbose_name).capitalize()
    except Exception:  # a field that no longer exists on the model
        return field_name


def structure_overview() -> dict:
    """Directorates with their services, priorities and committees, for the structure page."""
    return {
        "directorates": Directorate.objects.prefetch_related(
            Prefetch("services", queryset=Service.objects.order_by("name"))
        ),
        "priorities": Priority.objects.all(),
        "committees": Committee.objects.all(),
    }
