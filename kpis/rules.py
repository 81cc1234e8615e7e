"""Who may do what in the register: one place, used by views, services and templates."""

import rules

from pmf.roles import has_any_role, is_gp

rules.add_perm("kpis.view_register", has_any_role)
rules.add_perm("kpis.keep_register", is_gp)
