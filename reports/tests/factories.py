"""A committee with a KPI set, twelve quarters of values, a proposal and an action tracker."""

from __future__ import annotations

import datetime
from decimal import Decimal

from committees.models import ActionItem, ActionUpdate, CommitteeDetails, Meeting, Proposal
from kpis.register.models import CommitteeMembership, Kpi
from kpis.register.tests.factories import CommitteeFactory, DirectorateFactory, PriorityFactory
from kpis.reporting.models import Measurement, ReportingPeriod, Target
from kpis.reporting.periods import period_spec


def quarters(count: int, last: tuple[int, int] = (2025, 4)) -> list[ReportingPeriod]:
    """`count` consecutive quarters ending with (financial year, quarter), oldest first."""
    year, number = last
    keys = []
    for _ in range(count):
        keys.append((year, number))
        year, number = (year - 1, 4) if number == 1 else (year, number - 1)
    out = []
    for year, number in reversed(keys):
        spec = period_spec("quarter", year, number)
        found, _ = ReportingPeriod.objects.get_or_create(
            kind="quarter",
            financial_year=year,
            number=number,
            defaults={
                "starts_on": spec.starts_on,
                "ends_on": spec.ends_on,
                "state": ReportingPeriod.State.LOCKED,
            },
        )
        out.append(found)
    return out


#: The latest values of the KPIs in order, against a target of 80 (higher is better):
#: blue, green, amber, red, … the pattern repeats.
LATEST = (Decimal("95"), Decimal("81"), Decimal("78"), Decimal("50"))


def committee_pack(
    kpi_count: int = 8,
    *,
    periods: int = 12,
    clerks=(),
    name="Strategy Committee",
    first=200,
    status=Measurement.Status.APPROVED,
):
    """A committee, its KPIs (every fourth one red), values (approved, in locked quarters: the
    pack is ready to publish), a meeting, a proposal and actions."""
    committee = CommitteeFactory(name=name, short_name=name.split()[0][:10].upper())
    details, _ = CommitteeDetails.objects.get_or_create(
        committee=committee, defaults={"chair": "Councillor Chair", "vice_chair": "Councillor Vice"}
    )
    if clerks:
        details.clerks.add(*clerks)
    directorate = DirectorateFactory(name="Resources", short_name="RES")
    priority = PriorityFactory(number=1, name="A place where people thrive")
    history = quarters(periods)
    kpis = Kpi.objects.bulk_create(
        Kpi(
            reference=str(first + n),
            name=f"Indicator {first + n} percentage",
            directorate=directorate,
            level=Kpi.Level.OPERATIONAL,
            perspective=Kpi.Perspective.values[n % 2],
            metric_category=Kpi.MetricCategory.LOCAL_AUTHORITY,
            frequency=Kpi.Frequency.QUARTERLY,
            unit=Kpi.Unit.PERCENT,
            direction=Kpi.Direction.HIGHER,
            indicator_type=Kpi.IndicatorType.LAGGING,
            target_kind=Kpi.TargetKind.ANNUAL,
            date_added=datetime.date(2020, 4, 1),
        )
        for n in range(kpi_count)
    )
    Kpi.priorities.through.objects.bulk_create(
        Kpi.priorities.through(kpi_id=kpi.pk, priority_id=priority.pk) for kpi in kpis
    )
    CommitteeMembership.objects.bulk_create(
        CommitteeMembership(kpi=kpi, committee=committee, started_on=datetime.date(2020, 4, 1))
        for kpi in kpis
    )
    years = {p.financial_year for p in history}
    Target.objects.bulk_create(
        Target(kpi=kpi, financial_year=year, value=Decimal(80)) for kpi in kpis for year in years
    )
    measurements = []
    for n, kpi in enumerate(kpis):
        latest = LATEST[n % 4]
        for k, on in enumerate(history):
            last = k == len(history) - 1
            measurements.append(
                Measurement(
                    kpi=kpi,
                    period=on,
                    value=latest if last else Decimal(80) + Decimal((k % 3) - 1),
                    status=status,
                    commentary=f"Commentary on {kpi.reference} for {on.label}." if last else "",
                    action_plan=f"Action plan for {kpi.reference}: recover by Q2." if last else "",
                )
            )
    Measurement.objects.bulk_create(measurements)
    meeting = Meeting.objects.create(
        committee=committee, date=datetime.date(2026, 6, 22), period=history[-1]
    )
    return committee, meeting, kpis, history


RAISED_AT = datetime.datetime(2026, 5, 11, 10, 0, tzinfo=datetime.UTC)


def add_proposal(committee, raised_by, *, name="Website accessibility score") -> Proposal:
    proposal = Proposal.objects.create(
        kind=Proposal.Kind.ADD,
        stage=Proposal.Stage.DIRECTOR_APPROVED,
        directorate=DirectorateFactory(name="Resources", short_name="RES"),
        raised_by=raised_by,
        rationale="Replaces KPI 189 with a more relevant measure.",
        name=name,
        unit="percent",
        direction="higher",
        frequency="quarterly",
        level="corporate",
        target_kind="annual",
    )
    proposal.committees.add(committee)
    # Raised before the meeting (22 June 2026), so it is in the meeting's pack.
    Proposal.objects.filter(pk=proposal.pk).update(raised_at=RAISED_AT)
    proposal.refresh_from_db()
    return proposal


def add_action(committee, by, reference="F.9") -> ActionItem:
    item = ActionItem.objects.create(
        committee=committee,
        reference=reference,
        action="New project management framework",
        milestone="Sep 2026",
        lead_officer="Head of Transformation",
        success_criteria="Office established",
        baseline="No office in place",
    )
    ActionUpdate.objects.create(
        item=item,
        written_on=datetime.date(2026, 5, 1),
        status="in_progress",
        text="Framework almost complete.",
        by=by,
    )
    return item
