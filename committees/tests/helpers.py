"""Take a proposal through the KPI cycle with the real services."""

from committees import services
from committees.models import Proposal, QualityCheck

ALL_YES = {c.value: (QualityCheck.Answer.YES, "") for c in QualityCheck.Criterion}

STEPS = [
    Proposal.Stage.QUALITY_CHECKED,
    Proposal.Stage.CONSULTED,
    Proposal.Stage.EQUALITY_ASSESSED,
    Proposal.Stage.DIRECTOR_APPROVED,
    Proposal.Stage.COMMITTEE_AGREED,
    Proposal.Stage.ADOPTED,
]


def advance(proposal: Proposal, to: str, *, by, meeting=None, on=None) -> Proposal:
    """Take a proposal through the real services up to stage `to` (G&P `by` takes each step)."""
    for stage in STEPS:
        if proposal.stage == to:
            break
        if stage == Proposal.Stage.QUALITY_CHECKED:
            proposal = services.proposal_quality_check(proposal=proposal, by=by, answers=ALL_YES)
        elif stage == Proposal.Stage.CONSULTED:
            proposal = services.proposal_consult(
                proposal=proposal,
                by=by,
                plan="The director asked for the service and the committee chair.",
                responses=[("Head of Communications", "Supports it")],
            )
        elif stage == Proposal.Stage.EQUALITY_ASSESSED:
            proposal = services.proposal_record_equality(
                proposal=proposal, by=by, outcome="positive", summary="Helps disabled residents."
            )
        elif stage == Proposal.Stage.DIRECTOR_APPROVED:
            proposal = services.proposal_director_decide(
                proposal=proposal, by=by, approve=True, reasons=""
            )
        elif stage == Proposal.Stage.COMMITTEE_AGREED:
            proposal = services.proposal_committee_decide(
                proposal=proposal, by=by, meeting=meeting, outcome="agreed"
            )
        elif stage == Proposal.Stage.ADOPTED:
            proposal = services.proposal_adopt(proposal=proposal, by=by, on=on)
    assert proposal.stage == to
    return proposal
