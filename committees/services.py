"""Writes for committees: meetings, the KPI cycle, action trackers and audits.

Each service is keyword-only, runs in one transaction, checks the user's role first
(`PermissionDenied`) and then the state of the thing it changes (`ValidationError`), so a step
taken twice, or out of order, is refused with a reason. Changes to the register itself go
through `kpis.services`.
"""

import datetime
import random
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from committees.models import (
    ActionItem,
    ActionUpdate,
    Audit,
    AuditCheck,
    CommitteeDecision,
    CommitteeDetails,
    Consultation,
    Meeting,
    Proposal,
    ProposalEvent,
    QualityCheck,
)
from committees.selectors import kpi_set_on
from committees.workflow import require_step
from kpis.register import services as register
from kpis.register.models import Committee, Kpi, Priority
from kpis.reporting.models import Measurement, ReportingPeriod
from kpis.reporting.periods import financial_year_of, period_spec
from pmf import clock
from pmf.models import User

Stage = Proposal.Stage


def _refuse_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


# --- committees and meetings ----------------------------------------------------------------


@transaction.atomic
def committee_details_save(
    *, details: CommitteeDetails, by: User, clerks: Iterable[User]
) -> CommitteeDetails:
    """Chair, vice-chair, clerks and reporting order of a committee (G&P only)."""
    _refuse_unless(
        by.has_perm("committees.keep_committees"),
        "Only the Governance and Performance team can change this.",
    )
    if details.reports_after_id and details.reports_after_id == details.committee_id:
        raise ValidationError({"reports_after": "A committee cannot follow itself."})
    details.full_clean()
    register.record_change(details, by=by, reason="Edited")
    details.save()
    details.clerks.set(clerks)
    return details


def details_for(committee: Committee) -> CommitteeDetails:
    """The committee's details, unsaved and empty if it has none yet."""
    try:
        return committee.details
    except CommitteeDetails.DoesNotExist:
        return CommitteeDetails(committee=committee)


@transaction.atomic
def meeting_save(*, meeting: Meeting, by: User) -> Meeting:
    """Add or change a meeting. A committee that reports after another (Audit and Accounts after
    the strategic committee) may consider a quarter only after the other has, in a meeting
    before this one."""
    _refuse_unless(
        by.has_perm("committees.manage_committee", meeting.committee),
        "Only G&P or this committee's clerk can manage its meetings.",
    )
    meeting.full_clean()
    earlier = CommitteeDetails.objects.filter(committee=meeting.committee).first()
    if earlier and earlier.reports_after_id and meeting.period_id:
        first = (
            Meeting.objects.filter(
                committee_id=earlier.reports_after_id, period_id=meeting.period_id
            )
            .exclude(status=Meeting.Status.CANCELLED)
            .order_by("date")
            .first()
        )
        if first is None or first.date >= meeting.date:
            raise ValidationError(
                {
                    "date": f"{meeting.committee.name} considers a quarter after "
                    f"{earlier.reports_after.name}: schedule that committee's meeting for "
                    f"{meeting.period.label} first, on an earlier date."
                }
            )
    register.record_change(meeting, by=by, reason="Edited" if meeting.pk else "Scheduled")
    meeting.save()
    return meeting


# --- the KPI cycle --------------------------------------------------------------------------


def _locked(proposal: Proposal) -> Proposal:
    """The proposal re-read under a row lock, so two people cannot take the same step."""
    return Proposal.objects.select_for_update().get(pk=proposal.pk)


def _require_stage(proposal: Proposal, *stages: str, step: str) -> None:
    if proposal.stage not in stages:
        raise ValidationError(
            f"This proposal is “{proposal.get_stage_display().lower()}”: it cannot be {step} now."
        )


def _move(
    proposal: Proposal, stage: str, *, by: User, note: str = "", meeting: Meeting | None = None
) -> Proposal:
    proposal.stage = stage
    register.record_change(proposal, by=by, reason=Proposal.Stage(stage).label)
    proposal.save()
    ProposalEvent.objects.create(proposal=proposal, stage=stage, by=by, note=note, meeting=meeting)
    return proposal


