"""The demo council's committees: chairs and clerks, two years of meetings, proposals at every
stage of the KPI cycle, action trackers and one quarterly audit.

Call `load_committee_demo(today=...)` after `kpis.demo.load_demo` (it needs the committees, users,
KPIs and reporting periods that writes). Everything is fictional. It is idempotent: rows are found
by natural keys (a committee and a date, a proposal's rationale, an action's reference, an audit's
committee and quarter) and nothing is written a second time on the same day; a run on a later day
adds the meetings and action updates of quarters that have ended since.

The story continues `kpis.demo`: KPI 189 was removed by the strategic committee on 24 March 2022
and KPIs 217 and 218 were added in its place on 27 June 2022 (adopted proposals, with their
timelines), and today a removal of KPI 149 and the KPI replacing it wait for the Environment and
Green Investment Committee's next meeting.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from committees import services
from committees.models import (
    ActionItem,
    Audit,
    CommitteeDecision,
    CommitteeDetails,
    Consultation,
    Meeting,
    Proposal,
    ProposalEvent,
    QualityCheck,
)
from kpis.register.models import Committee, Directorate, Kpi
from kpis.reporting.models import ReportingPeriod
from kpis.reporting.periods import financial_year_of, period_spec
from pmf.models import User

Stage = Proposal.Stage
MEETING_YEARS = 2
ALL_YES = {c: (QualityCheck.Answer.YES, "") for c in QualityCheck.Criterion.values}
USERNAMES = ("officer", "officer5", "approver", "approver-sp", "clerk", "gp")

# Fictional chairs and vice-chairs.
CHAIRS = {
    "SRP": ("Councillor Peter Langley", "Councillor Asha Brennan"),
    "AH": ("Councillor Meera Collins", "Councillor Tom Farrant"),
    "AP": ("Councillor Gareth Ellis", "Councillor Ruth Abara"),
    "CYP": ("Councillor Fiona Marsh", "Councillor Dev Raman"),
    "CSMI": ("Councillor Lena Okoro", "Councillor Jim Hartley"),
    "EGI": ("Councillor Owen Pryce", "Councillor Nadia Hussain"),
    "HT": ("Councillor Claire Dunmore", "Councillor Simon Ayres"),
    "AA": ("Councillor Robert Kemp", "Councillor Yvonne Stacey"),
}
# Weeks after a quarter ends that each committee meets, and the weekday (0 = Monday).
MEETING_PLAN = {
    "SRP": (8, 3),
    "AA": (9, 3),  # the week after the strategic committee: it reviews the report after it
    "AH": (9, 1),
    "AP": (9, 2),
    "CYP": (10, 1),
    "CSMI": (10, 2),
    "EGI": (10, 3),
    "HT": (11, 1),
}
# The 2022 meetings of the KPI 189 → 217/218 story (kpis.demo's decisions).
STORY_MEETINGS = (
    ("SRP", datetime.date(2022, 3, 24)),
    ("SRP", datetime.date(2022, 6, 27)),
    ("AA", datetime.date(2022, 5, 26)),
)


def _next_weekday(day: datetime.date, weekday: int) -> datetime.date:
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


def _quarters_ended(today: datetime.date, years: int) -> list[tuple[int, int, datetime.date]]:
    """(financial year, quarter, end date) of the quarters that ended in the last `years` years,
    oldest first."""
    found = []
    year = financial_year_of(today)
    for financial_year in range(year - years, year + 1):
        for number in range(1, 5):
            spec = period_spec("quarter", financial_year, number)
            if spec.ends_on < today and spec.ends_on >= today - datetime.timedelta(
                days=366 * years
            ):
                found.append((financial_year, number, spec.ends_on))
    return found


@dataclass
class Loaded:
    details: int = 0
    meetings: int = 0
    proposals: int = 0
    actions: int = 0
    updates: int = 0
    audits: int = 0

    def lines(self) -> list[str]:
        made = ", ".join(f"{count} {name}" for name, count in self.__dict__.items())
        return [f"Committees demo created: {made}"]


def load_committee_demo(*, today: datetime.date | None = None) -> Loaded:
    today = today or timezone.localdate()
    loaded = Loaded()
    committees = {c.short_name: c for c in Committee.objects.all()}
    users = {u.username: u for u in User.objects.filter(username__in=USERNAMES)}
    if "SRP" not in committees or len(users) < len(USERNAMES):
        raise RuntimeError("Load the register demo (kpis.demo.load_demo) first.")
    with transaction.atomic():
        _details(committees, users, loaded)
        meetings = _meetings(committees, today, loaded)
        _story_proposals(committees, users, meetings, loaded)
        _current_proposals(committees, users, today, loaded)
        _actions(committees, users, today, loaded)
        _audit(committees, users, loaded)
    return loaded


def _details(committees: dict, users: dict, loaded: Loaded) -> None:
    for short_name, (chair, vice) in CHAIRS.items():
        committee = committees.get(short_name)
        if committee is None:
            continue
        details, created = CommitteeDetails.objects.get_or_create(
            committee=committee, defaults={"chair": chair, "vice_chair": vice}
        )
        loaded.details += created
        wanted_after = committees["SRP"] if short_name == "AA" else None
        if details.reports_after != wanted_after:
            details.reports_after = wanted_after
            details.save()
        if not details.clerks.filter(username="clerk").exists():
            details.clerks.add(users["clerk"])


def _meeting(committee: Committee, date: datetime.date, today: datetime.date, period, loaded):
    status = Meeting.Status.HELD if date < today else Meeting.Status.SCHEDULED
    meeting = Meeting.objects.filter(committee=committee, date=date).first()
    if meeting is None:
        meeting = Meeting(committee=committee, date=date, period=period, status=status)
        meeting.full_clean()
        meeting.save()
        loaded.meetings += 1
    elif meeting.status == Meeting.Status.SCHEDULED and status == Meeting.Status.HELD:
        meeting.status = status
        meeting.save()
    return meeting


def _meetings(committees: dict, today: datetime.date, loaded: Loaded) -> dict:
    periods = {
        (p.financial_year, p.number): p
        for p in ReportingPeriod.objects.filter(kind=ReportingPeriod.Kind.QUARTER)
    }
    found = {}
    for short_name, date in STORY_MEETINGS:
        found[(short_name, date)] = _meeting(committees[short_name], date, today, None, loaded)
    for financial_year, number, ends_on in _quarters_ended(today, MEETING_YEARS):
        period = periods.get((financial_year, number))
        for short_name, (weeks, weekday) in MEETING_PLAN.items():
            if short_name not in committees:
                continue
            date = _next_weekday(ends_on + datetime.timedelta(weeks=weeks), weekday)
            found[(short_name, date)] = _meeting(
                committees[short_name], date, today, period, loaded
            )
    return found


def _events(proposal: Proposal, steps: list[tuple[str, User, datetime.date, str, Meeting | None]]):
    for stage, by, on, note, meeting in steps:
        event = ProposalEvent.objects.create(
            proposal=proposal, stage=stage, by=by, note=note, meeting=meeting
        )
        at = timezone.make_aware(datetime.datetime.combine(on, datetime.time(10)))
        ProposalEvent.objects.filter(pk=event.pk).update(at=at)


def _story_proposals(committees: dict, users: dict, meetings: dict, loaded: Loaded) -> None:
    """The adopted 2022 proposals: KPI 189 removed, KPIs 217 and 218 added in its place. The
    register already holds their effects (kpis.demo), so they are written as history."""
    kpis = {k.reference: k for k in Kpi.objects.filter(reference__in=["189", "217", "218"])}
    if len(kpis) < 3:
        return
    srp = committees["SRP"]
    removal = (
        "Sessions on the website do not show whether residents found what they needed, and rise "
        "when the website is hard to use."
    )
    replacement = (
        "Replaces KPI 189 (Number of sessions on website) with a more relevant measure. KPI 189 "
        "was removed from the Corporate Services KPI set by Strategy, Resources and Performance "
        "Committee in March 2022"
    )
    stories = [
        ("189", Proposal.Kind.REMOVE, removal, datetime.date(2022, 3, 24)),
        ("217", Proposal.Kind.ADD, replacement, datetime.date(2022, 6, 27)),
        ("218", Proposal.Kind.ADD, replacement, datetime.date(2022, 6, 27)),
    ]
    officer, director, clerk, gp = (
        users["officer5"],
        users["approver-sp"],
        users["clerk"],
        users["gp"],
    )
    for reference, kind, rationale, decided_on in stories:
        kpi = kpis[reference]
        if Proposal.objects.filter(kind=kind, kpi=kpi, rationale=rationale).exists():
            continue
        meeting = meetings[("SRP", decided_on)]
        proposal = Proposal.objects.create(
            kind=kind,
            stage=Stage.ADOPTED,
            kpi=kpi,
            directorate=kpi.directorate,
            rationale=rationale,
            name=kpi.name,
            service=kpi.service,
            raised_by=officer,
            consultation_plan="Directorate management team and the Communications service.",
            equality_outcome="positive" if kind == Proposal.Kind.ADD else "no_impact",
            equality_summary="Reviewed by the directorate's equality lead.",
            decision_meeting=meeting,
            effective_from=kpi.date_added if kind == Proposal.Kind.ADD else kpi.date_removed,
        )
        proposal.decision_text = services.decision_text(meeting, proposal, "agreed")
        proposal.save()
        proposal.committees.set([srp])
        start = decided_on - datetime.timedelta(days=70)
        Proposal.objects.filter(pk=proposal.pk).update(
            raised_at=timezone.make_aware(datetime.datetime.combine(start, datetime.time(9)))
        )
        QualityCheck.objects.bulk_create(
            QualityCheck(proposal=proposal, criterion=c, answer=QualityCheck.Answer.YES)
            for c in QualityCheck.Criterion.values
        )
        Consultation.objects.create(
            proposal=proposal, consultee="Head of Communications", response="Supports the change."
        )
        CommitteeDecision.objects.create(
            proposal=proposal, meeting=meeting, outcome="agreed", note="Agreed", by=clerk
        )
        day = datetime.timedelta(days=1)
        _events(
            proposal,
            [
                (Stage.DRAFT, officer, start, "Raised", None),
                (Stage.QUALITY_CHECKED, officer, start + 7 * day, "All standards met", None),
                (Stage.CONSULTED, officer, start + 28 * day, "Head of Communications", None),
                (Stage.EQUALITY_ASSESSED, officer, start + 35 * day, "Reviewed", None),
                (Stage.DIRECTOR_APPROVED, director, start + 42 * day, "Approved", None),
                (Stage.COMMITTEE_AGREED, clerk, decided_on, "Agreed", meeting),
                (Stage.ADOPTED, gp, decided_on + day, proposal.decision_text, None),
            ],
        )
        loaded.proposals += 1


@dataclass(frozen=True)
class ProposalSpec:
    stage: str
    kind: str
    committee: str
    rationale: str
    name: str = ""
    kpi: str = ""
    directorate: str = "P&S"
    service: str = ""
    changes: str = ""
    unit: str = "percent"
    direction: str = "higher"
    frequency: str = "quarterly"
    level: str = "operational"


CURRENT = (
    ProposalSpec(
        Stage.DRAFT,
        "add",
        "EGI",
        "Members asked for a measure of waste prevention, not only recycling.",
        name="Household waste collected per household (kg)",
        service="Waste Management",
        unit="count",
        direction="lower",
    ),
    ProposalSpec(
        Stage.QUALITY_CHECKED,
        "add",
        "HT",
        "Dangerous defects are the ones residents most often report to councillors.",
        name="Dangerous highway defects made safe within 2 hours (%)",
        service="Highways",
    ),
    ProposalSpec(
        Stage.CONSULTED,
        "amend",
        "CSMI",
        "Physical and virtual visits move differently and members want to see both.",
        kpi="145",
        changes="Report physical and virtual library visits separately, monthly.",
        frequency="monthly",
    ),
    ProposalSpec(
        Stage.EQUALITY_ASSESSED,
        "add",
        "HT",
        "Access to a frequent bus service matters most to residents without a car.",
        name="Residents within 400 metres of a stop with an hourly bus service (%)",
        service="Passenger Transport",
    ),
    ProposalSpec(
        Stage.DIRECTOR_APPROVED,
        "remove",
        "EGI",
        "The on-site survey stopped when booking moved online; replaced by the measure below.",
        kpi="149",
    ),
    ProposalSpec(
        Stage.DIRECTOR_APPROVED,
        "add",
        "EGI",
        "Replaces KPI 149 (household recycling centre users satisfied) with the residents' "
        "survey question, which has a comparator.",
        name="Residents satisfied with household recycling centres (residents' survey, %)",
        service="Waste Management",
        frequency="annual",
    ),
    ProposalSpec(
        Stage.DIRECTOR_REJECTED,
        "add",
        "EGI",
        "Shows how busy the planning team is.",
        name="Planning enforcement complaints received",
        service="Planning and Development",
        unit="count",
        direction="lower",
    ),
    ProposalSpec(
        Stage.DEFERRED,
        "add",
        "HT",
        "Tracks the shift to active travel on the routes the council has improved.",
        name="Cycle journeys counted at automatic counters (rolling 12 months)",
        service="Passenger Transport",
        unit="count",
    ),
    ProposalSpec(
        Stage.COMMITTEE_AGREED,
        "add",
        "EGI",
        "The nature recovery strategy needs a measure of land under management.",
        name="Council land managed for nature recovery (hectares)",
        service="Climate Change and Energy",
        unit="count",
        level="strategic",
    ),
    ProposalSpec(
        Stage.COMMITTEE_REJECTED,
        "remove",
        "EGI",
        "Few county matters applications are received each quarter.",
        kpi="147",
    ),
)


def _last_held(committee: Committee, today: datetime.date) -> Meeting | None:
    return (
        Meeting.objects.filter(committee=committee, date__lt=today, status=Meeting.Status.HELD)
        .order_by("-date")
        .first()
    )


def _current_proposals(committees: dict, users: dict, today: datetime.date, loaded) -> None:
    """Proposals at every stage, each taken through the real services by the right people."""
    directorates = {d.short_name: d for d in Directorate.objects.all()}
    officer, director, clerk = users["officer"], users["approver"], users["clerk"]
    order = [
        Stage.QUALITY_CHECKED,
        Stage.CONSULTED,
        Stage.EQUALITY_ASSESSED,
        Stage.DIRECTOR_APPROVED,
        "decision",
    ]
    for spec in CURRENT:
        if Proposal.objects.filter(rationale=spec.rationale).exists():
            continue
        committee = committees[spec.committee]
        directorate = directorates[spec.directorate]
        kpi = Kpi.objects.filter(reference=spec.kpi).first() if spec.kpi else None
        if spec.kpi and kpi is None:
            continue
        service = directorate.services.filter(name=spec.service).first() if spec.service else None
        proposal = Proposal(
            kind=spec.kind,
            kpi=kpi,
            directorate=kpi.directorate if kpi else directorate,
            rationale=spec.rationale,
            changes=spec.changes,
            name=spec.name,
            service=service,
            data_source="Service management system" if spec.kind == "add" else "",
            unit=spec.unit if spec.kind == "add" else "",
            direction=spec.direction if spec.kind == "add" else "",
            frequency=spec.frequency if spec.kind != "remove" else "",
            level=spec.level if spec.kind == "add" else "",
            target_kind="annual" if spec.kind == "add" else "",
        )
        proposal = services.proposal_save(proposal=proposal, by=officer, committees=[committee])
        loaded.proposals += 1
        target = spec.stage
        for step in order:
            if proposal.stage == target:
                break
            if step == Stage.QUALITY_CHECKED:
                proposal = services.proposal_quality_check(
                    proposal=proposal, by=officer, answers=ALL_YES
                )
            elif step == Stage.CONSULTED:
                proposal = services.proposal_consult(
                    proposal=proposal,
                    by=officer,
                    plan="The director asked for the head of service and the committee's chair.",
                    responses=[
                        ("Head of service", "Supports the proposal."),
                        ("Committee chair", "Content, if a baseline is reported first."),
                    ],
                )
            elif step == Stage.EQUALITY_ASSESSED:
                proposal = services.proposal_record_equality(
                    proposal=proposal,
                    by=officer,
                    outcome="no_impact",
                    summary="Screened by the directorate's equality lead: no differential impact.",
                )
            elif step == Stage.DIRECTOR_APPROVED:
                reject = target == Stage.DIRECTOR_REJECTED
                proposal = services.proposal_director_decide(
                    proposal=proposal,
                    by=director,
                    approve=not reject,
                    reasons="Counts demand, not performance: keep it as service management "
                    "information."
                    if reject
                    else "",
                )
            else:
                meeting = _last_held(committee, today)
                if meeting is None:
                    break
                outcome = {
                    Stage.DEFERRED: "deferred",
                    Stage.COMMITTEE_AGREED: "agreed",
                    Stage.COMMITTEE_REJECTED: "rejected",
                }[target]
                proposal = services.proposal_committee_decide(
                    proposal=proposal, by=clerk, meeting=meeting, outcome=outcome
                )


ACTIONS = {
    "SRP": (
        (
            "F.9",
            "Set up a strategic programme management office and a project management framework",
            "November 2025; revised to September 2026 to follow the restructure of corporate "
            "functions",
            "Head of Transformation",
            "Programme management office established",
            "No programme management office in place",
            "in_progress",
        ),
        (
            "F.12",
            "Review how decisions on spending and investment weigh net zero, social and "
            "financial criteria, and their impact on residents living in deprivation",
            "November 2025, then ongoing",
            "Service Director, Finance",
            "Review completed and new decision criteria in use",
            "Not applicable: a new review",
            "in_progress",
        ),
        (
            "F.14",
            "Publish the council's performance scorecards on its website each quarter",
            "March 2026",
            "Governance and Performance Manager",
            "Scorecards published within a week of each committee",
            "Scorecards published only in committee papers",
            "achieved",
        ),
    ),
    "AA": (
        (
            "A.3",
            "Audit a random sample of each committee's KPIs every quarter and report findings",
            "Each quarter",
            "Governance and Performance Manager",
            "Every committee's KPIs sampled each quarter; findings followed up",
            "Ad hoc checks only",
            "in_progress",
        ),
    ),
}
UPDATES = {
    "F.9": ("The framework is almost complete; testing with services over the summer.",),
    "F.12": (
        "Scoring criteria drafted for business cases; the capital template now asks for "
        "the carbon impact of each bid.",
    ),
    "F.14": ("Published for the first time; page views tracked.",),
    "A.3": ("Sample drawn and checked; one KPI's calculation corrected.",),
}


def _actions(committees: dict, users: dict, today: datetime.date, loaded: Loaded) -> None:
    quarters = _quarters_ended(today, 1)[-2:]
    for short_name, rows in ACTIONS.items():
        committee = committees.get(short_name)
        if committee is None:
            continue
        for reference, action, milestone, lead, success, baseline, status in rows:
            item, created = ActionItem.objects.get_or_create(
                committee=committee,
                reference=reference,
                defaults={
                    "action": action,
                    "milestone": milestone,
                    "lead_officer": lead,
                    "success_criteria": success,
                    "baseline": baseline,
                    "status": "in_progress",
                },
            )
            loaded.actions += created
            for index, (_, _, ends_on) in enumerate(quarters):
                written_on = ends_on + datetime.timedelta(days=14)
                if written_on > today or item.updates.filter(written_on=written_on).exists():
                    continue
                last = index == len(quarters) - 1
                services.action_update_add(
                    item=item,
                    by=users["clerk"],
                    written_on=written_on,
                    status=status if last else "in_progress",
                    text=UPDATES[reference][0] if last else "Work under way; on track.",
                )
                loaded.updates += 1


def _audit(committees: dict, users: dict, loaded: Loaded) -> None:
    period = (
        ReportingPeriod.objects.filter(
            kind=ReportingPeriod.Kind.QUARTER, state=ReportingPeriod.State.LOCKED
        )
        .order_by("-starts_on")
        .first()
    )
    srp = committees["SRP"]
    if period is None or Audit.objects.filter(committee=srp, period=period).exists():
        return
    gp = users["gp"]
    seed = period.financial_year * 10 + period.number
    audit = services.audit_draw(committee=srp, period=period, by=gp, seed=seed)
    loaded.audits += 1
    checks = list(audit.checks.select_related("kpi"))
    for index, check in enumerate(checks[:-1]):  # the last is left to do
        services.audit_check_record(
            check=check,
            by=gp,
            accurately_calculated="yes",
            accurately_reported="yes" if index else "no",
            remedial_action="na" if index else "yes",
            still_relevant="yes",
            findings="Value and calculation match the source system."
            if index
            else "The committee report showed the previous quarter's value.",
            follow_up="" if index else "Data owner to check the pack before publication.",
        )
