"""Who may do what with the register and the reporting cycle: the one registry (see pmf.roles).

A permission asked without an object answers for the role (may this person enter any values?);
with a KPI it answers for that KPI (may they enter this one's?).
"""

import rules

from kpis.register.models import Directorate, Kpi
from pmf.roles import acts_for_gp, is_approver, is_officer


@rules.predicate
def leads_or_delegate(user, kpi) -> bool:
    """The KPI's lead officer or one of its delegates (anyone, when no KPI is named)."""
    if kpi is None:
        return True
    return kpi.lead_officer_id == user.pk or kpi.delegates.filter(pk=user.pk).exists()


def directorates_approved_by(user) -> frozenset[int]:
    """The ids of the directorates the user is named an approver for: read once (one query)
    and kept on the user object, so signing off a page of values asks no more."""
    cached = getattr(user, "_pmf_approved_directorates", None)
    if cached is None:
        approved = Directorate.approvers.through.objects.filter(user_id=user.pk)
        cached = frozenset(approved.values_list("directorate_id", flat=True))
        user._pmf_approved_directorates = cached
    return cached


@rules.predicate
def approves_directorate(user, kpi) -> bool:
    """An approver named for the KPI's directorate (anyone, when no KPI is named)."""
    return kpi is None or kpi.directorate_id in directorates_approved_by(user)


rules.add_perm("kpis.keep_register", acts_for_gp)
rules.add_perm("kpis.run_cycle", acts_for_gp)  # periods, targets, chasing, the RAG policy
rules.add_perm("kpis.view_completion", acts_for_gp | is_approver)
rules.add_perm("kpis.enter_value", acts_for_gp | (is_officer & leads_or_delegate))
rules.add_perm("kpis.approve_value", acts_for_gp | (is_approver & approves_directorate))
# Who sees a KPI's work in progress (its drafts, returned values and the reasons they were
# returned): those who work on its values. Everyone else reads approved and provisional values.
rules.add_perm(
    "kpis.see_work_in_progress",
    acts_for_gp | (is_officer & leads_or_delegate) | (is_approver & approves_directorate),
)
# A value's data-quality query and its officer's explanation: for the people who keep and sign
# off values (G&P, approvers) and the KPI's own officers, not for read-only viewers.
rules.add_perm(
    "kpis.see_data_queries", acts_for_gp | is_approver | (is_officer & leads_or_delegate)
)


def enterable_kpis(user) -> set[int] | None:
    """The ids of the KPIs `user` may enter values for, to check a whole file at once (two
    queries): None when they may enter any. The same rule as "kpis.enter_value"."""
    if user.has_perm("kpis.run_cycle"):
        return None
    if not is_officer(user):
        return set()
    led = Kpi.objects.filter(lead_officer=user).values_list("pk", flat=True)
    delegated = Kpi.delegates.through.objects.filter(user_id=user.pk)
    return set(led) | set(delegated.values_list("kpi_id", flat=True))
