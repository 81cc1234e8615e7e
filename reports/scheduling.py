"""Publishing a meeting's pack on its papers date, after the readiness check of that day.

The clerk (or G&P) schedules it from the readiness page. On the day, `publish_scheduled_packs`
(a management command for cron) and, with a queue that can wait (`make worker`, the database
backend), the task queued for that day's start, each publish every publication that is due: a
pack that is ready is published; one that is not is published only if the clerk gave a reason
when scheduling it, else it is left unpublished. Either way the clerk who scheduled it and the
committee's clerks are told by e-mail, and the outcome is kept on the scheduled publication.

A scheduled publication is claimed under a row lock inside the transaction that publishes it, so
the command and the worker running at once publish it once, and a run that dies part-way leaves
it scheduled for the next.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django_tasks import task

from committees.models import CommitteeDetails, Meeting
from pmf import clock
from pmf.models import User, person_name
from reports import services
from reports.models import PackVersion, ScheduledPublication
from reports.readiness import pack_readiness

logger = logging.getLogger(__name__)
Status = ScheduledPublication.Status


def _day(value: datetime.date) -> str:
    return date_format(value, "j F Y")


def pack_schedule(*, meeting: Meeting, by: User, reason: str = "") -> ScheduledPublication:
    """Schedule the meeting's pack to publish on its papers date (today at the earliest)."""
    if not by.has_perm("reports.manage_packs", meeting):
        raise PermissionDenied("Only G&P or this committee's clerk can manage its packs.")
    if meeting.period_id is None:
        raise ValidationError("Set the reporting period this meeting considers first.")
    publish_on = meeting.papers_published_on
    if publish_on < clock.localdate():
        raise ValidationError(
            f"The papers date, {_day(publish_on)}, has passed: publish the pack now instead."
        )
    with transaction.atomic():
        Meeting.objects.select_for_update(of=("self",)).filter(pk=meeting.pk).first()
        if ScheduledPublication.objects.filter(meeting=meeting, status=Status.SCHEDULED).exists():
            raise ValidationError(
                "The pack is already scheduled to publish: cancel that first to change it."
            )
        schedule = ScheduledPublication.objects.create(
            meeting=meeting,
            publish_on=publish_on,
            not_ready_reason=reason.strip(),
            requested_by=by,
            requested_at=clock.now(),
        )
        transaction.on_commit(lambda: _enqueue(schedule))
    return schedule


def start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _enqueue(schedule: ScheduledPublication) -> None:
    """Queue the publication for the start of its day, if the queue can wait until then (the
    database queue can; the immediate backend cannot, and leaves it to the command)."""
    if not publish_scheduled_pack.get_backend().supports_defer:
        return
    try:
        deferred = publish_scheduled_pack.using(run_after=start_of(schedule.publish_on))
        result = deferred.enqueue(schedule.pk)
    except Exception:  # the command publishes it on the day all the same
        logger.exception("Could not queue scheduled publication %s", schedule.pk)
        return
    ScheduledPublication.objects.filter(pk=schedule.pk).update(task_id=str(result.id))


def pack_schedule_cancel(*, meeting: Meeting, by: User) -> ScheduledPublication | None:
    """Cancel the meeting's waiting publication, if there is one."""
    if not by.has_perm("reports.manage_packs", meeting):
        raise PermissionDenied("Only G&P or this committee's clerk can manage its packs.")
    with transaction.atomic():
        schedule = (
            ScheduledPublication.objects.select_for_update()
            .filter(meeting=meeting, status=Status.SCHEDULED)
            .first()
        )
        if schedule is None:
            return None
        schedule.status = Status.CANCELLED
        schedule.cancelled_by = by
        schedule.finished_at = clock.now()
        schedule.save(update_fields=["status", "cancelled_by", "finished_at"])
    return schedule


# On the day ----------------------------------------------------------------------------------


def publish_due_packs(*, today: datetime.date | None = None) -> list[ScheduledPublication]:
    """Run every scheduled publication due by `today` (default: today); what became of each."""
    today = today or clock.localdate()
    due = ScheduledPublication.objects.filter(status=Status.SCHEDULED, publish_on__lte=today)
    done = []
    for schedule_id in due.order_by("publish_on", "pk").values_list("pk", flat=True):
        outcome = run_scheduled(schedule_id, today=today)
        if outcome is not None:
            done.append(outcome)
    return done


def run_scheduled(
    schedule_id: int, *, today: datetime.date | None = None
) -> ScheduledPublication | None:
    """Publish one scheduled pack if it is due and still waiting, then tell the clerks. None if
    it is not due, or was cancelled, or another run has it."""
    today = today or clock.localdate()
    try:
        with transaction.atomic():
            schedule = _claim(schedule_id, today)
            if schedule is None:
                return None
            _publish_or_hold(schedule)
    except Exception as error:  # recorded and told; nothing was published
        logger.exception("Scheduled publication %s failed", schedule_id)
        schedule = _failed(schedule_id, today, error)
        if schedule is None:
            return None
    _tell_clerks(schedule)
    return schedule


def _failed(
    schedule_id: int, today: datetime.date, error: Exception
) -> ScheduledPublication | None:
    """Record the failure on a publication that was due (the transaction that had claimed it is
    gone, so it is claimed again)."""
    with transaction.atomic():
        schedule = _claim(schedule_id, today)
        if schedule is None:
            return None
        schedule.status = Status.FAILED
        schedule.finished_at = clock.now()
        schedule.outcome = (
            f"The pack could not be published: {_error_text(error)} Nothing was published; "
            "publish it from its readiness page."
        )
        schedule.save(update_fields=["status", "finished_at", "outcome"])
    return schedule


