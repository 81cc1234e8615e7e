"""Writes for the reporting cycle: periods, targets, and each period's values with sign-off.

Every function checks who is acting and the period's state, validates, and saves in one
transaction, so no page, import or command can get round a rule.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from simple_history.utils import bulk_update_with_history

from kpis import rating
from kpis.register.models import Kpi, value_bounds
from kpis.register.services import record_change
from kpis.register.units import UnitInfo
from kpis.reporting import policy, quality, selectors
from kpis.reporting.models import (
    MEASUREMENT_TEXT_LENGTHS,
    PERIOD_TEXT_LENGTHS,
    Measurement,
    RagPolicy,
    ReportingPeriod,
    Target,
)
from kpis.reporting.periods import periods_of_year
from pmf import clock
from pmf.fields import too_long
from pmf.formatting import number_text
from pmf.models import User

OFF_TARGET = {rating.Rating.AMBER, rating.Rating.RED}
# Measurement.value holds 18 digits, 4 of them decimal places.
MAX_VALUE = Decimal(10) ** 14
MEASUREMENT_RELATIONS = ["kpi", "period", "entered_by", "submitted_by", "approved_by", "loaded_by"]


class StaleEdit(Exception):
    """Someone saved this value after the form was opened; carries the newer record."""

    def __init__(self, current: Measurement) -> None:
        super().__init__("Someone else changed this value after you opened the page.")
        self.current = current


class ValueQueried(ValidationError):
    """A submitted value is far from the KPI's earlier ones and its officer has not yet confirmed
    it and explained it (kpis.reporting.quality). Carries the query in words, and the errors to
    show on the confirmation and explanation fields (with any other problem of the entry)."""

    def __init__(self, errors: dict[str, str], query: str) -> None:
        super().__init__(errors)
        self.query = query


@dataclass
class Entry:
    """What an officer (or an import) says about one KPI in one period."""

    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    not_available: bool = False
    not_available_reason: str = ""
    commentary: str = ""
    action_plan: str = ""
    data_quality_note: str = ""
    query_explanation: str = ""

    FIELDS = (
        "value",
        "numerator",
        "denominator",
        "not_available",
        "not_available_reason",
        "commentary",
        "action_plan",
        "data_quality_note",
        "query_explanation",
    )

    def matches(self, measurement: Measurement) -> bool:
        return all(getattr(self, f) == getattr(measurement, f) for f in self.FIELDS)


# Validation ------------------------------------------------------------------------------------


def computed_value(kpi: Kpi, entry: Entry) -> Decimal | None:
    """The value from numerator and denominator, when the KPI defines them and no value is given."""
    if entry.value is not None or entry.numerator is None or not entry.denominator:
        return entry.value
    multiplier = Decimal(kpi.unit_info.rate_per or 1)
    return (entry.numerator / entry.denominator * multiplier).quantize(Decimal("0.0001"))


# How the entry page names each text, for a message saying it is too long.
TEXT_LABELS = {
    "not_available_reason": "The reason",
    "commentary": "Commentary",
    "action_plan": "The action plan",
    "data_quality_note": "The data quality note",
}


def entry_errors(kpi: Kpi, entry: Entry) -> dict[str, str]:
    """What is wrong with an entry for this KPI's unit, field by field (empty when valid)."""
    errors: dict[str, str] = {}
    for name, label in TEXT_LABELS.items():
        if message := too_long(label, getattr(entry, name), MEASUREMENT_TEXT_LENGTHS[name]):
            errors[name] = message
    if entry.not_available:
        if entry.value is not None:
            errors["value"] = "Leave the value blank when it is not available"
        if not entry.not_available_reason.strip():
            errors["not_available_reason"] = "Say why the value is not available"
        return errors
    for name in ("numerator", "denominator"):
        part = getattr(entry, name)
        if part is not None and (not part.is_finite() or abs(part) >= MAX_VALUE):
            errors[name] = f"Enter a {name} smaller than 100 trillion"
    if "denominator" not in errors and entry.denominator is not None and entry.denominator <= 0:
        errors["denominator"] = "The denominator must be more than 0"
    if "numerator" not in errors and entry.numerator is not None and entry.numerator < 0:
        errors["numerator"] = "The numerator cannot be negative"
    if errors.keys() & {"numerator", "denominator"}:
        return errors
    value = entry.value
    if value is None:
        return errors
    if not value.is_finite() or abs(value) >= MAX_VALUE:
        errors["value"] = "Enter a number smaller than 100 trillion"
        return errors
    unit = kpi.unit_info
    outside = "" if kpi.allows_values_outside_0_100 else _outside_range(unit, value)
    if outside:
        errors["value"] = outside
    elif unit.whole_numbers and value != value.to_integral_value():
        errors["value"] = "Enter a whole number"
    elif unit.money and value != value.quantize(Decimal("0.01")):
        errors["value"] = "Enter an amount in pounds and pence, like 1250.50"
    return errors


