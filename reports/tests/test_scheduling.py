"""A pack scheduled to publish on its papers date: published then by the command a cron runs (or
the worker's deferred task), after that day's readiness check, and the clerk told by e-mail."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from committees.models import Meeting
from kpis.reporting.models import Measurement, ReportingPeriod
from pmf.tests.factories import UserFactory
from reports import scheduling, selectors
from reports.models import PackVersion, ScheduledPublication

pytestmark = pytest.mark.django_db
Status = ScheduledPublication.Status
REASON = "Members asked for the figures as they stand."
DAY = datetime.timedelta(days=1)


@pytest.fixture
def upcoming(setup):
    """The pack's meeting in a fortnight, its papers due in a week."""
    today = timezone.localdate()
    Meeting.objects.filter(pk=setup[1].pk).update(
        date=today + 14 * DAY, papers_published_on=today + 7 * DAY
    )
    return selectors.meeting_for_pack(setup[1].pk)


def _publish_due(day: datetime.date) -> str:
    out = StringIO()
    call_command("publish_scheduled_packs", "--today", day.isoformat(), stdout=out)
    return out.getvalue()


def _hold_back(meeting) -> None:
    """One of the pack's values sent back to its owner: the pack is not ready."""
    value = Measurement.objects.filter(period=meeting.period).order_by("kpi__reference").first()
    Measurement.objects.filter(pk=value.pk).update(status=Measurement.Status.RETURNED)


def test_the_clerk_schedules_it_and_the_command_publishes_it_on_the_papers_date(
    client, upcoming, pack_clerk, mailoutbox, django_capture_on_commit_callbacks
):
    papers = upcoming.papers_published_on
    client.force_login(pack_clerk)
    url = reverse("reports:publish", args=[upcoming.pk])
    assert f"Schedule for {papers:%-d %B %Y}" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:schedule", args=[upcoming.pk]), follow=True)
    assert f"The pack will be published on {papers:%-d %B %Y}" in response.content.decode()
    schedule = ScheduledPublication.objects.get()
    assert (schedule.status, schedule.publish_on, schedule.requested_by) == (
        Status.SCHEDULED,
        papers,
        pack_clerk,
    )
    assert "Cancel the scheduled publication" in client.get(url).content.decode()

    assert "Published 0 of 0" in _publish_due(papers - DAY)  # the day before: nothing
    assert not PackVersion.objects.exists() and mailoutbox == []

    output = _publish_due(papers)
    assert "Published 1 of 1 scheduled pack(s) due." in output
    version = PackVersion.objects.get()
    assert version.published_by == pack_clerk and version.was_ready
    schedule.refresh_from_db()
    assert schedule.status == Status.PUBLISHED and schedule.version == version
    assert schedule.outcome == "Version 1 of the pack was published."

    [mail] = mailoutbox
    assert mail.to == [pack_clerk.email]
    assert mail.subject == f"Published: the report pack for {upcoming}"
    assert "Version 1 of the pack was published." in mail.body
    assert version.get_absolute_url() in mail.body
    assert pack_clerk.email in schedule.notified

    assert "Published 0 of 0" in _publish_due(papers)  # running again publishes nothing twice
    assert PackVersion.objects.count() == 1 and len(mailoutbox) == 1


def test_a_pack_not_ready_on_the_day_is_not_published_and_the_clerks_are_told(
    client, upcoming, pack_clerk, setup, mailoutbox
):
    other_clerk = UserFactory(username="second-clerk", roles=["Committee clerk"])
    upcoming.committee.details.clerks.add(other_clerk)
    scheduling.pack_schedule(meeting=upcoming, by=pack_clerk)
    _hold_back(upcoming)

    _publish_due(upcoming.papers_published_on)
    assert not PackVersion.objects.exists()
    schedule = ScheduledPublication.objects.get()
    assert schedule.status == Status.NOT_READY
    assert "7 of 8 values are approved (1 returned)." in schedule.outcome
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted(
        [pack_clerk.email, other_clerk.email]
    )
    assert mailoutbox[0].subject == f"Not published, not ready: the report pack for {upcoming}"
    assert "7 of 8 values are approved (1 returned)." in mailoutbox[0].body
    assert reverse("reports:publish", args=[upcoming.pk]) in mailoutbox[0].body

    client.force_login(pack_clerk)
    page = client.get(reverse("reports:publish", args=[upcoming.pk])).content.decode()
    assert "Not published: not ready" in page and "7 of 8 values are approved" in page


