"""How a value is rated: the council's RAG policy with a KPI's own overrides, and the target that
applies to a period."""

import dataclasses
from decimal import Decimal

from kpis import rating
from kpis.register.models import Kpi
from kpis.reporting.models import RagPolicy, ReportingPeriod, Target
from pmf.formatting import input_text


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
    return Decimal(input_text(amount))


def not_collected_reason(kpi: Kpi) -> str:
    """Why no value is entered for the KPI, in words for the officer; blank when one is.

    Its status decides before anything else (the period, the person, the value itself).
    """
    if kpi.collects_values:
        return ""
    if kpi.status == Kpi.Status.RETIRED:
        when = f" on {kpi.date_removed:%-d %B %Y}" if kpi.date_removed else ""
        text = f"KPI {kpi.reference} was retired{when}, so its values are no longer collected."
    else:
        text = (
            f"KPI {kpi.reference} is {kpi.get_status_display().lower()}, so its values are not "
            "collected."
        )
    if kpi.status_reason:
        text += f" Reason: {kpi.status_reason.strip()}"
    return text
