"""The committees' side of the story, through the committees app's services.

Each committee's chair, clerk and meetings (one on each of the last eight quarters' reports);
the KPI proposals, each taken step by step through the KPI cycle by the people who would take
it; the action trackers with their updates; and G&P's audit sample of the latest locked quarter.
"""

import datetime
from dataclasses import dataclass
from functools import partial
from typing import Any

from committees import services
from committees.models import (
    PAPERS_DAYS_BEFORE,
    ActionItem,
    ActionUpdate,
    Audit,
    Meeting,
    Proposal,
    QualityCheck,
)
from demo.context import DemoContext, period_key
from demo.relative import shift
from demo.reporting import deadlines
from demo.timeline import at_hour
from kpis.register.models import Committee, Directorate, Kpi
from pmf import clock

DAY = datetime.timedelta(days=1)
WEEK = datetime.timedelta(weeks=1)
Stage = Proposal.Stage
ALL_YES = {criterion: (QualityCheck.Answer.YES, "") for criterion in QualityCheck.Criterion.values}
DIRECTOR_STAGES = {Stage.DIRECTOR_APPROVED, Stage.DIRECTOR_REJECTED}
COMMITTEE_OUTCOMES = {
    Stage.DEFERRED: "deferred",
    Stage.COMMITTEE_AGREED: "agreed",
    Stage.COMMITTEE_REJECTED: "rejected",
    Stage.ADOPTED: "agreed",
}
# How many of the cycle's steps after raising it a proposal at each stage has been through.
STEPS_TAKEN = {
    Stage.DRAFT: 0,
    Stage.QUALITY_CHECKED: 1,
    Stage.CONSULTED: 2,
    Stage.EQUALITY_ASSESSED: 3,
    Stage.DIRECTOR_APPROVED: 4,
    Stage.DIRECTOR_REJECTED: 4,
    **dict.fromkeys(COMMITTEE_OUTCOMES, 5),
    Stage.ADOPTED: 6,
}


def schedule_committee_work(context: DemoContext) -> None:
    set_up = at_hour(context.calendar.date(context.council["council"]["set_up"]), 10)
    context.timeline.add(set_up, partial(_details, context))
    for spec in context.council["committees"]:
        _schedule_meetings(context, spec)
    for spec in context.council["meetings"]["extra"]:
        day = context.calendar.date(spec["date"])
        _schedule_meeting(context, spec["committee"], day, at_hour(day - 28 * DAY, 9), None)
    for spec in context.council["proposals"]:
        ProposalStory(context, spec).schedule()
    _schedule_actions(context)
    _schedule_audit(context)


def _details(context: DemoContext) -> None:
    committees = {c.short_name: c for c in Committee.objects.all()}
    clerk = context.users["clerk"]
    for spec in context.council["committees"]:
        details = services.details_for(committees[spec["short_name"]])
        wanted = {
            "chair": spec["chair"],
            "vice_chair": spec["vice_chair"],
            "reports_after": committees.get(spec.get("reports_after", "")),
        }
        differs = any(getattr(details, name) != value for name, value in wanted.items())
        if details.pk is None or differs or set(details.clerks.all()) != {clerk}:
            for name, value in wanted.items():
                setattr(details, name, value)
            services.committee_details_save(details=details, by=context.gp, clerks=[clerk])


def _schedule_meetings(context: DemoContext, spec: dict[str, Any]) -> None:
    """One meeting on each of the last quarters' reports (see `meeting_days`)."""
    days = meeting_days(context)
    for back in range(context.council["meetings"]["quarters"]):
        quarter = shift(context.calendar.q0, -back)
        day = days[(spec["short_name"], back)]
        scheduled = quarter.ends_on + context.council["meetings"]["scheduled"] * DAY
        _schedule_meeting(context, spec["short_name"], day, at_hour(scheduled, 9), quarter)