@transaction.atomic
def proposal_save(
    *,
    proposal: Proposal,
    by: User,
    committees: Iterable[Committee],
    priorities: Iterable[Priority] = (),
) -> Proposal:
    """Raise a proposal (officers, directors, G&P) or edit it while it is still a draft."""
    committees = list(committees)
    if proposal.pk:
        stored = _locked(proposal)
        _refuse_unless(
            by.has_perm("committees.prepare_proposal", stored), "You cannot edit this proposal."
        )
        _require_stage(stored, Stage.DRAFT, step="edited")
        proposal.stage = stored.stage
    else:
        _refuse_unless(
            by.has_perm("committees.raise_proposal"),
            "Only officers, directors and G&P raise proposals.",
        )
        proposal.raised_by = by
        proposal.stage = Stage.DRAFT
    if not committees:
        raise ValidationError({"committees": "Select at least one committee."})
    proposal.full_clean()
    creating = proposal.pk is None
    register.record_change(proposal, by=by, reason="Raised" if creating else "Draft edited")
    proposal.save()
    proposal.committees.set(committees)
    proposal.priorities.set(priorities)
    if creating:
        ProposalEvent.objects.create(proposal=proposal, stage=Stage.DRAFT, by=by, note="Raised")
    return proposal


@transaction.atomic
def proposal_quality_check(
    *, proposal: Proposal, by: User, answers: dict[str, tuple[str, str]]
) -> Proposal:
    """Record the answer (yes / no / not applicable, and a note) to every quality standard."""
    proposal = _locked(proposal)
    require_step("quality", proposal, by, "You cannot quality check this proposal.")
    missing = [c.label for c in QualityCheck.Criterion if c.value not in answers]
    if missing:
        raise ValidationError(f"Answer every quality standard: {', '.join(missing)}.")
    for criterion, (answer, note) in answers.items():
        check = QualityCheck(proposal=proposal, criterion=criterion, answer=answer, note=note)
        check.full_clean()
        check.save()
    noes = sum(1 for answer, _ in answers.values() if answer == QualityCheck.Answer.NO)
    note = f"{noes} standard{'s' if noes != 1 else ''} not met" if noes else "All standards met"
    return _move(proposal, Stage.QUALITY_CHECKED, by=by, note=note)


@transaction.atomic
def proposal_consult(
    *, proposal: Proposal, by: User, plan: str, responses: list[tuple[str, str]]
) -> Proposal:
    """Record who was consulted (as the director decided) and what each said."""
    proposal = _locked(proposal)
    require_step("consultation", proposal, by, "You cannot record consultation on this proposal.")
    if not responses:
        raise ValidationError({"responses": "Enter at least one person or group consulted."})
    proposal.consultation_plan = plan
    for consultee, response in responses:
        Consultation.objects.create(proposal=proposal, consultee=consultee, response=response)
    names = ", ".join(consultee for consultee, _ in responses)
    return _move(proposal, Stage.CONSULTED, by=by, note=f"Consulted: {names}")


EQUALITY_OUTCOMES = {
    "no_impact": "No impact on people with protected characteristics",
    "positive": "A positive impact",
    "mitigated": "Negative impacts identified and mitigated",
    "full_assessment": "A full assessment is attached",
}


@transaction.atomic
def proposal_record_equality(
    *, proposal: Proposal, by: User, outcome: str, summary: str
) -> Proposal:
    """Record the Equality and Diversity Impact Assessment."""
    proposal = _locked(proposal)
    require_step("equality", proposal, by, "You cannot record the assessment.")
    if outcome not in EQUALITY_OUTCOMES:
        raise ValidationError({"outcome": "Select the outcome of the assessment."})
    if not summary.strip():
        raise ValidationError({"summary": "Enter a summary of the assessment."})
    proposal.equality_outcome = outcome
    proposal.equality_summary = summary
    return _move(proposal, Stage.EQUALITY_ASSESSED, by=by, note=EQUALITY_OUTCOMES[outcome])