def query_errors(query: str, entry: Entry, confirmed_query: str) -> dict[str, str]:
    """What a queried value still needs before it is submitted: the officer's confirmation of
    this very query (a changed value is queried afresh), and an explanation."""
    if not query:
        return {}
    if confirmed_query != query:
        if confirmed_query:
            advice = "This has changed since you confirmed it: correct the value, or confirm it"
            return {"query_confirmed": f"{query} {advice} again and explain why"}
        advice = "Correct the value, or confirm it is right and explain why"
        return {"query_confirmed": f"{query} {advice}"}
    if not entry.query_explanation.strip():
        return {"query_explanation": "Explain why the value is so different from earlier ones"}
    return {}


def _outside_range(unit: UnitInfo, value: Decimal) -> str:
    """What is wrong with a value outside its unit's range (kpis.register.models.value_bounds)."""
    lowest, highest = value_bounds(unit.code)
    if (lowest is None or value >= lowest) and (highest is None or value <= highest):
        return ""
    noun = unit.noun
    article = "an" if noun[:1].lower() in "aeiou" else "a"
    if lowest is not None and highest is not None:
        return f"Enter {article} {noun} between {number_text(lowest)} and {number_text(highest)}"
    if lowest == 0:
        return f"{article.capitalize()} {noun} value cannot be negative"
    if lowest is not None:
        return f"Enter {article} {noun} of {number_text(lowest)} or more"
    return f"Enter {article} {noun} of {number_text(highest)} or less"


def submission_errors(kpi: Kpi, entry: Entry, rated: rating.Rating) -> dict[str, str]:
    """The extra rules for submitting: a value or an explicit 'not available', and a plan if off."""
    if entry.value is None and not entry.not_available:
        return {"value": "Enter a value, or say it is not available and why"}
    if rated in OFF_TARGET and not entry.action_plan.strip():
        return {"action_plan": f"This value is off target ({rated.label}): enter an action plan"}
    return {}


# Targets and rating ----------------------------------------------------------------------------


def rate_entry(
    kpi: Kpi,
    value: Decimal | None,
    target: Target | None,
    *,
    not_available: bool = False,
    council: RagPolicy | None = None,
) -> rating.Rating:
    """The rating engine applied to one value, by the council's policy and the KPI's overrides.

    Pass `council` (RagPolicy.current()) when rating many values, to read the policy once.
    """
    return policy.rate_value(
        kpi, value, target, council=council or RagPolicy.current(), not_available=not_available
    )


# Values ----------------------------------------------------------------------------------------


def _check_period_for(user: User, period: ReportingPeriod, *, historic: bool) -> None:
    if period.is_locked:
        raise ValidationError(f"{period.label} is locked: its values can no longer be changed.")
    runs_cycle = user.has_perm("kpis.run_cycle")
    if historic:
        if not runs_cycle:
            raise PermissionDenied("Only Governance and Performance can load historic values.")
        return
    if not period.is_open and not runs_cycle:
        raise ValidationError(f"{period.label} is not open for entry.")


def _period_held_steady(pk: int) -> ReportingPeriod:
    """The period, share-locked until the transaction ends.

    Many officers' saves in one period hold the lock together; opening, closing or locking the
    period takes the row FOR UPDATE, so it waits for saves in flight and later saves see its
    new state. (SQLite runs one writing transaction at a time and needs no lock.)
    """
    if connection.vendor != "postgresql":
        return ReportingPeriod.objects.get(pk=pk)
    found = list(
        ReportingPeriod.objects.raw(
            "SELECT * FROM kpis_reportingperiod WHERE id = %s FOR SHARE", [pk]
        )
    )
    if not found:
        raise ReportingPeriod.DoesNotExist(f"No reporting period {pk}")
    return found[0]