def meeting_days(context: DemoContext) -> dict[tuple[str, int], datetime.date]:
    """(committee, quarters back from Q0) → the day the committee meets on that quarter's report.

    Each committee meets `meets` after the quarter ends, unless its papers (PAPERS_DAYS_BEFORE
    the meeting) would go out before the quarter's sign-off deadline: then the quarter's meetings
    all move on by whole weeks, keeping their weekdays and order, until they do not. Only the
    open quarter, whose deadlines count from today, ever moves. A meeting already stored keeps
    its day, so a later load never makes a second meeting on the same report."""
    if context.meeting_days:
        return context.meeting_days
    stored = {
        (meeting.committee.short_name, period_key(meeting.period)): meeting.date
        for meeting in Meeting.objects.filter(period__isnull=False).select_related(
            "committee", "period"
        )
    }
    for back in range(context.council["meetings"]["quarters"]):
        quarter = shift(context.calendar.q0, -back)
        base = {
            spec["short_name"]: context.calendar.date(f"Q{-back} end + {spec['meets']}")
            for spec in context.council["committees"]
        }
        papers_from = deadlines(context, quarter)[1] + (PAPERS_DAYS_BEFORE + 1) * DAY
        weeks = max(0, -(-(papers_from - min(base.values())).days // 7))
        for short_name, day in base.items():
            found = stored.get((short_name, period_key(quarter)))
            context.meeting_days[(short_name, back)] = found or day + weeks * WEEK
    return context.meeting_days


def _schedule_meeting(context, short_name: str, day: datetime.date, scheduled, quarter) -> None:
    def schedule() -> None:
        committee = Committee.objects.get(short_name=short_name)
        if not Meeting.objects.filter(committee=committee, date=day).exists():
            period = context.stored.periods[period_key(quarter)] if quarter else None
            meeting = Meeting(committee=committee, date=day, period=period)
            services.meeting_save(meeting=meeting, by=context.users["clerk"])

    def hold() -> None:
        meeting = Meeting.objects.get(committee__short_name=short_name, date=day)
        if meeting.status == Meeting.Status.SCHEDULED:
            meeting.status = Meeting.Status.HELD
            services.meeting_save(meeting=meeting, by=context.users["clerk"])

    context.timeline.add(scheduled, schedule, catch_up=True)
    if day < context.today:
        context.timeline.add(at_hour(day, 18), hold)


@dataclass
class ProposalStory:
    """One proposal taken through the KPI cycle's services, a step at a time, to its stage."""

    context: DemoContext
    spec: dict[str, Any]
    proposal: Proposal | None = None

    def schedule(self) -> None:
        cycle = self.context.council["proposal_cycle"]
        raised = self.context.calendar.date(self.spec["raised"])
        add = self.context.timeline.add
        add(at_hour(raised, 10), self._raise)
        steps = [self._quality_check, self._consult, self._assess, self._director_decides]
        offsets = ["quality_checked", "consulted", "equality_assessed", "director_decided"]
        taken = STEPS_TAKEN[self.spec["stage"]]
        for step, offset in list(zip(steps, offsets, strict=True))[:taken]:
            add(at_hour(raised + cycle[offset] * DAY, 11), step)
        if taken >= 5:
            decided = self._meeting_day()
            add(at_hour(decided, 19), self._committee_decides)
        if taken >= 6:
            add(at_hour(decided + DAY, 10), self._adopt)

    def _meeting_day(self) -> datetime.date:
        decided = self.spec["decided"]
        if decided.startswith("Q") and " " not in decided:  # the meeting on that quarter's report
            back = -int(decided[1:].replace(" ", ""))
            return meeting_days(self.context)[(self.spec["committee"], back)]
        return self.context.calendar.date(decided)

    def _text(self, name: str, default: str = "") -> str:
        value = self.spec.get(name, self.context.council["proposal_cycle"].get(name, default))
        return self.context.calendar.text(value)

    def _raise(self) -> None:
        kind, kpi = self.spec["kind"], None
        if "kpi" in self.spec:
            kpi = Kpi.objects.get(reference=self.spec["kpi"])
        rationale = self._text("rationale")
        found = Proposal.objects.filter(
            kind=kind, rationale=rationale, name=self.spec.get("name", "")
        )
        if (found.filter(kpi=kpi) if kpi else found).exists():
            return
        directorate = (
            kpi.directorate
            if kpi
            else Directorate.objects.get(short_name=self.spec.get("directorate", "P&S"))
        )
        proposal = self._new_proposal(kpi, directorate, rationale)
        committee = Committee.objects.get(short_name=self.spec["committee"])
        self.proposal = services.proposal_save(
            proposal=proposal, by=self._person("raised_by", "officer"), committees=[committee]
        )
        Proposal.objects.filter(pk=self.proposal.pk).update(raised_at=clock.now())
        self._date_records()

    def _new_proposal(self, kpi: Kpi | None, directorate: Directorate, rationale: str) -> Proposal:
        spec, adding = self.spec, self.spec["kind"] == Proposal.Kind.ADD
        service = spec.get("service")
        return Proposal(
            kind=spec["kind"],
            kpi=kpi,
            directorate=directorate,
            rationale=rationale,
            changes=spec.get("changes", ""),
            retire_kpi=spec.get("retire_kpi", True),
            name=spec.get("name", ""),
            service=directorate.services.get(name=service) if service else None,
            data_source="Service management system" if adding else "",
            unit=spec.get("unit", "percent") if adding else "",
            direction=spec.get("direction", "higher") if adding else "",
            frequency=spec.get("frequency", "quarterly") if spec["kind"] != "remove" else "",
            level=spec.get("level", "operational") if adding else "",
            target_kind="annual" if adding else "",
        )

    def _person(self, name: str, default: str):
        return self.context.users[self.spec.get(name, default)]

    def _date_records(self) -> None:
        """Events and decisions stamp the real time when saved (auto_now_add): date them by the
        clock, like everything else in the proposal's history."""
        now = clock.now()
        self.proposal.events.filter(at__gt=now).update(at=now)
        self.proposal.decisions.filter(at__gt=now).update(at=now)

    def _quality_check(self) -> None:
        self._take(services.proposal_quality_check, answers=ALL_YES)

    def _consult(self) -> None:
        consultees = self.spec.get(
            "consultees", self.context.council["proposal_cycle"]["consultees"]
        )
        self._take(
            services.proposal_consult,
            plan=self._text("consultation_plan"),
            responses=[tuple(pair) for pair in consultees],
        )

    def _assess(self) -> None:
        self._take(
            services.proposal_record_equality,
            outcome=self._text("equality"),
            summary=self._text("equality_summary"),
        )

    def _director_decides(self) -> None:
        if self.proposal is None:
            return
        rejected = self.spec["stage"] == Stage.DIRECTOR_REJECTED
        self._take(
            services.proposal_director_decide,
            by=self.context.approver_of_directorate(self.proposal.directorate),
            approve=not rejected,
            reasons=self._text("director_reasons") if rejected else "",
        )

    def _committee_decides(self) -> None:
        meeting = Meeting.objects.get(
            committee__short_name=self.spec["committee"], date=self._meeting_day()
        )
        self._take(
            services.proposal_committee_decide,
            by=self.context.users["clerk"],
            meeting=meeting,
            outcome=COMMITTEE_OUTCOMES[self.spec["stage"]],
        )

    def _adopt(self) -> None:
        """G&P adopt it. An addition the register already holds is linked to its KPI first (the
        proposal's `kpi` is "the KPI it created once adopted"), so adopting it changes nothing
        in the register and records the adoption."""
        if self.proposal is not None and "becomes" in self.spec:
            kpi = Kpi.objects.get(reference=self.spec["becomes"])
            Proposal.objects.filter(pk=self.proposal.pk).update(kpi=kpi)
            self.proposal.refresh_from_db()
        self._take(services.proposal_adopt, by=self.context.gp, on=clock.localdate())

    def _take(self, service, **kwargs) -> None:
        """Take one step, if this load raised the proposal (a stored one is left as it is)."""
        if self.proposal is None:
            return
        kwargs.setdefault("by", self._person("raised_by", "officer"))
        self.proposal = service(proposal=self.proposal, **kwargs)
        self._date_records()


def _schedule_actions(context: DemoContext) -> None:
    tracker = context.council["action_tracker"]
    added = at_hour(context.calendar.date(tracker["added"]), 10)
    context.timeline.add(added, partial(_add_actions, context))
    written = [context.calendar.date(text) for text in tracker["written"]]
    for index, day in enumerate(written):
        if day <= context.today:
            last = index == len(written) - 1
            context.timeline.add(at_hour(day, 10), partial(_update, context, day, last))


def _add_actions(context: DemoContext) -> None:
    for spec in context.council["actions"]:
        committee = Committee.objects.get(short_name=spec["committee"])
        if ActionItem.objects.filter(committee=committee, reference=spec["reference"]).exists():
            continue
        item = ActionItem(
            committee=committee,
            reference=spec["reference"],
            action=spec["action"],
            milestone=context.calendar.text(spec["milestone"]),
            lead_officer=spec["lead_officer"],
            success_criteria=spec["success_criteria"],
            baseline=spec["baseline"],
            status="in_progress",
        )
        services.action_save(item=item, by=context.users["clerk"])


def _update(context: DemoContext, day: datetime.date, last: bool) -> None:
    earlier = context.council["action_tracker"]["earlier"]
    for spec in context.council["actions"]:
        item = ActionItem.objects.get(
            committee__short_name=spec["committee"], reference=spec["reference"]
        )
        if not item.updates.filter(written_on=day).exists():
            update = services.action_update_add(
                item=item,
                by=context.users["clerk"],
                written_on=day,
                status=spec["status"] if last else "in_progress",
                text=spec["update"] if last else earlier,
            )
            # Recorded when it was written, like everything else (auto_now_add stamps today).
            ActionUpdate.objects.filter(pk=update.pk).update(at=clock.now())


def _schedule_audit(context: DemoContext) -> None:
    spec = context.council["audit"]
    drawn = context.calendar.date(spec["drawn"])
    if drawn < context.today:
        context.timeline.add(at_hour(drawn, 10), partial(_audit, context, spec))


def _audit(context: DemoContext, spec: dict[str, Any]) -> None:
    """Draw the sample (seeded by the quarter, so every load draws the same KPIs) and record
    the findings in turn; KPIs beyond the findings listed are left to do."""
    quarter = context.calendar.period(spec["period"])
    period = context.stored.periods[period_key(quarter)]
    committee = Committee.objects.get(short_name=spec["committee"])
    if Audit.objects.filter(committee=committee, period=period).exists():
        return
    seed = quarter.financial_year * 10 + quarter.number
    audit = services.audit_draw(committee=committee, period=period, by=context.gp, seed=seed)
    for check, findings in zip(audit.checks.all(), spec["checks"], strict=False):
        services.audit_check_record(
            check=check,
            by=context.gp,
            accurately_calculated=findings.get("accurately_calculated", "yes"),
            accurately_reported=findings.get("accurately_reported", "yes"),
            remedial_action=findings.get("remedial_action", "na"),
            still_relevant=findings.get("still_relevant", "yes"),
            findings=findings["findings"],
            follow_up=findings.get("follow_up", ""),
        )
