"""The KPI cycle's steps for a proposal: one table that the pages and the services both read.

Each step names the stages it is taken from and the permission (committees/rules.py) that says,
for the proposal, who may take it.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError

from committees.models import Proposal

Stage = Proposal.Stage


@dataclass(frozen=True)
class Step:
    title: str  # the step's page
    stages: tuple[str, ...]  # the stages it is taken from
    permission: str  # who may take it, asked of the proposal
    done: str  # "This proposal … cannot be <done> now."


STEPS: dict[str, Step] = {
    "quality": Step(
        "Quality check", (Stage.DRAFT,), "committees.prepare_proposal", "quality checked"
    ),
    "consultation": Step(
        "Record the consultation",
        (Stage.QUALITY_CHECKED,),
        "committees.prepare_proposal",
        "consulted on",
    ),
    "equality": Step(
        "Record the equality impact assessment",
        (Stage.CONSULTED,),
        "committees.prepare_proposal",
        "assessed",
    ),
    "director": Step(
        "Director's decision",
        (Stage.EQUALITY_ASSESSED,),
        "committees.decide_as_director",
        "approved or rejected",
    ),
    "committee": Step(
        "Record the committee's decision",
        (Stage.DIRECTOR_APPROVED, Stage.DEFERRED),
        "committees.record_decision",
        "decided",
    ),
    "adopt": Step(
        "Adopt: change the register and KPI sets",
        (Stage.COMMITTEE_AGREED,),
        "committees.keep_committees",
        "adopted",
    ),
}


def available_steps(user, proposal: Proposal) -> list[tuple[str, str]]:
    """The steps `user` may take on the proposal now: (step, title)."""
    return [
        (name, step.title)
        for name, step in STEPS.items()
        if proposal.stage in step.stages and user.has_perm(step.permission, proposal)
    ]


def may_take(user, name: str, proposal: Proposal) -> bool:
    return user.has_perm(STEPS[name].permission, proposal)


def require_step(name: str, proposal: Proposal, by, refusal: str) -> None:
    """Refuse `by` a step they may not take (PermissionDenied with `refusal`), or one the
    proposal's stage does not allow (ValidationError)."""
    step = STEPS[name]
    if not by.has_perm(step.permission, proposal):
        raise PermissionDenied(refusal)
    if proposal.stage not in step.stages:
        raise ValidationError(
            f"This proposal is “{proposal.get_stage_display().lower()}”: "
            f"it cannot be {step.done} now."
        )