def test_a_pack_scheduled_with_a_reason_is_published_on_the_day_even_if_not_ready(
    client, upcoming, pack_clerk, mailoutbox
):
    scheduling.pack_schedule(meeting=upcoming, by=pack_clerk, reason=REASON)
    ReportingPeriod.objects.filter(pk=upcoming.period_id).update(state=ReportingPeriod.State.OPEN)

    _publish_due(upcoming.papers_published_on)
    version = PackVersion.objects.get()
    assert version.not_ready_reason == REASON
    schedule = ScheduledPublication.objects.get()
    assert schedule.status == Status.PUBLISHED
    assert "It was not ready: 2025/26 Q4 is open for entry." in schedule.outcome
    assert REASON in mailoutbox[0].body
    page = client.get(version.get_absolute_url()).content.decode()
    assert f"Reason given: {REASON}" in page


def test_a_cancelled_publication_is_not_published(client, upcoming, pack_clerk, mailoutbox):
    scheduling.pack_schedule(meeting=upcoming, by=pack_clerk)
    client.force_login(pack_clerk)
    response = client.post(reverse("reports:schedule_cancel", args=[upcoming.pk]), follow=True)
    assert "The scheduled publication is cancelled." in response.content.decode()
    assert ScheduledPublication.objects.get().status == Status.CANCELLED
    _publish_due(upcoming.papers_published_on)
    assert not PackVersion.objects.exists() and mailoutbox == []


def test_a_pack_published_by_hand_since_it_was_scheduled_is_not_published_again(
    upcoming, pack_clerk, mailoutbox
):
    from reports import services

    scheduling.pack_schedule(meeting=upcoming, by=pack_clerk)
    services.pack_publish(meeting=upcoming, by=pack_clerk)
    _publish_due(upcoming.papers_published_on)
    assert PackVersion.objects.count() == 1
    schedule = ScheduledPublication.objects.get()
    assert schedule.status == Status.CANCELLED
    assert schedule.outcome.startswith("Not published again: version 1 was published on")
    assert mailoutbox[0].subject == f"Already published: the report pack for {upcoming}"


def test_a_pack_is_scheduled_once_and_not_for_a_papers_date_that_has_passed(
    client, upcoming, pack_clerk
):
    client.force_login(pack_clerk)
    url = reverse("reports:schedule", args=[upcoming.pk])
    assert client.post(url).status_code == 302
    again = client.post(url).content.decode()
    assert "The pack is already scheduled to publish: cancel that first" in again
    assert ScheduledPublication.objects.count() == 1

    Meeting.objects.filter(pk=upcoming.pk).update(papers_published_on=timezone.localdate() - DAY)
    ScheduledPublication.objects.update(status=Status.CANCELLED)
    page = client.post(url).content.decode()
    assert "There is a problem" in page and "has passed: publish the pack now instead." in page
    assert ScheduledPublication.objects.filter(status=Status.SCHEDULED).count() == 0


def test_officers_and_councillors_cannot_schedule(client, upcoming, owner, viewer):
    for user in (owner, viewer):
        with pytest.raises(PermissionDenied):
            scheduling.pack_schedule(meeting=upcoming, by=user)
        client.force_login(user)
        assert client.post(reverse("reports:schedule", args=[upcoming.pk])).status_code == 403
    assert not ScheduledPublication.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_publishes_a_pack_due_today_and_waits_for_one_due_later(
    setup, pack_clerk, settings, mailoutbox
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    today = timezone.localdate()
    due = selectors.meeting_for_pack(setup[1].pk)
    Meeting.objects.filter(pk=due.pk).update(date=today + 7 * DAY, papers_published_on=today)
    later = Meeting.objects.create(
        committee=due.committee, date=today + 21 * DAY, period=due.period
    )
    for meeting in (due, later):
        scheduling.pack_schedule(meeting=selectors.meeting_for_pack(meeting.pk), by=pack_clerk)
    assert all(s.task_id for s in ScheduledPublication.objects.all())  # queued, deferred

    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay")
    published = ScheduledPublication.objects.get(meeting=due)
    waiting = ScheduledPublication.objects.get(meeting=later)
    assert published.status == Status.PUBLISHED and published.version.number == 1
    assert waiting.status == Status.SCHEDULED and waiting.version is None
    assert [mail.subject for mail in mailoutbox] == [
        f"Published: the report pack for {published.meeting}"
    ]
