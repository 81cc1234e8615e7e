"""Every stage of the KPI cycle: who may take it, in what order, and that it cannot be replayed."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from committees import services
from committees.models import CommitteeDecision, Proposal, ProposalEvent, QualityCheck
from committees.tests.factories import MeetingFactory, ProposalFactory
from committees.tests.helpers import ALL_YES, advance
from kpis.register.tests.factories import DirectorateFactory
from pmf.tests.factories import UserFactory

Stage = Proposal.Stage


def _consult(proposal, by):
    return services.proposal_consult(
        proposal=proposal, by=by, plan="Service and chair", responses=[("Head of service", "Yes")]
    )


def _equality(proposal, by):
    return services.proposal_record_equality(
        proposal=proposal, by=by, outcome="no_impact", summary="No impact."
    )


def _approve(proposal, by):
    return services.proposal_director_decide(proposal=proposal, by=by, approve=True, reasons="")


# --- raising a proposal ------------------------------------------------------------------------


def test_an_officer_raises_a_draft_recorded_with_who_and_when(directorate, committee, owner):
    proposal = Proposal(
        kind=Proposal.Kind.ADD,
        directorate=directorate,
        rationale="Replaces KPI 189",
        name="Website quality",
        unit="percent",
        direction="higher",
        frequency="quarterly",
        level="corporate",
        target_kind="annual",
    )
    saved = services.proposal_save(proposal=proposal, by=owner, committees=[committee])
    assert saved.stage == Stage.DRAFT
    assert saved.raised_by == owner
    event = saved.events.get()
    assert (event.stage, event.by) == (Stage.DRAFT, owner)
    assert saved.history.earliest().history_user == owner


@pytest.mark.parametrize("who", ["clerk", "viewer"])
def test_clerks_and_viewers_cannot_raise_proposals(request, who, directorate, committee):
    user = request.getfixturevalue(who)
    proposal = ProposalFactory.build(directorate=directorate, raised_by=user)
    with pytest.raises(PermissionDenied):
        services.proposal_save(proposal=proposal, by=user, committees=[committee])
    assert not Proposal.objects.exists()


def test_a_proposal_needs_a_committee(directorate, owner):
    proposal = ProposalFactory.build(directorate=directorate, raised_by=owner)
    with pytest.raises(ValidationError) as error:
        services.proposal_save(proposal=proposal, by=owner, committees=[])
    assert "committees" in error.value.message_dict


def test_a_removal_names_its_kpi(directorate, committee, owner):
    proposal = Proposal(
        kind=Proposal.Kind.REMOVE, directorate=directorate, rationale="No longer relevant"
    )
    with pytest.raises(ValidationError) as error:
        services.proposal_save(proposal=proposal, by=owner, committees=[committee])
    assert "kpi" in error.value.message_dict


def test_an_addition_needs_the_draft_kpis_fields(directorate, committee, owner):
    proposal = Proposal(kind=Proposal.Kind.ADD, directorate=directorate, rationale="Needed")
    with pytest.raises(ValidationError) as error:
        services.proposal_save(proposal=proposal, by=owner, committees=[committee])
    assert {"name", "unit", "direction", "frequency", "level", "target_kind"} <= set(
        error.value.message_dict
    )


def test_a_draft_can_be_edited_but_not_once_quality_checked(draft, owner, committee):
    draft.name = "Website quality index"
    services.proposal_save(proposal=draft, by=owner, committees=[committee])
    services.proposal_quality_check(proposal=draft, by=owner, answers=ALL_YES)
    draft.refresh_from_db()
    draft.name = "Changed after the check"
    with pytest.raises(ValidationError):
        services.proposal_save(proposal=draft, by=owner, committees=[committee])
    draft.refresh_from_db()
    assert draft.name == "Website quality index"


def test_another_officer_cannot_edit_someones_draft(draft, colleague, committee):
    with pytest.raises(PermissionDenied):
        services.proposal_save(proposal=draft, by=colleague, committees=[committee])


# --- quality check ----------------------------------------------------------------------------


def test_the_quality_check_records_every_answer(draft, owner):
    answers = dict(ALL_YES)
    answers["comparator"] = (QualityCheck.Answer.NO, "No published comparator yet")
    answers["target"] = (QualityCheck.Answer.NOT_APPLICABLE, "Baseline year")
    proposal = services.proposal_quality_check(proposal=draft, by=owner, answers=answers)
    assert proposal.stage == Stage.QUALITY_CHECKED
    assert proposal.quality_checks.count() == len(QualityCheck.Criterion)
    comparator = proposal.quality_checks.get(criterion="comparator")
    assert (comparator.answer, comparator.note) == ("no", "No published comparator yet")
    assert proposal.events.last().note == "1 standard not met"


def test_the_quality_check_needs_every_standard_answered(draft, owner):
    answers = dict(ALL_YES)
    del answers["smart"]
    with pytest.raises(ValidationError, match="SMART"):
        services.proposal_quality_check(proposal=draft, by=owner, answers=answers)
    assert not draft.quality_checks.exists()


def test_the_quality_check_cannot_be_replayed(draft, owner):
    services.proposal_quality_check(proposal=draft, by=owner, answers=ALL_YES)
    with pytest.raises(ValidationError, match="cannot be quality checked now"):
        services.proposal_quality_check(proposal=draft, by=owner, answers=ALL_YES)
    assert draft.quality_checks.count() == len(QualityCheck.Criterion)


@pytest.mark.parametrize("who", ["colleague", "clerk", "viewer"])
def test_others_cannot_quality_check(request, who, draft):
    with pytest.raises(PermissionDenied):
        services.proposal_quality_check(
            proposal=draft, by=request.getfixturevalue(who), answers=ALL_YES
        )


def test_the_directorates_approver_and_gp_may_prepare_a_proposal(draft, approver, gp):
    assert approver.has_perm("committees.prepare_proposal", draft)
    assert gp.has_perm("committees.prepare_proposal", draft)


# --- consultation and equality assessment -----------------------------------------------------


def test_consultation_records_who_was_consulted_and_their_responses(draft, owner):
    services.proposal_quality_check(proposal=draft, by=owner, answers=ALL_YES)
    proposal = services.proposal_consult(
        proposal=draft,
        by=owner,
        plan="The director asked for the service and the chair.",
        responses=[("Head of Communications", "Supports it"), ("Committee chair", "")],
    )
    assert proposal.stage == Stage.CONSULTED
    assert list(proposal.consultations.values_list("consultee", "response")) == [
        ("Head of Communications", "Supports it"),
        ("Committee chair", ""),
    ]


def test_consultation_cannot_come_before_the_quality_check(draft, owner):
    with pytest.raises(ValidationError, match="draft"):
        _consult(draft, owner)
    assert not draft.consultations.exists()


def test_consultation_cannot_be_replayed(draft, gp):
    advance(draft, Stage.CONSULTED, by=gp)
    with pytest.raises(ValidationError):
        _consult(draft, gp)


def test_the_equality_assessment_follows_consultation(draft, gp):
    with pytest.raises(ValidationError):
        _equality(draft, gp)
    advance(draft, Stage.CONSULTED, by=gp)
    proposal = _equality(draft, gp)
    assert proposal.stage == Stage.EQUALITY_ASSESSED
    assert proposal.equality_summary == "No impact."
    with pytest.raises(ValidationError):
        _equality(draft, gp)


def test_the_equality_assessment_needs_a_summary(draft, gp):
    advance(draft, Stage.CONSULTED, by=gp)
    with pytest.raises(ValidationError):
        services.proposal_record_equality(proposal=draft, by=gp, outcome="no_impact", summary=" ")


def test_a_viewer_cannot_record_consultation(draft, gp, viewer):
    advance(draft, Stage.QUALITY_CHECKED, by=gp)
    with pytest.raises(PermissionDenied):
        _consult(draft, viewer)


# --- the director's decision ------------------------------------------------------------------


def test_the_directorates_approver_approves(draft, gp, approver):
    advance(draft, Stage.EQUALITY_ASSESSED, by=gp)
    proposal = services.proposal_director_decide(
        proposal=draft, by=approver, approve=True, reasons="Better measure"
    )
    assert proposal.stage == Stage.DIRECTOR_APPROVED
    event = proposal.events.last()
    assert (event.by, event.note) == (approver, "Better measure")


def test_an_approver_of_another_directorate_is_refused(draft, gp):
    advance(draft, Stage.EQUALITY_ASSESSED, by=gp)
    elsewhere = DirectorateFactory(name="Adults", short_name="AHC")
    other = UserFactory(username="other-director", roles=["Directorate approver"])
    elsewhere.approvers.add(other)
    with pytest.raises(PermissionDenied):
        _approve(draft, other)
    draft.refresh_from_db()
    assert draft.stage == Stage.EQUALITY_ASSESSED


@pytest.mark.parametrize("who", ["owner", "clerk", "viewer"])
def test_only_a_director_or_gp_decides(request, who, draft, gp):
    advance(draft, Stage.EQUALITY_ASSESSED, by=gp)
    with pytest.raises(PermissionDenied):
        _approve(draft, request.getfixturevalue(who))


def test_a_rejection_needs_reasons_and_stays_on_record(draft, gp, approver):
    advance(draft, Stage.EQUALITY_ASSESSED, by=gp)
    with pytest.raises(ValidationError):
        services.proposal_director_decide(proposal=draft, by=approver, approve=False, reasons="")
    proposal = services.proposal_director_decide(
        proposal=draft, by=approver, approve=False, reasons="Duplicates KPI 217"
    )
    assert proposal.stage == Stage.DIRECTOR_REJECTED
    assert proposal.is_closed
    assert Proposal.objects.filter(pk=draft.pk).exists()
    with pytest.raises(ValidationError):
        _approve(draft, approver)


def test_the_director_cannot_decide_before_the_equality_assessment(draft, gp, approver):
    advance(draft, Stage.CONSULTED, by=gp)
    with pytest.raises(ValidationError):
        _approve(draft, approver)


def test_the_directors_approval_cannot_be_replayed(draft, gp, approver):
    advance(draft, Stage.DIRECTOR_APPROVED, by=gp)
    with pytest.raises(ValidationError):
        _approve(draft, approver)
    assert draft.events.filter(stage=Stage.DIRECTOR_APPROVED).count() == 1


# --- the committee's decision -----------------------------------------------------------------


def test_the_committees_clerk_records_its_agreement(draft, gp, meeting, committee_clerk):
    advance(draft, Stage.DIRECTOR_APPROVED, by=gp)
    proposal = services.proposal_committee_decide(
        proposal=draft, by=committee_clerk, meeting=meeting, outcome="agreed", note="Agreed"
    )
    assert proposal.stage == Stage.COMMITTEE_AGREED
    assert proposal.decision_meeting == meeting
    assert "15 September 2026" in proposal.decision_text
    assert proposal.events.last().meeting == meeting


def test_a_clerk_of_another_committee_is_refused(draft, gp, meeting, clerk):
    advance(draft, Stage.DIRECTOR_APPROVED, by=gp)
    with pytest.raises(PermissionDenied):
        services.proposal_committee_decide(
            proposal=draft, by=clerk, meeting=meeting, outcome="agreed"
        )


@pytest.mark.parametrize("who", ["owner", "approver", "viewer"])
def test_only_gp_or_the_clerk_record_a_committee_decision(request, who, draft, gp, meeting):
    advance(draft, Stage.DIRECTOR_APPROVED, by=gp)
    with pytest.raises(PermissionDenied):
        services.proposal_committee_decide(
            proposal=draft, by=request.getfixturevalue(who), meeting=meeting, outcome="agreed"
        )


def test_a_committee_cannot_decide_before_the_director_has_approved(draft, gp, meeting):
    advance(draft, Stage.EQUALITY_ASSESSED, by=gp)
    with pytest.raises(ValidationError):
        services.proposal_committee_decide(proposal=draft, by=gp, meeting=meeting, outcome="agreed")


def test_a_meeting_of_another_committee_cannot_decide(draft, gp, other_committee):
    advance(draft, Stage.DIRECTOR_APPROVED, by=gp)
    elsewhere = MeetingFactory(committee=other_committee)
    with pytest.raises(ValidationError, match="does not go to that committee"):
        services.proposal_committee_decide(
            proposal=draft, by=gp, meeting=elsewhere, outcome="agreed"
        )


def test_a_deferred_proposal_is_decided_at_a_later_meeting(draft, gp, meeting, committee):
    advance(draft, Stage.DIRECTOR_APPROVED, by=gp)
    services.proposal_committee_decide(
        proposal=draft, by=gp, meeting=meeting, outcome="deferred", note="More data first"
    )
    draft.refresh_from_db()
    assert draft.stage == Stage.DEFERRED
    with pytest.raises(ValidationError, match="already decided"):
        services.proposal_committee_decide(proposal=draft, by=gp, meeting=meeting, outcome="agreed")
    later = MeetingFactory(committee=committee, date=datetime.date(2026, 12, 10))
    proposal = services.proposal_committee_decide(
        proposal=draft, by=gp, meeting=later, outcome="agreed"
    )
    assert proposal.stage == Stage.COMMITTEE_AGREED
    assert list(CommitteeDecision.objects.values_list("outcome", flat=True)) == [
        "deferred",
        "agreed",
    ]


def test_a_committee_rejection_stays_on_record_and_is_final(draft, gp, meeting):
    advance(draft, Stage.DIRECTOR_APPROVED, by=gp)
    services.proposal_committee_decide(proposal=draft, by=gp, meeting=meeting, outcome="rejected")
    draft.refresh_from_db()
    assert draft.stage == Stage.COMMITTEE_REJECTED
    with pytest.raises(ValidationError):
        services.proposal_adopt(proposal=draft, by=gp)


def test_a_cancelled_meeting_cannot_decide(draft, gp, meeting):
    advance(draft, Stage.DIRECTOR_APPROVED, by=gp)
    meeting.status = "cancelled"
    meeting.save()
    with pytest.raises(ValidationError, match="cancelled"):
        services.proposal_committee_decide(proposal=draft, by=gp, meeting=meeting, outcome="agreed")


def test_an_agreed_decision_cannot_be_replayed(draft, gp, meeting, committee):
    advance(draft, Stage.COMMITTEE_AGREED, by=gp, meeting=meeting)
    later = MeetingFactory(committee=committee, date=datetime.date(2026, 12, 10))
    with pytest.raises(ValidationError):
        services.proposal_committee_decide(proposal=draft, by=gp, meeting=later, outcome="rejected")


# --- adoption ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "approver", "clerk", "committee_clerk", "viewer"])
def test_only_gp_adopt(request, who, draft, gp, meeting):
    advance(draft, Stage.COMMITTEE_AGREED, by=gp, meeting=meeting)
    with pytest.raises(PermissionDenied):
        services.proposal_adopt(proposal=draft, by=request.getfixturevalue(who))


def test_adoption_cannot_come_before_the_committee_agrees(draft, gp):
    advance(draft, Stage.DIRECTOR_APPROVED, by=gp)
    with pytest.raises(ValidationError):
        services.proposal_adopt(proposal=draft, by=gp)


def test_adoption_cannot_be_replayed(draft, gp, meeting):
    advance(draft, Stage.ADOPTED, by=gp, meeting=meeting, on=datetime.date(2026, 9, 20))
    with pytest.raises(ValidationError):
        services.proposal_adopt(proposal=draft, by=gp)


def test_the_timeline_has_every_stage_in_order_with_who(draft, gp, meeting, owner):
    advance(draft, Stage.ADOPTED, by=gp, meeting=meeting, on=datetime.date(2026, 9, 20))
    events = list(ProposalEvent.objects.filter(proposal=draft).order_by("pk"))
    assert [event.stage for event in events] == [
        Stage.DRAFT,
        Stage.QUALITY_CHECKED,
        Stage.CONSULTED,
        Stage.EQUALITY_ASSESSED,
        Stage.DIRECTOR_APPROVED,
        Stage.COMMITTEE_AGREED,
        Stage.ADOPTED,
    ]
    assert events[0].by == owner
    assert all(event.by == gp for event in events[1:])
    assert draft.history.count() >= 7