def _measurement_for_update(kpi: Kpi, period: ReportingPeriod) -> Measurement:
    """The KPI's value for the period, row-locked; a new unsaved one if there is none yet.

    Two first saves of one value at once would both find no row: the KPI row's lock makes the
    second wait for the first to commit, and it then finds and locks the new row.
    """

    def locked() -> Measurement | None:
        # Lock only the measurement row (not the rows its default ordering joins in).
        return (
            Measurement.objects.select_for_update(of=("self",))
            .filter(kpi=kpi, period=period)
            .order_by("pk")
            .first()
        )

    found = locked()
    if found is None:
        list(Kpi.objects.select_for_update(no_key=True).filter(pk=kpi.pk).values_list("pk"))
        found = locked()
    return found or Measurement(kpi=kpi, period=period, version=0)


@transaction.atomic
def measurement_save(
    *,
    kpi: Kpi,
    period: ReportingPeriod,
    by: User,
    entry: Entry,
    expected_version: int | None,
    submit: bool = False,
    historic: bool = False,
    authority: str = "",
    confirmed_query: str = "",
) -> Measurement:
    """Save a value as a draft, or submit it for sign-off.

    `expected_version` is the version the form was opened on (None for a new value); a newer
    saved version means someone else got there first and raises StaleEdit. Repeating the same
    save (a double click) returns the saved record unchanged. A historic load (G&P, into a closed
    period) is stored as approved, with who loaded it, when, and on what `authority` (required).
    A submitted value far from the KPI's earlier ones raises ValueQueried unless
    `confirmed_query` is the query it raises now and the entry explains it; the query and
    explanation are kept with the value.
    """
    if not by.has_perm("kpis.enter_value", kpi):
        raise PermissionDenied("You cannot enter values for this KPI.")
    if not historic and (reason := policy.not_collected_reason(kpi)):
        raise ValidationError(f"{reason} Nothing was saved.")
    period = _period_held_steady(period.pk)
    _check_period_for(by, period, historic=historic)
    if historic:
        _require_authority(authority)
    measurement = _measurement_for_update(kpi, period)
    entry.value = computed_value(kpi, entry)
    council = RagPolicy.current()
    query = ""
    if submit and not historic:
        query = _submitted_query(kpi, period, entry, council)
    wanted_status = Measurement.Status.SUBMITTED if submit else Measurement.Status.DRAFT
    if historic:
        wanted_status = Measurement.Status.APPROVED
    if measurement.pk and expected_version != measurement.version:
        if entry.matches(measurement) and measurement.status == wanted_status:
            return measurement  # the same request again: nothing to do
        raise StaleEdit(measurement)
    if measurement.pk is None and expected_version not in (None, 0):
        raise StaleEdit(measurement)
    if measurement.status in Measurement.REPORTED and not (
        historic or by.has_perm("kpis.run_cycle")
    ):
        raise ValidationError(
            "This value has been submitted for sign-off. Ask your approver to return it "
            "if it needs to change."
        )
    target = policy.target_for(kpi, period)
    rated = rate_entry(kpi, entry.value, target, not_available=entry.not_available, council=council)
    _refuse_unless_valid(kpi, entry, rated, submit=submit, query=query, confirmed=confirmed_query)
    for field in Entry.FIELDS:
        setattr(measurement, field, getattr(entry, field))
    now = clock.now()
    measurement.status = wanted_status
    measurement.rating = rated.value
    measurement.is_historic_load = measurement.is_historic_load or historic
    measurement.entered_by = by
    measurement.returned_reason = "" if submit else measurement.returned_reason
    if submit:
        measurement.submitted_by, measurement.submitted_at = by, now
        measurement.approved_by, measurement.approved_at = None, None
        measurement.data_query = query
    if historic:
        measurement.approved_by, measurement.approved_at = by, now
        measurement.loaded_by, measurement.loaded_at = by, now
        measurement.historic_authority = authority.strip()
    measurement.version += 1
    reason = "Historic load" if historic else ("Submitted" if submit else "Saved as draft")
    record_change(measurement, by=by, reason=reason)
    # The KPI, period and people are the rows just read and locked, and the value's own rules
    # (entry_errors) cover the table's check; the database still enforces every constraint.
    measurement.full_clean(exclude=MEASUREMENT_RELATIONS, validate_constraints=False)
    measurement.save()
    return measurement


