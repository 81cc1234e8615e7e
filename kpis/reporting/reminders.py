"""Chasing: e-mails to KPI owners and approvers through Django's e-mail backend, each recorded.

One e-mail per person per kind and period, listing their KPIs; each e-mail sent is recorded as a
Reminder with its KPIs. Nobody gets the same kind of reminder for the same period twice on one
day (so cron running twice sends nothing new); a G&P chase is only skipped for KPIs that person
was already chased about today, so chasing another KPI of theirs still reaches them.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from kpis.register.models import Directorate, Kpi
from kpis.reporting.models import Measurement, Reminder, ReportingPeriod
from kpis.reporting.selectors import AWAITING_OWNER, NOT_STARTED, kpis_due_in
from pmf.models import User, person_name

Kind = Reminder.Kind


@dataclass
class Sent:
    """What one round of reminders did."""

    reminders: list[Reminder] = field(default_factory=list)
    no_email: list[User] = field(default_factory=list)
    already_sent: list[User] = field(default_factory=list)

    def extend(self, other: "Sent") -> None:
        self.reminders += other.reminders
        self.no_email += other.no_email
        self.already_sent += other.already_sent


# Who and when ----------------------------------------------------------------------------------


def owners_of(kpi: Kpi) -> list[User]:
    """The KPI's lead officer and delegates who can receive mail (delegates prefetched)."""
    people = [kpi.lead_officer] if kpi.lead_officer else []
    people += [d for d in kpi.delegates.all() if d.pk != kpi.lead_officer_id]
    return [person for person in people if person.is_active]


def by_owner(kpis: Iterable[Kpi]) -> dict[User, list[Kpi]]:
    batches: dict[int, tuple[User, list[Kpi]]] = {}
    for kpi in kpis:
        for person in owners_of(kpi):
            batches.setdefault(person.pk, (person, []))[1].append(kpi)
    return {person: kpis for person, kpis in batches.values()}


def _start_of_today() -> datetime.datetime:
    today = timezone.localdate()
    return timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))


def _sent_today(period: ReportingPeriod, kind: str) -> dict[int, set[int]]:
    """recipient id → KPI ids already covered by this kind of reminder for the period today."""
    sent: dict[int, set[int]] = defaultdict(set)
    for recipient_id, kpi_id in Reminder.kpis.through.objects.filter(
        reminder__period=period, reminder__kind=kind, reminder__sent_at__gte=_start_of_today()
    ).values_list("reminder__recipient_id", "kpi_id"):
        sent[recipient_id].add(kpi_id)
    return sent


# The messages ----------------------------------------------------------------------------------


def _day(value: datetime.date | None) -> str:
    return date_format(value, "j F Y") if value else "not set"


def _values(count: int) -> str:
    return f"{count} KPI value" if count == 1 else f"{count} KPI values"


