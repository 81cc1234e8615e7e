"""Adoption changes the register and KPI sets from the next quarter; the set at any past date."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from committees import selectors, services
from committees.models import Proposal
from committees.tests.factories import MeetingFactory, ProposalFactory
from committees.tests.helpers import advance
from kpis.register.models import CommitteeMembership, Kpi
from kpis.register.services import committee_set_change, kpi_retire
from kpis.register.tests.factories import CommitteeFactory, KpiFactory, PriorityFactory
from pmf.roles import system_actor

Stage = Proposal.Stage
D = datetime.date


@pytest.mark.parametrize(
    ("day", "start"),
    [
        (D(2022, 6, 27), D(2022, 7, 1)),
        (D(2022, 7, 1), D(2022, 10, 1)),
        (D(2022, 12, 31), D(2023, 1, 1)),
        (D(2023, 2, 14), D(2023, 4, 1)),
        (D(2023, 3, 31), D(2023, 4, 1)),
    ],
)
def test_the_next_reporting_period_starts_on_the_next_quarter_day(day, start):
    assert services.next_period_start(day) == start


def _adopt(proposal, gp, meeting, on=None):
    on = on or D(2022, 6, 28)
    return advance(proposal, Stage.ADOPTED, by=gp, meeting=meeting, on=on)


def test_adopting_an_addition_creates_the_kpi_and_its_memberships_from_next_quarter(
    directorate, committee, owner, gp
):
    KpiFactory(reference="216")
    KpiFactory(reference="W-3")  # references that are not numbers do not count
    meeting = MeetingFactory(committee=committee, date=D(2022, 6, 27))
    priority = PriorityFactory(number=6, name="Places and communities prosper")
    proposal = services.proposal_save(
        proposal=ProposalFactory.build(directorate=directorate, raised_by=owner),
        by=owner,
        committees=[committee],
        priorities=[priority],
    )
    adopted = _adopt(proposal, gp, meeting)
    kpi = adopted.kpi
    assert kpi.reference == "217"
    assert kpi.name == "Website quality score (%)"
    assert kpi.status == Kpi.Status.IN_DEVELOPMENT
    assert kpi.date_added == D(2022, 7, 1)
    assert "27 June 2022" in kpi.added_by_decision
    assert list(kpi.priorities.all()) == [priority]
    membership = kpi.memberships.get()
    assert (membership.committee, membership.started_on) == (committee, D(2022, 7, 1))
    assert membership.decision == adopted.decision_text
    assert adopted.effective_from == D(2022, 7, 1)
    # In the set from the next quarter, not before.
    assert kpi not in selectors.kpi_set_on(committee, D(2022, 6, 30))
    assert kpi in selectors.kpi_set_on(committee, D(2022, 7, 1))
    assert kpi.history.first().history_user == gp


def test_adopting_a_removal_retires_the_kpi_and_ends_its_memberships(
    directorate, committee, other_committee, owner, gp
):
    old = KpiFactory(
        reference="189",
        directorate=directorate,
        date_added=D(2021, 4, 1),
        committees=[committee, other_committee],
    )
    meeting = MeetingFactory(committee=committee, date=D(2022, 3, 24))
    proposal = services.proposal_save(
        proposal=Proposal(
            kind=Proposal.Kind.REMOVE,
            kpi=old,
            directorate=directorate,
            rationale="Visits do not show whether residents found what they needed",
        ),
        by=owner,
        committees=[committee],
    )
    _adopt(proposal, gp, meeting, on=D(2022, 3, 25))
    old.refresh_from_db()
    assert old.status == Kpi.Status.RETIRED
    assert old.date_removed == D(2022, 4, 1)
    assert "24 March 2022" in old.removed_by_decision
    assert set(old.memberships.values_list("ended_on", flat=True)) == {D(2022, 4, 1)}
    assert old in selectors.kpi_set_on(committee, D(2022, 3, 31))
    assert old not in selectors.kpi_set_on(committee, D(2022, 4, 1))


def test_a_removal_without_retiring_leaves_only_the_named_committees_set(
    directorate, committee, other_committee, owner, gp
):
    kpi = KpiFactory(directorate=directorate, committees=[committee, other_committee])
    meeting = MeetingFactory(committee=other_committee, date=D(2026, 9, 15))
    proposal = services.proposal_save(
        proposal=Proposal(
            kind=Proposal.Kind.REMOVE,
            kpi=kpi,
            retire_kpi=False,
            directorate=directorate,
            rationale="Reported to Strategy, Resources and Performance only",
        ),
        by=owner,
        committees=[other_committee],
    )
    _adopt(proposal, gp, meeting, on=D(2026, 9, 16))
    kpi.refresh_from_db()
    assert kpi.status == Kpi.Status.LIVE
    assert kpi in selectors.kpi_set_on(committee, D(2026, 10, 1))
    assert kpi not in selectors.kpi_set_on(other_committee, D(2026, 10, 1))
    assert kpi in selectors.kpi_set_on(other_committee, D(2026, 9, 30))


def test_adding_an_existing_kpi_to_another_committees_set(
    directorate, committee, other_committee, owner, gp
):
    kpi = KpiFactory(directorate=directorate, committees=[committee])
    meeting = MeetingFactory(committee=other_committee, date=D(2026, 9, 15))
    proposal = services.proposal_save(
        proposal=Proposal(
            kind=Proposal.Kind.ADD, kpi=kpi, directorate=directorate, rationale="In its remit"
        ),
        by=owner,
        committees=[other_committee],
    )
    _adopt(proposal, gp, meeting, on=D(2026, 9, 16))
    assert Kpi.objects.count() == 1
    assert kpi in selectors.kpi_set_on(other_committee, D(2026, 10, 1))
    assert kpi in selectors.kpi_set_on(committee, D(2026, 10, 1))


def test_adopting_an_amendment_changes_only_the_named_fields(directorate, committee, owner, gp):
    kpi = KpiFactory(
        directorate=directorate, committees=[committee], name="Old name", data_source="Old"
    )
    meeting = MeetingFactory(committee=committee, date=D(2026, 9, 15))
    proposal = services.proposal_save(
        proposal=Proposal(
            kind=Proposal.Kind.AMEND,
            kpi=kpi,
            directorate=directorate,
            name="Clearer name",
            frequency="monthly",
            changes="Rename, and report monthly",
            rationale="Members asked for monthly figures",
        ),
        by=owner,
        committees=[committee],
    )
    _adopt(proposal, gp, meeting, on=D(2026, 9, 16))
    kpi.refresh_from_db()
    assert (kpi.name, kpi.frequency, kpi.data_source) == ("Clearer name", "monthly", "Old")
    assert kpi.memberships.count() == 1  # the set is unchanged
    assert "proposal" in kpi.history.first().history_change_reason


def test_an_amendment_says_what_changes(directorate, committee, owner):
    kpi = KpiFactory(directorate=directorate)
    with pytest.raises(ValidationError) as error:
        services.proposal_save(
            proposal=Proposal(
                kind=Proposal.Kind.AMEND, kpi=kpi, directorate=directorate, rationale="x"
            ),
            by=owner,
            committees=[committee],
        )
    assert "changes" in error.value.message_dict


# --- the KPI set at any date ------------------------------------------------------------------


@pytest.fixture
def history(db):
    """KPI 189 leaves the set on 24 March 2022; 217 and 218 join on 27 June 2022."""
    srp = CommitteeFactory(name="Strategy, Resources and Performance", short_name="SRP")
    start = D(2021, 4, 1)
    kpis = {
        ref: KpiFactory(reference=ref, date_added=start, committees=[srp])
        for ref in ("169", "182", "189")
    }
    kpi_retire(kpi=kpis["189"], by=system_actor(), on=D(2022, 3, 24), reason="Not relevant")
    for ref in ("217", "218"):
        kpis[ref] = KpiFactory(reference=ref, date_added=D(2022, 6, 27))
        committee_set_change(kpi=kpis[ref], committees=[srp], on=D(2022, 6, 27), decision="SRP")
    return srp, kpis


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2021, 3, 31), []),
        (D(2021, 4, 1), ["169", "182", "189"]),
        (D(2022, 3, 23), ["169", "182", "189"]),
        (D(2022, 3, 24), ["169", "182"]),
        (D(2022, 6, 26), ["169", "182"]),
        (D(2022, 6, 27), ["169", "182", "217", "218"]),
        (D(2026, 1, 1), ["169", "182", "217", "218"]),
    ],
)
def test_the_set_on_any_date_comes_from_membership_history(history, day, expected):
    srp, _ = history
    assert [kpi.reference for kpi in selectors.kpi_set_on(srp, day)] == expected


def test_the_set_on_a_date_is_one_query(history, django_assert_num_queries):
    srp, _ = history
    with django_assert_num_queries(1):
        kpis = selectors.kpi_set_on(srp, D(2022, 6, 27))
        [(kpi.directorate.name, kpi.service.name) for kpi in kpis]


def test_a_kpi_that_left_and_rejoined_is_in_the_set_only_while_a_member(db):
    committee = CommitteeFactory()
    kpi = KpiFactory(date_added=D(2021, 4, 1), committees=[committee])
    committee_set_change(kpi=kpi, committees=[], on=D(2022, 1, 1), decision="Out")
    committee_set_change(kpi=kpi, committees=[committee], on=D(2023, 1, 1), decision="Back")
    assert CommitteeMembership.objects.filter(kpi=kpi).count() == 2
    assert selectors.kpi_set_on(committee, D(2021, 12, 31)) == [kpi]
    assert selectors.kpi_set_on(committee, D(2022, 6, 1)) == []
    assert selectors.kpi_set_on(committee, D(2023, 1, 1)) == [kpi]
