"""Reads for the committees pages: each a fixed number of queries whatever the number of rows."""

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, When
from django.utils import timezone

from committees.models import (
    ActionItem,
    ActionUpdate,
    Audit,
    AuditCheck,
    CommitteeDecision,
    CommitteeDetails,
    Meeting,
    Proposal,
    ProposalEvent,
)
from kpis.register.models import Committee, CommitteeMembership, Kpi, in_force_on
from kpis.reporting.models import Measurement


def kpi_set_on(committee: Committee, day: datetime.date) -> list[Kpi]:
    """The committee's KPI set as it stood on `day`, from its membership history (one query)."""
    memberships = CommitteeMembership.objects.in_force_on(day).filter(committee=committee)
    return list(
        Kpi.objects.filter(pk__in=memberships.values("kpi_id"))
        .select_related("directorate", "service")
        .order_by("reference")
    )


def set_changes(committee: Committee) -> list[CommitteeMembership]:
    """Every membership of the committee, newest change first (one query)."""
    return list(
        CommitteeMembership.objects.filter(committee=committee)
        .select_related("kpi")
        .order_by("-started_on", "kpi__reference")
    )


def committee_list(*, today: datetime.date) -> list[Committee]:
    """Committees with their details, current set size and next meeting (three queries)."""
    in_set = Count("memberships", filter=in_force_on(today, via="memberships__"))
    next_meeting = (
        Meeting.objects.filter(committee=OuterRef("pk"), date__gte=today)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("date")
        .values("date")[:1]
    )
    details = CommitteeDetails.objects.select_related("reports_after")
    return list(
        Committee.objects.annotate(set_size=in_set, next_meeting=Subquery(next_meeting))
        .prefetch_related(Prefetch("details", queryset=details))
        .order_by("-is_active", "name")
    )


def details_of(committee: Committee) -> CommitteeDetails | None:
    return (
        CommitteeDetails.objects.filter(committee=committee)
        .select_related("reports_after")
        .prefetch_related("clerks")
        .first()
    )


def meetings_of(committee: Committee) -> QuerySet[Meeting]:
    return Meeting.objects.filter(committee=committee).select_related("period")


def meeting_detail(meeting_id: int) -> Meeting:
    return Meeting.objects.select_related("committee", "period").get(pk=meeting_id)


@dataclass(frozen=True)
class ProposalRow:
    """A line of the committee paper's table of proposed additions and removals."""

    proposal: Proposal
    kpi_number: str
    kpi_name: str
    service: str
    proposal_word: str
    rationale: str


def _proposal_queryset() -> QuerySet[Proposal]:
    return Proposal.objects.select_related(
        "kpi", "kpi__service", "service", "directorate", "raised_by"
    ).prefetch_related("committees")


WAITING_FOR_COMMITTEE = (Proposal.Stage.DIRECTOR_APPROVED, Proposal.Stage.DEFERRED)


def end_of(day: datetime.date) -> datetime.datetime:
    """The first moment after `day`, in the council's time zone."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def _stage_at(moment: datetime.datetime) -> Case:
    """A proposal's stage at `moment`, from its events (its stage now if it has none)."""
    events = ProposalEvent.objects.filter(proposal=OuterRef("pk"))
    before = events.filter(at__lt=moment).order_by("-at", "-pk").values("stage")[:1]
    return Case(When(Exists(events), then=Subquery(before)), default=F("stage"))


def meeting_proposals(meeting: Meeting, *, up_to: datetime.date | None = None) -> list[ProposalRow]:
    """The proposals for a meeting to decide, and any it has decided, as the 2022 report's
    table: KPI number · KPI name · Mapping to service · Proposal (Add/Remove) · Rationale.

    With `up_to` (a meeting's pack: its day), the proposals that were waiting for the committee at
    the end of that day: not those raised since, and still those decided since."""
    proposals = _proposal_queryset()
    if up_to is None:
        waiting = Q(committees=meeting.committee, stage__in=WAITING_FOR_COMMITTEE)
    else:
        end = end_of(up_to)
        proposals = proposals.annotate(stage_then=_stage_at(end))
        waiting = Q(
            committees=meeting.committee,
            raised_at__lt=end,
            stage_then__in=WAITING_FOR_COMMITTEE,
        )
    decided_here = Q(decisions__meeting=meeting)
    proposals = proposals.filter(waiting | decided_here).distinct().order_by("pk")
    rows = []
    for proposal in proposals:
        service = proposal.mapped_service
        rows.append(
            ProposalRow(
                proposal=proposal,
                kpi_number=proposal.kpi_number,
                kpi_name=proposal.kpi_name,
                service=service.name if service else "",
                proposal_word=proposal.get_kind_display(),
                rationale=proposal.rationale,
            )
        )
    return rows