def _require_authority(authority: str) -> None:
    if not authority.strip():
        raise ValidationError(
            "Say on what authority this historic value is loaded, for example “2024/25 outturn "
            "from the finance system, agreed by G&P”."
        )


def _submitted_query(kpi: Kpi, period: ReportingPeriod, entry: Entry, council: RagPolicy) -> str:
    """The query a submitted entry raises. An entry that raises none keeps no explanation (one
    typed for an earlier, corrected value would mislead its approver)."""
    query = ""
    if not entry.not_available and not entry_errors(kpi, entry):
        query = quality.value_query(kpi, period, entry.value, council)
    if not query:
        entry.query_explanation = ""
    return query


def _refuse_unless_valid(
    kpi: Kpi, entry: Entry, rated: rating.Rating, *, submit: bool, query: str, confirmed: str
) -> None:
    """Raise the entry's problems: ValueQueried when its query still needs an answer."""
    errors = entry_errors(kpi, entry)
    if submit:
        valid = not errors
        errors = {**submission_errors(kpi, entry, rated), **errors}
        queried = query_errors(query, entry, confirmed) if valid else {}
        if queried:
            raise ValueQueried({**errors, **queried}, query)
    if errors:
        raise ValidationError(errors)


def _for_decision(pks: list[int]) -> dict[int, Measurement]:
    """The values to sign off, row-locked, with their KPI, directorate and period (one query)."""
    return (
        Measurement.objects.select_for_update(of=("self",))
        .select_related("kpi__directorate", "period")
        .in_bulk(pks)
    )


def _already_decided(
    measurement: Measurement, by: User, expected_version: int, *, approve: bool, reason: str = ""
) -> bool:
    """Refuse a sign-off `by` may not make now; True when it is already made (the same request
    again), False when it may go ahead."""
    if not by.has_perm("kpis.approve_value", measurement.kpi):
        raise PermissionDenied("You cannot sign off this directorate's values.")
    if measurement.submitted_by_id == by.pk and not by.has_perm("kpis.run_cycle"):
        raise PermissionDenied("You cannot approve or return your own submission.")
    if measurement.period.is_locked:
        raise ValidationError(f"{measurement.period.label} is locked.")
    wanted = Measurement.Status.APPROVED if approve else Measurement.Status.RETURNED
    if measurement.version != expected_version:
        if measurement.status == wanted:
            return True
        raise StaleEdit(measurement)
    if measurement.status != Measurement.Status.SUBMITTED:
        raise ValidationError(
            f"Only a submitted value can be {'approved' if approve else 'returned'}."
        )
    if not approve and not reason.strip():
        raise ValidationError({"reason": "Say why you are returning it"})
    return False


def _decide(
    *, measurement: Measurement, by: User, expected_version: int, approve: bool, reason: str = ""
) -> Measurement:
    measurement = _for_decision([measurement.pk])[measurement.pk]
    if _already_decided(measurement, by, expected_version, approve=approve, reason=reason):
        return measurement
    measurement.status = Measurement.Status.APPROVED if approve else Measurement.Status.RETURNED
    measurement.version += 1
    if approve:
        measurement.approved_by, measurement.approved_at = by, clock.now()
    else:
        measurement.returned_reason = reason
    record_change(measurement, by=by, reason="Approved" if approve else f"Returned: {reason}")
    measurement.save()
    return measurement


@transaction.atomic
def measurement_approve(
    *, measurement: Measurement, by: User, expected_version: int
) -> Measurement:
    """Sign off a submitted value."""
    return _decide(measurement=measurement, by=by, expected_version=expected_version, approve=True)


