"""Who may do what with committees, meetings, proposals, actions and audits: the one registry
(see pmf.roles). Asked without an object a permission answers for the role; with a committee or
a proposal, for that one."""

import rules

from committees.models import CommitteeDetails
from pmf.roles import acts_for_gp, is_approver, is_clerk, is_officer


def committees_clerked_by(user) -> frozenset[int]:
    """The ids of the committees the user is a clerk named for: read once (one query) and kept
    on the user object, so a page of meetings asks no more."""
    cached = getattr(user, "_pmf_clerked_committees", None)
    if cached is None:
        clerked = CommitteeDetails.objects.filter(clerks=user).values_list("committee", flat=True)
        cached = user._pmf_clerked_committees = frozenset(clerked)
    return cached


@rules.predicate
def clerks_it(user, committee) -> bool:
    """A clerk named for the committee (any committee, when none is named)."""
    return committee is None or committee.pk in committees_clerked_by(user)


@rules.predicate
def clerks_its_committees(user, proposal) -> bool:
    """A clerk of one of the committees the proposal goes to."""
    if proposal is None:
        return True
    return CommitteeDetails.objects.filter(
        committee__in=proposal.committees.all(), clerks=user
    ).exists()


@rules.predicate
def raised_it(user, proposal) -> bool:
    return proposal is None or proposal.raised_by_id == user.pk


@rules.predicate
def approves_its_directorate(user, proposal) -> bool:
    if proposal is None:
        return True
    return proposal.directorate.approvers.filter(pk=user.pk).exists()


raises_proposals = is_officer | is_approver | acts_for_gp
decides_as_director = acts_for_gp | (is_approver & approves_its_directorate)

# Committee details, adopting proposals and auditing KPIs.
rules.add_perm("committees.keep_committees", acts_for_gp)
# A committee's meetings, decisions and action tracker.
rules.add_perm("committees.manage_committee", acts_for_gp | (is_clerk & clerks_it))
rules.add_perm("committees.raise_proposal", raises_proposals)
# Draft, quality check, consult, assess: who raised it, its directorate's approvers, or G&P.
rules.add_perm("committees.prepare_proposal", (raises_proposals & raised_it) | decides_as_director)
rules.add_perm("committees.decide_as_director", decides_as_director)
rules.add_perm("committees.record_decision", acts_for_gp | (is_clerk & clerks_its_committees))
