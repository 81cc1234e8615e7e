"""Reads for the register's pages, each a fixed number of queries whatever the number of KPIs."""

import datetime

from django.db.models import Prefetch, QuerySet

from kpis.models import Committee, CommitteeMembership, Directorate, Kpi, Priority, Service


def kpi_register_list() -> QuerySet[Kpi]:
    """KPIs with what the register table shows joined in (one query per page)."""
    return Kpi.objects.select_related("directorate", "service", "lead_officer")


def kpi_detail(*, reference: str) -> Kpi:
    """One KPI with everything its page shows: a fixed handful of queries."""
    memberships = CommitteeMembership.objects.select_related("committee").order_by("-started_on")
    return (
        Kpi.objects.select_related("directorate", "service", "lead_officer")
        .prefetch_related("priorities", Prefetch("memberships", queryset=memberships))
        .get(reference=reference)
    )


def current_committees(kpi: Kpi, *, on: datetime.date | None = None) -> list[Committee]:
    """The committees a KPI was reported to on a date (today by default), from prefetched rows."""
    day = on or datetime.date.today()
    return [
        membership.committee
        for membership in kpi.memberships.all()
        if membership.started_on <= day
        and (membership.ended_on is None or membership.ended_on > day)
    ]


def kpi_change_history(kpi: Kpi) -> list[dict]:
    """Every saved version of a KPI, newest first, with the fields that changed and by whom."""
    records = list(kpi.history.select_related("history_user").order_by("-history_date", "-pk"))
    changes = []
    for newer, older in zip(records, records[1:] + [None], strict=True):
        if older is None:
            fields = []
        else:
            fields = [
                {"field": _verbose(change.field), "old": change.old, "new": change.new}
                for change in newer.diff_against(older, foreign_keys_are_objs=False).changes
            ]
        changes.append(
            {
                "when": newer.history_date,
                "who": newer.history_user,
                "kind": newer.get_history_type_display(),
                "reason": newer.history_change_reason,
                "changes": fields,
            }
        )
    return changes


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