@transaction.atomic
def measurements_approve(
    *, items: Sequence[tuple[Measurement, int]], by: User
) -> list[Measurement]:
    """Sign off several submitted values at once ("approve all"), all or nothing, with every
    check of `measurement_approve`, in a fixed number of queries however many there are.
    `items` are (value, the version the page showed); a refusal names its value as
    `error.measurement`."""
    found = _for_decision([measurement.pk for measurement, _ in items])
    now = clock.now()
    approved = []
    for measurement, version in items:
        current = found[measurement.pk]
        try:
            if _already_decided(current, by, version, approve=True):
                continue
        except (PermissionDenied, ValidationError, StaleEdit) as error:
            error.measurement = current
            raise
        current.status = Measurement.Status.APPROVED
        current.version += 1
        current.approved_by, current.approved_at, current.updated_at = by, now, now
        approved.append(current)
    bulk_update_with_history(
        approved,
        Measurement,
        ["status", "version", "approved_by", "approved_at", "updated_at"],
        default_user=by,
        default_change_reason="Approved",
        default_date=now,
    )
    return [found[measurement.pk] for measurement, _ in items]


@transaction.atomic
def measurement_return(
    *, measurement: Measurement, by: User, expected_version: int, reason: str
) -> Measurement:
    """Send a submitted value back to its officer with the reason."""
    if message := too_long("The reason", reason, MEASUREMENT_TEXT_LENGTHS["returned_reason"]):
        raise ValidationError({"reason": message})
    return _decide(
        measurement=measurement,
        by=by,
        expected_version=expected_version,
        approve=False,
        reason=reason,
    )


# Periods and targets ---------------------------------------------------------------------------


def _require_cycle_runner(by: User) -> None:
    if not by.has_perm("kpis.run_cycle"):
        raise PermissionDenied("Only Governance and Performance can run the reporting cycle.")


@transaction.atomic
def periods_create_for_year(*, financial_year: int, by: User) -> list[ReportingPeriod]:
    """Create the months, quarters and year of a financial year that do not exist yet."""
    _require_cycle_runner(by)
    existing = set(
        ReportingPeriod.objects.filter(financial_year=financial_year).values_list("kind", "number")
    )
    created = []
    for spec in periods_of_year(financial_year):
        if (spec.kind, spec.number) in existing:
            continue
        period = ReportingPeriod(
            kind=spec.kind,
            financial_year=spec.financial_year,
            number=spec.number,
            starts_on=spec.starts_on,
            ends_on=spec.ends_on,
        )
        record_change(period, by=by, reason="Created")
        period.full_clean()
        period.save()
        created.append(period)
    return created


@transaction.atomic
def period_open(
    *,
    period: ReportingPeriod,
    by: User,
    submission_deadline: datetime.date,
    signoff_deadline: datetime.date,
) -> ReportingPeriod:
    """Open a period for entry with its deadlines."""
    _require_cycle_runner(by)
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if period.is_locked:
        raise ValidationError("A locked period must be reopened, with a reason, first.")
    if signoff_deadline < submission_deadline:
        raise ValidationError({"signoff_deadline": "Sign-off must come on or after submission"})
    period.state = ReportingPeriod.State.OPEN
    period.submission_deadline, period.signoff_deadline = submission_deadline, signoff_deadline
    record_change(period, by=by, reason="Opened for entry")
    period.full_clean()
    period.save()
    return period


@transaction.atomic
def period_close(*, period: ReportingPeriod, by: User) -> ReportingPeriod:
    """Stop officers entering values; G&P may still correct them until the period is locked."""
    _require_cycle_runner(by)
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if period.is_locked:
        raise ValidationError(f"{period.label} is locked.")
    period.state = ReportingPeriod.State.CLOSED
    record_change(period, by=by, reason="Closed for entry")
    period.save()
    return period


@transaction.atomic
def period_lock(
    *, period: ReportingPeriod, by: User, expected_unapproved: int | None = None
) -> ReportingPeriod:
    """Freeze a reported period: no page or import can change its values afterwards.

    `expected_unapproved`: how many values not approved the person confirmed locking with (the
    lock confirmation shows them, by KPI); if that number has changed since, nothing is locked.
    """
    _require_cycle_runner(by)
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if period.is_locked:
        return period
    if expected_unapproved is not None:
        now = selectors.unapproved_in(period).total
        if now != expected_unapproved:
            raise ValidationError(
                f"{now} value{'' if now == 1 else 's'} in {period.label} "
                f"{'is' if now == 1 else 'are'} not approved now, not {expected_unapproved} as "
                "when you looked. Check the list and confirm again."
            )
    period.state = ReportingPeriod.State.LOCKED
    record_change(period, by=by, reason="Locked")
    period.save()
    return period