AWAITING_DIRECTOR = (
    Proposal.Stage.DRAFT,
    Proposal.Stage.QUALITY_CHECKED,
    Proposal.Stage.CONSULTED,
    Proposal.Stage.EQUALITY_ASSESSED,
)


def proposals_awaiting_director(committee: Committee, *, up_to: datetime.date) -> list[Proposal]:
    """The committee's proposals raised by the end of `up_to` that were still waiting for their
    director's decision then, so could not go to a meeting that day (one query)."""
    end = end_of(up_to)
    proposals = list(
        Proposal.objects.filter(committees=committee, raised_at__lt=end)
        .annotate(stage_then=_stage_at(end))
        .filter(stage_then__in=AWAITING_DIRECTOR)
        .select_related("kpi")
        .order_by("pk")
    )
    for proposal in proposals:
        proposal.stage_then_label = Proposal.Stage(proposal.stage_then).label
    return proposals


def meeting_decisions(meeting: Meeting) -> dict[int, str]:
    """Proposal id → the outcome this meeting recorded for it."""
    return {
        decision.proposal_id: decision.get_outcome_display() for decision in meeting.decisions.all()
    }


def proposal_list(
    *, stage: str = "", committee_id: int | None = None, directorate_id: int | None = None
) -> QuerySet[Proposal]:
    proposals = _proposal_queryset()
    if stage:
        proposals = proposals.filter(stage=stage)
    if committee_id:
        proposals = proposals.filter(committees=committee_id)
    if directorate_id:
        proposals = proposals.filter(directorate_id=directorate_id)
    return proposals.order_by("-pk")


def proposal_detail(proposal_id: int) -> Proposal:
    return (
        _proposal_queryset()
        .prefetch_related(
            "priorities",
            "quality_checks",
            "consultations",
            Prefetch(
                "events", queryset=ProposalEvent.objects.select_related("by", "meeting__committee")
            ),
            Prefetch("decisions", queryset=_decisions()),
        )
        .select_related("decision_meeting__committee")
        .get(pk=proposal_id)
    )


def _decisions():
    return CommitteeDecision.objects.select_related("meeting__committee", "by")


def open_meetings_for(proposal: Proposal) -> QuerySet[Meeting]:
    """Meetings of the proposal's committees that could decide it."""
    return (
        Meeting.objects.filter(committee__in=proposal.committees.all())
        .exclude(status=Meeting.Status.CANCELLED)
        .exclude(decisions__proposal=proposal)
        .select_related("committee")
        .order_by("date")
    )


def action_tracker(committee: Committee, *, up_to: datetime.date | None = None) -> list[ActionItem]:
    """The committee's actions with their updates, newest first (two queries).

    With `up_to` (a meeting's pack: its day), only the updates written by that day, and the
    actions recorded by then or with such an update: later ones belong to later meetings."""
    updates = ActionUpdate.objects.select_related("by")
    items = ActionItem.objects.filter(committee=committee)
    if up_to is not None:
        updates = updates.filter(written_on__lte=up_to)
        added_later = ActionItem.history.model.objects.filter(
            id=OuterRef("pk"), history_type="+", history_date__gte=end_of(up_to)
        )
        updated_by_then = ActionUpdate.objects.filter(item=OuterRef("pk"), written_on__lte=up_to)
        items = items.exclude(Exists(added_later) & ~Exists(updated_by_then))
    return list(items.prefetch_related(Prefetch("updates", queryset=updates)))


def audit_list() -> QuerySet[Audit]:
    return Audit.objects.select_related("committee", "period", "drawn_by").annotate(
        sampled=Count("checks"),
        done=Count("checks", filter=Q(checks__checked_at__isnull=False)),
    )


def audit_detail(audit_id: int) -> Audit:
    checks = AuditCheck.objects.select_related("kpi", "checked_by")
    return (
        Audit.objects.select_related("committee", "period", "drawn_by")
        .prefetch_related(Prefetch("checks", queryset=checks))
        .get(pk=audit_id)
    )


def audit_checks(audit: Audit, *, with_queries: bool) -> list[AuditCheck]:
    """The audit's checks (prefetched by `audit_detail`); with `with_queries`, each check drawn
    because its value was queried carries that value as `queried_value`, for the query and its
    explanation (one query)."""
    checks = list(audit.checks.all())
    queried = [check.kpi_id for check in checks if check.queried]
    found = {}
    if with_queries and queried:
        found = {
            m.kpi_id: m
            for m in Measurement.objects.filter(period_id=audit.period_id, kpi_id__in=queried)
        }
    for check in checks:
        check.queried_value = found.get(check.kpi_id)
    return checks


def audits_of_kpi(kpi: Kpi) -> list[AuditCheck]:
    return list(
        AuditCheck.objects.filter(kpi=kpi)
        .select_related("audit__committee", "audit__period", "checked_by")
        .order_by("-audit__period__starts_on", "audit__committee__name")
    )