@transaction.atomic
def proposal_director_decide(
    *, proposal: Proposal, by: User, approve: bool, reasons: str
) -> Proposal:
    """The directorate's director (an approver of its directorate) or G&P approves or rejects.
    A rejection needs reasons and stays on record."""
    proposal = _locked(proposal)
    require_step(
        "director",
        proposal,
        by,
        "Only a director of this proposal's directorate (or G&P) can decide it.",
    )
    if not approve and not reasons.strip():
        raise ValidationError({"reasons": "Enter the reasons for rejecting the proposal."})
    proposal.director_reasons = reasons
    stage = Stage.DIRECTOR_APPROVED if approve else Stage.DIRECTOR_REJECTED
    return _move(proposal, stage, by=by, note=reasons)


def decision_text(meeting: Meeting, proposal: Proposal, outcome: str) -> str:
    return (
        f"{meeting.committee.name}, {meeting.date:%-d %B %Y}: proposal {proposal.reference} "
        f"({proposal.get_kind_display().lower()}) {outcome}"
    )[:300]


@transaction.atomic
def proposal_committee_decide(
    *, proposal: Proposal, by: User, meeting: Meeting, outcome: str, note: str = ""
) -> Proposal:
    """Record a committee's decision at a meeting: agreed, rejected or deferred (to be decided
    again at a later meeting). G&P, or the clerk of the meeting's committee."""
    proposal = _locked(proposal)
    refusal = "Only G&P or the committee's clerk can record its decision."
    require_step("committee", proposal, by, refusal)
    _refuse_unless(by.has_perm("committees.manage_committee", meeting.committee), refusal)
    if not proposal.committees.filter(pk=meeting.committee_id).exists():
        raise ValidationError({"meeting": "This proposal does not go to that committee."})
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError({"meeting": "That meeting was cancelled."})
    if proposal.decisions.filter(meeting=meeting).exists():
        raise ValidationError({"meeting": "That meeting has already decided this proposal."})
    if outcome not in CommitteeDecision.Outcome.values:
        raise ValidationError({"outcome": "Select the committee's decision."})
    CommitteeDecision.objects.create(
        proposal=proposal, meeting=meeting, outcome=outcome, note=note, by=by
    )
    stage = {
        CommitteeDecision.Outcome.AGREED: Stage.COMMITTEE_AGREED,
        CommitteeDecision.Outcome.REJECTED: Stage.COMMITTEE_REJECTED,
        CommitteeDecision.Outcome.DEFERRED: Stage.DEFERRED,
    }[outcome]
    if outcome != CommitteeDecision.Outcome.DEFERRED:
        proposal.decision_meeting = meeting
        proposal.decision_text = decision_text(
            meeting, proposal, CommitteeDecision.Outcome(outcome).label.lower()
        )
    return _move(proposal, stage, by=by, note=note, meeting=meeting)


def next_period_start(day: datetime.date) -> datetime.date:
    """The first day of the first quarter that starts after `day`."""
    year = financial_year_of(day)
    for financial_year, number in [(year, n) for n in range(1, 5)] + [(year + 1, 1)]:
        starts_on = period_spec("quarter", financial_year, number).starts_on
        if starts_on > day:
            return starts_on
    raise AssertionError("unreachable")  # pragma: no cover


def next_reference() -> str:
    """The next free KPI number: one more than the highest numeric reference ever used."""
    numbers = [int(ref) for ref in Kpi.objects.values_list("reference", flat=True) if ref.isdigit()]
    return str(max(numbers, default=0) + 1)


AMENDABLE = (
    ("name", "name"),
    ("description", "description"),
    ("kpi_rationale", "rationale"),
    ("data_source", "data_source"),
    ("unit", "unit"),
    ("direction", "direction"),
    ("frequency", "frequency"),
    ("level", "level"),
    ("target_kind", "target_kind"),
    ("perspective", "perspective"),
    ("metric_category", "metric_category"),
    ("indicator_type", "indicator_type"),
    ("service_id", "service_id"),
)


def _open_committees(kpi: Kpi) -> list[Committee]:
    return list(Committee.objects.filter(memberships__kpi=kpi, memberships__ended_on__isnull=True))