@transaction.atomic
def period_reopen(*, period: ReportingPeriod, by: User, reason: str) -> ReportingPeriod:
    """Unlock a period for corrections; the reason is kept in its history."""
    _require_cycle_runner(by)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the period is being reopened"})
    if message := too_long("The reason", reason, PERIOD_TEXT_LENGTHS["state_reason"]):
        raise ValidationError({"reason": message})
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if not period.is_locked:
        raise ValidationError(f"{period.label} is not locked.")
    period.state = ReportingPeriod.State.CLOSED
    period.state_reason = reason
    record_change(period, by=by, reason=f"Reopened: {reason}")
    period.save()
    return period


@transaction.atomic
def target_set(
    *,
    kpi: Kpi,
    financial_year: int,
    by: User,
    value: Decimal,
    intervention_level: Decimal | None = None,
    period: ReportingPeriod | None = None,
    note: str = "",
    rerate: bool = True,
) -> Target:
    """Set (or change) a KPI's target for a year, or for one period of it, and re-rate the KPI's
    values not yet locked. An import of many targets says rerate=False and re-rates once, after
    the last (`ratings_recompute`)."""
    _require_cycle_runner(by)
    if kpi.target_kind == Kpi.TargetKind.CONTEXTUAL:
        raise ValidationError("A contextual KPI has no target.")
    if period is not None and period.financial_year != financial_year:
        raise ValidationError({"period": "The period must be in the target's financial year"})
    # of=("self",) and a plain ordering: PostgreSQL refuses to lock the nullable side of the
    # outer join that Target's default ordering (by period start) would add.
    target = Target.objects.select_for_update(of=("self",)).filter(
        kpi=kpi, financial_year=financial_year, period=period
    ).order_by("pk").first() or Target(kpi=kpi, financial_year=financial_year, period=period)
    changed = (target.value, target.intervention_level, target.note) != (
        value,
        intervention_level,
        note,
    )
    if target.pk and not changed:
        return target
    target.value, target.intervention_level, target.note = value, intervention_level, note
    record_change(target, by=by, reason="Target set" if target.pk is None else "Target changed")
    target.full_clean()
    target.save()
    if rerate:
        ratings_recompute(kpis=[kpi])
    return target


# The council's RAG policy -------------------------------------------------------------------

UNCHANGED = object()  # a policy setting left out of policy_update keeps its value


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
    changed = []
    for measurement in measurements:
        year_targets = targets.get((measurement.kpi_id, measurement.period.financial_year), [])
        target = policy.target_for(measurement.kpi, measurement.period, year_targets)
        new = policy.rate_value(
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
    by: User,
    amber_tolerance,
    tolerance_basis: str,
    blue_margin,
    use_intervention_levels: bool,
    query_change_percent=UNCHANGED,
    query_change_points=UNCHANGED,
) -> RagPolicy:
    """Change the council's RAG policy and its data-quality query thresholds (blank for none;
    left out, unchanged), and re-rate every value not yet locked if the rating rules changed."""
    if not by.has_perm("kpis.run_cycle"):
        raise PermissionDenied("Only Governance and Performance can change the RAG policy.")
    if amber_tolerance is None or amber_tolerance < 0:
        raise ValidationError({"amber_tolerance": "Enter a tolerance of 0 or more"})
    if blue_margin is not None and blue_margin < 0:
        raise ValidationError(
            {"blue_margin": "Enter a Blue margin of 0 or more, or leave it blank"}
        )
    policy = RagPolicy.objects.select_for_update().get(pk=RagPolicy.current().pk)
    rating_rules = ("amber_tolerance", "tolerance_basis", "blue_margin", "use_intervention_levels")
    before = [getattr(policy, name) for name in rating_rules]
    policy.amber_tolerance = amber_tolerance
    policy.tolerance_basis = tolerance_basis
    policy.blue_margin = blue_margin
    policy.use_intervention_levels = use_intervention_levels
    if query_change_percent is not UNCHANGED:
        policy.query_change_percent = query_change_percent
    if query_change_points is not UNCHANGED:
        policy.query_change_points = query_change_points
    record_change(policy, by=by, reason="RAG policy changed")
    policy.full_clean()
    policy.save()
    policy.refresh_from_db()
    if [getattr(policy, name) for name in rating_rules] != before:
        ratings_recompute()
    return policy