def _link(url_name: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(url_name)


def _subject(kind: str, period: ReportingPeriod, kpis: list[Kpi]) -> str:
    count = _values(len(kpis))
    if kind == Kind.BEFORE_DEADLINE:
        return f"{period.label}: {count} due by {_day(period.submission_deadline)}"
    if kind == Kind.OVERDUE:
        return f"Overdue: {count} for {period.label} were due on {_day(period.submission_deadline)}"
    if kind == Kind.CHASE:
        return f"Please enter {count} for {period.label} (due {_day(period.submission_deadline)})"
    verb = "awaits" if len(kpis) == 1 else "await"
    return f"{count} for {period.label} {verb} your sign-off"


def _body(kind: str, period: ReportingPeriod, person: User, kpis: list[Kpi]) -> str:
    if kind == Kind.APPROVER_DIGEST:
        intro = (
            f"These values for {period.label} have been submitted and await your sign-off. "
            f"The sign-off deadline is {_day(period.signoff_deadline)}."
        )
        link = _link("entry:approvals")
    else:
        lead = {
            Kind.BEFORE_DEADLINE: "The deadline for entering these values is approaching.",
            Kind.OVERDUE: "These values are overdue.",
            Kind.CHASE: "The Governance and Performance team is waiting for these values.",
        }[kind]
        intro = (
            f"{lead} Please enter and submit the {period.label} value, commentary and (where a "
            f"value is off target) action plan for each KPI below. The submission deadline is "
            f"{_day(period.submission_deadline)}."
        )
        link = _link("entry:my_kpis")
    lines = "\n".join(f"- KPI {kpi.reference}: {kpi.name}" for kpi in kpis)
    return (
        f"Dear {person_name(person)},\n\n{intro}\n\n{lines}\n\n{link}\n\n"
        f"This message was sent by {settings.PRODUCT_NAME}, {settings.COUNCIL_NAME}.\n"
    )


def _send(
    *,
    period: ReportingPeriod,
    kind: str,
    batches: dict[User, list[Kpi]],
    sent_by: User | None = None,
    build: Callable[[str, ReportingPeriod, User, list[Kpi]], str] = _body,
) -> Sent:
    """Send one e-mail per person and record a Reminder for each e-mail as it goes."""
    result = Sent()
    if not batches:
        return result
    already = _sent_today(period, kind)
    with get_connection() as connection:
        for person, kpis in sorted(batches.items(), key=lambda item: item[0].pk):
            if not person.email:
                result.no_email.append(person)
                continue
            if kind == Kind.CHASE:
                kpis = [kpi for kpi in kpis if kpi.pk not in already.get(person.pk, set())]
                if not kpis:
                    result.already_sent.append(person)
                    continue
            elif person.pk in already:
                result.already_sent.append(person)
                continue
            kpis = sorted(kpis, key=lambda kpi: kpi.reference)
            message = EmailMessage(
                subject=_subject(kind, period, kpis),
                body=build(kind, period, person, kpis),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[person.email],
                connection=connection,
            )
            message.send()
            with transaction.atomic():
                reminder = Reminder.objects.create(
                    kind=kind, period=period, recipient=person, sent_by=sent_by
                )
                reminder.kpis.set(kpis)
            result.reminders.append(reminder)
    return result


# What pages and the command call ---------------------------------------------------------------


def chase(*, period: ReportingPeriod, kpis: Iterable[Kpi], by: User) -> Sent:
    """G&P chase the owners of some KPIs for a period's values (the dashboard's Chase buttons)."""
    if not by.has_perm("kpis.run_cycle"):
        raise PermissionDenied("Only Governance and Performance can chase owners.")
    if not period.is_open:
        raise ValidationError(
            f"{period.label} is not open for entry, so there is nothing to chase."
        )
    kpis = (
        Kpi.objects.filter(pk__in=[kpi.pk for kpi in kpis])
        .select_related("lead_officer")
        .prefetch_related("delegates")
    )
    return _send(period=period, kind=Kind.CHASE, batches=by_owner(kpis), sent_by=by)


def _awaiting_owner(period: ReportingPeriod) -> list[Kpi]:
    statuses = dict(Measurement.objects.filter(period=period).values_list("kpi_id", "status"))
    kpis = kpis_due_in(period).select_related("lead_officer").prefetch_related("delegates")
    return [kpi for kpi in kpis if statuses.get(kpi.pk, NOT_STARTED) in AWAITING_OWNER]


def _awaiting_signoff(period: ReportingPeriod) -> dict[User, list[Kpi]]:
    submitted = Measurement.objects.awaiting_signoff().filter(period=period)
    submitted = submitted.select_related("kpi__directorate")
    kpis = [measurement.kpi for measurement in submitted]
    directorate_ids = {kpi.directorate_id for kpi in kpis}
    approvers: dict[int, list[User]] = defaultdict(list)
    links = Directorate.approvers.through.objects.filter(
        directorate_id__in=directorate_ids, user__is_active=True
    ).select_related("user")
    for link in links:
        approvers[link.directorate_id].append(link.user)
    batches: dict[int, tuple[User, list[Kpi]]] = {}
    for kpi in kpis:
        for person in approvers[kpi.directorate_id]:
            batches.setdefault(person.pk, (person, []))[1].append(kpi)
    return {person: kpis for person, kpis in batches.values()}


def send_due_reminders(*, today: datetime.date | None = None) -> Sent:
    """For every open period: warn owners N days before the submission deadline, chase them
    after it, and send approvers a digest of values awaiting sign-off.

    N is the REMINDER_DAYS_BEFORE setting (3 by default).
    """
    today = today or timezone.localdate()
    days_before = getattr(settings, "REMINDER_DAYS_BEFORE", 3)
    result = Sent()
    for period in ReportingPeriod.objects.open():
        deadline = period.submission_deadline
        if deadline is not None:
            kind = None
            if (deadline - today).days == days_before:
                kind = Kind.BEFORE_DEADLINE
            elif today > deadline:
                kind = Kind.OVERDUE
            if kind:
                batches = by_owner(_awaiting_owner(period))
                result.extend(_send(period=period, kind=kind, batches=batches))
        result.extend(
            _send(period=period, kind=Kind.APPROVER_DIGEST, batches=_awaiting_signoff(period))
        )
    return result
