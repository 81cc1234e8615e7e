"""Writes to the register. Each checks permission, validates and saves in one transaction."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

from kpis.register.models import Committee, CommitteeMembership, Kpi, Priority, Unit
from pmf import clock
from pmf.models import User


def _require_register_keeper(by: User) -> None:
    if not by.has_perm("kpis.keep_register"):
        raise PermissionDenied("Only the Governance and Performance team can change the register.")


def record_change(obj: models.Model, *, by: User, reason: str) -> None:
    """Tell django-simple-history who made the next save of `obj`, and why."""
    obj._history_user = by
    obj._change_reason = reason[:100]
    obj._history_date = clock.now()


@transaction.atomic
def kpi_save(
    *,
    kpi: Kpi,
    by: User,
    priorities: Iterable[Priority],
    committees: Iterable[Committee],
    delegates: Iterable[User] | None = None,
    reason: str = "",
) -> Kpi:
    """Create or edit a KPI with its priorities, current committees and delegates."""
    _require_register_keeper(by)
    if kpi.pk:
        stored = Kpi.objects.only("reference").get(pk=kpi.pk)
        if stored.reference != kpi.reference:
            raise ValidationError({"reference": "A KPI's reference number cannot change."})
    kpi.full_clean()
    record_change(kpi, by=by, reason=reason or ("Edited" if kpi.pk else "Added to the register"))
    kpi.save()
    if set(kpi.priorities.all()) != set(priorities):
        kpi.priorities.set(priorities)
    if delegates is not None and set(kpi.delegates.all()) != set(delegates):
        kpi.delegates.set(delegates)
    committee_set_change(
        kpi=kpi, committees=committees, on=clock.localdate(), decision=reason or "Register edit"
    )
    return kpi


def committee_set_change(
    *, kpi: Kpi, committees: Iterable[Committee], on: datetime.date, decision: str
) -> bool:
    """Make `committees` the KPI's current committees from `on`; returns whether anything changed.

    Memberships are ended, never deleted, so the set at any past date can still be answered.
    """
    wanted = {committee.pk for committee in committees}
    open_memberships = {m.committee_id: m for m in kpi.memberships.filter(ended_on__isnull=True)}
    changed = False
    for committee_id, membership in open_memberships.items():
        if committee_id not in wanted:
            membership.ended_on = max(on, membership.started_on)
            membership.end_decision = decision[:300]
            membership.full_clean()
            membership.save()
            changed = True
    for committee_id in wanted - open_memberships.keys():
        CommitteeMembership.objects.create(
            kpi=kpi, committee_id=committee_id, started_on=on, decision=decision[:300]
        )
        changed = True
    return changed


@transaction.atomic
def kpi_suspend(*, kpi: Kpi, by: User, reason: str) -> Kpi:
    """Stop reporting a KPI for now; it stays in the register and can be reinstated."""
    _require_register_keeper(by)
    if kpi.status in (Kpi.Status.SUSPENDED, Kpi.Status.RETIRED):
        raise ValidationError(f"This KPI is already {kpi.get_status_display().lower()}.")
    kpi.status = Kpi.Status.SUSPENDED
    kpi.status_reason = reason
    record_change(kpi, by=by, reason=f"Suspended: {reason}")
    kpi.full_clean()
    kpi.save()
    return kpi


@transaction.atomic
def kpi_reinstate(*, kpi: Kpi, by: User, reason: str) -> Kpi:
    """Bring a suspended KPI back into reporting."""
    _require_register_keeper(by)
    if kpi.status != Kpi.Status.SUSPENDED:
        raise ValidationError("Only a suspended KPI can be reinstated.")
    kpi.status = Kpi.Status.LIVE
    kpi.status_reason = ""
    record_change(kpi, by=by, reason=f"Reinstated: {reason}")
    kpi.full_clean()
    kpi.save()
    return kpi


@transaction.atomic
def kpi_retire(*, kpi: Kpi, by: User, on: datetime.date, reason: str, decision: str = "") -> Kpi:
    """Take a KPI out of reporting for good. It stays in the register with the date and reason."""
    _require_register_keeper(by)
    if kpi.status == Kpi.Status.RETIRED:
        raise ValidationError("This KPI is already retired.")
    kpi.status = Kpi.Status.RETIRED
    kpi.status_reason = reason
    kpi.date_removed = on
    kpi.removed_by_decision = decision
    record_change(kpi, by=by, reason=f"Retired: {reason}")
    kpi.full_clean()
    kpi.save()
    committee_set_change(kpi=kpi, committees=[], on=on, decision=decision or f"Retired: {reason}")
    return kpi


@transaction.atomic
def structure_save(*, obj: models.Model, by: User, m2m: dict | None = None) -> models.Model:
    """Create or edit a directorate, service or priority (retiring one is unticking "in use")."""
    _require_register_keeper(by)
    obj.full_clean()
    record_change(obj, by=by, reason="Edited" if obj.pk else "Added")
    obj.save()
    for name, values in (m2m or {}).items():
        getattr(obj, name).set(values)
    return obj


@transaction.atomic
def unit_save(*, unit: Unit, by: User) -> Unit:
    """Add a unit or change how one is written, entered and checked. Its code never changes: KPIs
    store it. Every page, export and pack writes the unit's figures the new way from now on."""
    _require_register_keeper(by)
    if unit.pk:
        stored = Unit.objects.only("code").get(pk=unit.pk)
        if stored.code != unit.code:
            raise ValidationError({"code": "A unit's code cannot change."})
    unit.full_clean()
    record_change(unit, by=by, reason="Edited" if unit.pk else "Added")
    unit.save()
    return unit
