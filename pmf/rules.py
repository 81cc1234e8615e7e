"""pmf's permissions in the one registry (see pmf.roles)."""

import rules

from pmf.roles import has_any_role

# Any role may read the register, scorecards, committees' records and packs.
rules.add_perm("pmf.read", has_any_role)