@transaction.atomic
def proposal_adopt(*, proposal: Proposal, by: User, on: datetime.date | None = None) -> Proposal:
    """G&P adopt an agreed proposal: the register and the committees' KPI sets change from the
    start of the next reporting period (quarter) after `on` (today), with the decision recorded
    on the KPI and its memberships."""
    proposal = _locked(proposal)
    require_step("adopt", proposal, by, "Only the Governance and Performance team adopt proposals.")
    effective = next_period_start(on or clock.localdate())
    decision = proposal.decision_text or f"Proposal {proposal.reference} adopted"
    committees = list(proposal.committees.all())
    kpi = proposal.kpi
    if proposal.kind == Proposal.Kind.ADD and kpi is None:
        kpi = Kpi(
            reference=next_reference(),
            name=proposal.name,
            description=proposal.description,
            rationale=proposal.kpi_rationale,
            data_source=proposal.data_source,
            directorate=proposal.directorate,
            service=proposal.service,
            level=proposal.level,
            perspective=proposal.perspective or Kpi.Perspective.RESIDENTS,
            metric_category=proposal.metric_category or Kpi.MetricCategory.LOCAL_AUTHORITY,
            frequency=proposal.frequency,
            unit=proposal.unit,
            direction=proposal.direction,
            indicator_type=proposal.indicator_type or Kpi.IndicatorType.LAGGING,
            target_kind=proposal.target_kind,
            status=Kpi.Status.IN_DEVELOPMENT,
            date_added=effective,
            added_by_decision=decision,
        )
        register.kpi_save(
            kpi=kpi, by=by, priorities=proposal.priorities.all(), committees=[], reason=decision
        )
        register.committee_set_change(
            kpi=kpi, committees=committees, on=effective, decision=decision
        )
        proposal.kpi = kpi
    elif proposal.kind == Proposal.Kind.ADD:
        wanted = set(_open_committees(kpi)) | set(committees)
        register.committee_set_change(kpi=kpi, committees=wanted, on=effective, decision=decision)
    elif proposal.kind == Proposal.Kind.REMOVE and proposal.retire_kpi:
        register.kpi_retire(
            kpi=kpi, by=by, on=effective, reason=proposal.rationale, decision=decision
        )
    elif proposal.kind == Proposal.Kind.REMOVE:
        wanted = set(_open_committees(kpi)) - set(committees)
        register.committee_set_change(kpi=kpi, committees=wanted, on=effective, decision=decision)
    else:
        for mine, theirs in AMENDABLE:
            value = getattr(proposal, mine)
            if value not in ("", None):
                setattr(kpi, theirs, value)
        priorities = list(proposal.priorities.all()) or list(kpi.priorities.all())
        register.kpi_save(
            kpi=kpi,
            by=by,
            priorities=priorities,
            committees=_open_committees(kpi),
            reason=decision,
        )
    proposal.effective_from = effective
    return _move(
        proposal, Stage.ADOPTED, by=by, note=f"Effective from {effective:%-d %B %Y}: {decision}"
    )


# --- action trackers ------------------------------------------------------------------------


@transaction.atomic
def action_save(*, item: ActionItem, by: User) -> ActionItem:
    _refuse_unless(
        by.has_perm("committees.manage_committee", item.committee),
        "Only G&P or this committee's clerk can change its action tracker.",
    )
    item.full_clean()
    register.record_change(item, by=by, reason="Edited" if item.pk else "Added")
    item.save()
    return item


@transaction.atomic
def action_update_add(
    *, item: ActionItem, by: User, written_on: datetime.date, status: str, text: str
) -> ActionUpdate:
    """Record an update on an action; the action takes the status the update reports."""
    _refuse_unless(
        by.has_perm("committees.manage_committee", item.committee),
        "Only G&P or this committee's clerk can update its action tracker.",
    )
    update = ActionUpdate(item=item, written_on=written_on, status=status, text=text, by=by)
    update.full_clean()
    update.save()
    if item.status != status:
        item.status = status
        register.record_change(item, by=by, reason="Update recorded")
        item.save()
    return update


# --- the quarterly audit sample -------------------------------------------------------------