def _claim(schedule_id: int, today: datetime.date) -> ScheduledPublication | None:
    return (
        ScheduledPublication.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("meeting__committee", "meeting__period", "requested_by")
        .filter(pk=schedule_id, status=Status.SCHEDULED, publish_on__lte=today)
        .first()
    )


def _publish_or_hold(schedule: ScheduledPublication) -> None:
    """Inside the claiming transaction: publish, or record why not."""
    meeting = schedule.meeting
    schedule.finished_at = clock.now()
    since = (
        PackVersion.objects.filter(
            meeting=meeting, published_at__gt=schedule.requested_at, withdrawn_at__isnull=True
        )
        .defer("data", "html")
        .first()
    )
    if since is not None:  # someone published it by hand since: not again
        schedule.status = Status.CANCELLED
        schedule.outcome = (
            f"Not published again: version {since.number} was published on "
            f"{_day(timezone.localdate(since.published_at))}, after this was scheduled."
        )
        schedule.save(update_fields=["status", "finished_at", "outcome"])
        return
    readiness = pack_readiness(meeting)
    if readiness.ready or schedule.not_ready_reason:
        version = services.pack_publish(
            meeting=meeting, by=schedule.requested_by, reason=schedule.not_ready_reason
        )
        schedule.status, schedule.version = Status.PUBLISHED, version
        schedule.outcome = f"Version {version.number} of the pack was published."
        if not readiness.ready:
            schedule.outcome += (
                " It was not ready: " + " ".join(readiness.problems) + " It was published with "
                f"the reason given when it was scheduled: {schedule.not_ready_reason}"
            )
    else:
        schedule.status = Status.NOT_READY
        schedule.outcome = (
            "The pack was not published because it is not ready: "
            + " ".join(readiness.problems)
            + " Publish it from its readiness page once it is ready, or now with a reason."
        )
    schedule.save(update_fields=["status", "version", "finished_at", "outcome"])


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError | PermissionDenied):
        messages = error.messages if isinstance(error, ValidationError) else [str(error)]
        return " ".join(messages)
    return f"{type(error).__name__}: {error}"


# Telling the clerks ----------------------------------------------------------------------------


def _recipients(schedule: ScheduledPublication) -> list[User]:
    """Whoever scheduled it, then the committee's clerks: each once, if they can get mail."""
    people = [schedule.requested_by]
    people += User.objects.filter(
        pk__in=CommitteeDetails.clerks.through.objects.filter(
            committeedetails__committee_id=schedule.meeting.committee_id
        ).values("user_id")
    ).order_by("pk")
    seen, found = set(), []
    for person in people:
        if person.pk not in seen and person.is_active and person.email:
            seen.add(person.pk)
            found.append(person)
    return found


def _subject(schedule: ScheduledPublication) -> str:
    meeting = schedule.meeting
    if schedule.status == Status.PUBLISHED:
        return f"Published: the report pack for {meeting}"
    if schedule.status == Status.CANCELLED:
        return f"Already published: the report pack for {meeting}"
    if schedule.status == Status.NOT_READY:
        return f"Not published, not ready: the report pack for {meeting}"
    return f"Not published, it failed: the report pack for {meeting}"


def _body(schedule: ScheduledPublication, person: User) -> str:
    site = settings.SITE_URL.rstrip("/")
    link = site + reverse("reports:publish", args=[schedule.meeting_id])
    lines = [
        f"Dear {person_name(person)},",
        "",
        f"The report pack for {schedule.meeting} was scheduled by "
        f"{person_name(schedule.requested_by)} to publish on {_day(schedule.publish_on)}.",
        "",
        schedule.outcome,
        "",
    ]
    if schedule.version is not None:
        lines += ["Its public page:", site + schedule.version.get_absolute_url(), ""]
    lines += ["The pack's readiness page:", link, ""]
    lines.append(f"This message was sent by {settings.PRODUCT_NAME}, {settings.COUNCIL_NAME}.")
    return "\n".join(lines) + "\n"


def _tell_clerks(schedule: ScheduledPublication) -> None:
    """E-mail each recipient; record who was told (a failure to send is logged and recorded)."""
    told = []
    try:
        with get_connection() as connection:
            for person in _recipients(schedule):
                EmailMessage(
                    subject=_subject(schedule),
                    body=_body(schedule, person),
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    to=[person.email],
                    connection=connection,
                ).send()
                told.append(person.email)
    except Exception:  # the publication stands; the page shows nobody was told
        logger.exception("Could not e-mail the clerks about scheduled publication %s", schedule.pk)
    when = timezone.localtime(clock.now())
    notified = f"E-mailed {', '.join(told)} on {when:%-d %B %Y at %H:%M}." if told else ""
    ScheduledPublication.objects.filter(pk=schedule.pk).update(
        notified=notified or "Nobody could be e-mailed."
    )
    schedule.notified = notified or "Nobody could be e-mailed."


@task()
def publish_scheduled_pack(schedule_id: int) -> int | None:
    """The background task (django-tasks) queued for the start of the papers date: see
    `run_scheduled`. Returns the version published, if one was."""
    schedule = run_scheduled(schedule_id)
    return schedule.version_id if schedule is not None else None
