"""How a value is rated: the council's RAG policy with a KPI's own overrides, and the target that
applies to a period."""

import dataclasses
from decimal import Decimal

from kpis import rating
from kpis.register.models import Kpi
from kpis.reporting.models import RagPolicy, ReportingPeriod, Target


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
    """Rate one value of a KPI against its target by the policy that applies to it. Its status
    decides first: a suspended KPI whose target kind is contextual is Suspended."""
    return rating.rate(
        value,
        target.value if target else None,
        direction=kpi.direction,
        status=rating.rating_status(
            kpi.status, contextual=kpi.target_kind == Kpi.TargetKind.CONTEXTUAL
        ),
        intervention=target.intervention_level if target else None,
        policy=engine_policy(council, kpi),
        not_available=not_available,
    )


def target_for(
    kpi: Kpi, period: ReportingPeriod, targets: list[Target] | None = None
) -> Target | None:
    """The period's own target if it has one, else the financial year's."""
    candidates = (
        targets
        if targets is not None
        # No ordering: the default (by KPI reference and period start) would join both tables.
        else list(kpi.targets.filter(financial_year=period.financial_year).order_by())
    )
    annual = None
    for target in candidates:
        if target.period_id == period.pk:
            return target
        if target.period_id is None and target.financial_year == period.financial_year:
            annual = target
    return annual


def policy_words(council) -> str:
    """The council's policy in a sentence, its numbers as people write them (10, not 10.000)."""
    engine = engine_policy(council)
    plain = {
        "amber_tolerance": _plain(engine.amber_tolerance),
        "blue_margin": None if engine.blue_margin is None else _plain(engine.blue_margin),
    }
    return dataclasses.replace(engine, **plain).describe()


def _plain(amount) -> Decimal:
    number = Decimal(str(amount)).normalize()
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number