def audit_sample_size() -> int:
    return int(getattr(settings, "AUDIT_SAMPLE_SIZE", 3))


def draw_sample(
    kpi_ids: Iterable[int], *, seed: int, size: int, queried: Iterable[int] = ()
) -> list[int]:
    """A reproducible sample: the same ids, queried ids, seed and size always give the same KPIs.

    The KPIs whose value was queried at entry are drawn first (at random among themselves when
    there are more of them than the sample holds); the rest of the sample is drawn at random
    from the others. With nothing queried it is a plain random sample.
    """
    ordered = sorted(set(kpi_ids))
    flagged = set(queried)
    first = [kpi_id for kpi_id in ordered if kpi_id in flagged]
    others = [kpi_id for kpi_id in ordered if kpi_id not in flagged]
    chooser = random.Random(seed)
    drawn = chooser.sample(first, min(size, len(first)))
    drawn += chooser.sample(others, min(size - len(drawn), len(others)))
    return sorted(drawn)


def queried_kpis(kpi_ids: Iterable[int], period: ReportingPeriod) -> set[int]:
    """Which of the KPIs had their value for `period` queried at entry (one query)."""
    return set(
        Measurement.objects.filter(period=period, kpi_id__in=list(kpi_ids))
        .exclude(data_query="")
        .values_list("kpi_id", flat=True)
    )


@transaction.atomic
def audit_draw(
    *,
    committee: Committee,
    period: ReportingPeriod,
    by: User,
    seed: int | None = None,
    size: int | None = None,
) -> Audit:
    """Draw the sample of a committee's KPI set (as it stood at the period's end) for audit:
    the KPIs whose value was queried at entry first, then at random."""
    _refuse_unless(
        by.has_perm("committees.keep_committees"),
        "Only the Governance and Performance team audit KPIs.",
    )
    if not period.is_locked:
        raise ValidationError("Audit a period only after it is locked.")
    if Audit.objects.filter(committee=committee, period=period).exists():
        raise ValidationError(f"{committee.name} has already been audited for {period.label}.")
    size = audit_sample_size() if size is None else size
    seed = secrets.randbits(48) if seed is None else seed
    ids = [kpi.pk for kpi in kpi_set_on(committee, period.ends_on)]
    queried = queried_kpis(ids, period)
    audit = Audit.objects.create(
        committee=committee, period=period, seed=seed, sample_size=size, drawn_by=by
    )
    AuditCheck.objects.bulk_create(
        AuditCheck(audit=audit, kpi_id=kpi_id, queried=kpi_id in queried)
        for kpi_id in draw_sample(ids, seed=seed, size=size, queried=queried)
    )
    return audit


@transaction.atomic
def audit_draw_all(*, period: ReportingPeriod, by: User) -> list[Audit]:
    """Draw a sample from each active committee's set not yet audited for the period."""
    _refuse_unless(
        by.has_perm("committees.keep_committees"),
        "Only the Governance and Performance team audit KPIs.",
    )
    if not period.is_locked:
        raise ValidationError("Audit a period only after it is locked.")
    done = set(Audit.objects.filter(period=period).values_list("committee_id", flat=True))
    return [
        audit_draw(committee=committee, period=period, by=by)
        for committee in Committee.objects.filter(is_active=True).exclude(pk__in=done)
    ]


@transaction.atomic
def audit_check_record(
    *,
    check: AuditCheck,
    by: User,
    accurately_calculated: str,
    accurately_reported: str,
    remedial_action: str,
    still_relevant: str,
    findings: str,
    follow_up: str,
) -> AuditCheck:
    _refuse_unless(
        by.has_perm("committees.keep_committees"),
        "Only the Governance and Performance team audit KPIs.",
    )
    check.accurately_calculated = accurately_calculated
    check.accurately_reported = accurately_reported
    check.remedial_action = remedial_action
    check.still_relevant = still_relevant
    check.findings = findings
    check.follow_up = follow_up
    check.checked_by = by
    check.checked_at = clock.now()
    check.full_clean()
    register.record_change(check, by=by, reason="Checked")
    check.save()
    return check
