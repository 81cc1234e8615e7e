"""The council's RAG policy, a KPI's own overrides, and keeping stored ratings true to them."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from kpis import rating
from kpis.models import Kpi, Measurement, RagPolicy, ReportingPeriod, Target
from kpis.services import record_change
from pmf.models import User
from pmf.roles import is_gp


def engine_policy(council: RagPolicy, kpi: Kpi | None = None) -> rating.RatingPolicy:
    """The engine's policy for a KPI: its own settings where it has them, else the council's."""
    base = rating.RatingPolicy(
        amber_tolerance=council.amber_tolerance,
        tolerance_basis=rating.ToleranceBasis(council.tolerance_basis),
        blue_margin=council.blue_margin,
        use_intervention_levels=council.use_intervention_levels,
    )
    if kpi is None:
        return base
    return rating.effective_policy(
        base,
        amber_tolerance=kpi.rag_amber_tolerance,
        tolerance_basis=(
            rating.ToleranceBasis(kpi.rag_tolerance_basis) if kpi.rag_tolerance_basis else None
        ),
        use_intervention_levels=kpi.rag_use_intervention_levels,
    )


def rate_value(
    kpi: Kpi,
    value,
    target: Target | None,
    *,
    council: RagPolicy,
    not_available: bool = False,
) -> rating.Rating:
    """Rate one value of a KPI against its target by the policy that applies to it."""
    if kpi.target_kind == Kpi.TargetKind.CONTEXTUAL:
        return rating.Rating.CONTEXTUAL
    return rating.rate(
        value,
        target.value if target else None,
        direction=kpi.direction,
        status=kpi.status,
        intervention=target.intervention_level if target else None,
        policy=engine_policy(council, kpi),
        not_available=not_available,
    )


def ratings_recompute(*, kpis: Iterable[Kpi] | None = None) -> int:
    """Re-rate stored values in unlocked periods after a policy or target change.

    A locked period keeps the rating it was reported with. Returns how many ratings changed.
    """
    council = RagPolicy.current()
    measurements = Measurement.objects.select_related("kpi", "period").exclude(
        period__state=ReportingPeriod.State.LOCKED
    )
    if kpis is not None:
        measurements = measurements.filter(kpi__in=list(kpis))
    measurements = list(measurements)
    targets: dict[tuple[int, int], list[Target]] = {}
    for target in Target.objects.filter(kpi__in={m.kpi_id for m in measurements}):
        targets.setdefault((target.kpi_id, target.financial_year), []).append(target)
    from kpis.measurements import target_for  # measurements imports this module

    changed = []
    for measurement in measurements:
        year_targets = targets.get((measurement.kpi_id, measurement.period.financial_year), [])
        target = target_for(measurement.kpi, measurement.period, year_targets)
        new = rate_value(
            measurement.kpi,
            measurement.value,
            target,
            council=council,
            not_available=measurement.not_available,
        ).value
        if new != measurement.rating:
            measurement.rating = new
            changed.append(measurement)
    Measurement.objects.bulk_update(changed, ["rating"], batch_size=500)
    return len(changed)


@transaction.atomic
def policy_update(
    *,
    by: User | None,
    amber_tolerance,
    tolerance_basis: str,
    blue_margin,
    use_intervention_levels: bool,
) -> RagPolicy:
    """Change the council's RAG policy and re-rate every value not yet locked."""
    if by is not None and not is_gp(by):
        raise PermissionDenied("Only Governance and Performance can change the RAG policy.")
    if amber_tolerance is None or amber_tolerance < 0:
        raise ValidationError({"amber_tolerance": "Enter a tolerance of 0 or more"})
    if blue_margin is not None and blue_margin < 0:
        raise ValidationError(
            {"blue_margin": "Enter a Blue margin of 0 or more, or leave it blank"}
        )
    policy = RagPolicy.objects.select_for_update().get(pk=RagPolicy.current().pk)
    policy.amber_tolerance = amber_tolerance
    policy.tolerance_basis = tolerance_basis
    policy.blue_margin = blue_margin
    policy.use_intervention_levels = use_intervention_levels
    record_change(policy, by=by, reason="RAG policy changed")
    policy.full_clean()
    policy.save()
    ratings_recompute()
    return policy
