"""Who may make and publish a meeting's pack: the one registry (see pmf.roles)."""

import rules

from committees.rules import clerks_it
from pmf.roles import acts_for_gp, is_clerk


@rules.predicate
def clerks_its_committee(user, meeting) -> bool:
    """A clerk of the meeting's committee (any, when no meeting is named)."""
    return clerks_it(user, None if meeting is None else meeting.committee)


manages_its_packs = acts_for_gp | (is_clerk & clerks_its_committee)

# Edit the narrative, check readiness, publish (now or on the papers date) and withdraw: G&P or
# the committee's clerk.
rules.add_perm("reports.manage_packs", manages_its_packs)
# Read the pack from live data before it is published (HTML and PDF previews, marked DRAFT): the
# same people. Councillors and officers read published versions only.
rules.add_perm("reports.preview_packs", manages_its_packs)
