import datetime
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from committees.models import Meeting
from committees.tests.factories import CommitteeDetailsFactory, MeetingFactory
from kpis.register.tests.factories import CommitteeFactory
from pmf.tests.table_helpers import aria_sort, row_cells, row_headers
from reports import rendering, services
from reports.models import PackDraft, PackJob, PackVersion, pack_folder
from reports.tests.factories import quarters
from reports.tests.helpers import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(setup):
    return setup[1]


def test_the_committees_clerk_previews_the_pack_as_html_and_pdf_marked_draft(
    client, meeting, pack_clerk, django_capture_on_commit_callbacks
):
    client.force_login(pack_clerk)
    page = client.get(reverse("reports:meeting", args=[meeting.pk])).content.decode()
    assert "Preview the pack" in page and "Check readiness and publish" in page
    assert "Preview PDF: none made yet" in page
    html = client.get(reverse("reports:preview", args=[meeting.pk]))
    assert html.status_code == 200 and "Summary of RAG ratings" in html.content.decode()
    assert '<p class="draft-mark"><strong>DRAFT</strong>' in html.content.decode()
    assert client.get(reverse("reports:preview_pdf", args=[meeting.pk])).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:preview_pdf_request", args=[meeting.pk]))
    page = client.get(reverse("reports:meeting", args=[meeting.pk])).content.decode()
    assert "Download the preview PDF" in page
    pdf = client.get(reverse("reports:preview_pdf", args=[meeting.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "Summary of RAG ratings" in pdf_text(pdf.content)
    assert not PackVersion.objects.exists()  # previews publish nothing
    assert "The pack has not been generated yet." in page  # nor show among generations


def test_councillors_and_officers_read_published_versions_but_are_refused_previews(
    client, meeting, viewer, owner, clerk, django_capture_on_commit_callbacks
):
    for user in (viewer, owner, clerk):  # the standing clerk clerks another committee
        client.force_login(user)
        page = client.get(reverse("reports:meeting", args=[meeting.pk])).content.decode()
        assert "Preview the pack" not in page and "Check readiness and publish" not in page
        for name in ("reports:preview", "reports:preview_pdf"):
            assert client.get(reverse(name, args=[meeting.pk])).status_code == 403
        with django_capture_on_commit_callbacks(execute=True):
            refused = client.post(reverse("reports:preview_pdf_request", args=[meeting.pk]))
        assert refused.status_code == 403
    assert not PackJob.objects.exists()


def test_a_preview_asked_for_twice_is_made_once_and_only_the_latest_file_is_kept(
    client, meeting, pack_clerk, settings, django_capture_on_commit_callbacks
):
    client.force_login(pack_clerk)
    url = reverse("reports:preview_pdf_request", args=[meeting.pk])
    client.post(url)
    client.post(url)  # a double submit while the first is queued
    assert PackJob.objects.filter(preview=True).count() == 1
    services.run_job(PackJob.objects.get().pk)
    first = PackJob.objects.get().preview_pdf.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    latest = PackJob.objects.filter(preview=True).first()
    assert latest.status == PackJob.Status.DONE and latest.preview_pdf.name != first
    folder = Path(settings.MEDIA_ROOT) / pack_folder(meeting.pk) / "previews"
    kept = Path(latest.preview_pdf.name)
    assert sorted(p.name for p in folder.iterdir()) == [kept.with_suffix(".docx").name, kept.name]


def test_the_clerk_publishes_a_ready_pack_in_the_background_and_sees_the_result(
    client, meeting, pack_clerk, django_capture_on_commit_callbacks
):
    client.force_login(pack_clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:publish", args=[meeting.pk]))
    assert response.status_code == 302
    job = PackJob.objects.get()
    assert job.status == PackJob.Status.DONE and job.version.number == 1
    page = client.get(reverse("reports:meeting", args=[meeting.pk])).content.decode()
    assert "Published" in page and "Version 1" in page and job.version.sha256 in page


def test_a_failed_generation_shows_its_error_and_can_be_retried(
    client, meeting, pack_clerk, monkeypatch, django_capture_on_commit_callbacks
):
    client.force_login(pack_clerk)

    def broken(html):
        raise RuntimeError("the layout engine fell over")

    monkeypatch.setattr(rendering, "html_to_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:publish", args=[meeting.pk]))
    job = PackJob.objects.get()
    assert job.status == PackJob.Status.FAILED
    assert "the layout engine fell over" in job.error
    assert not PackVersion.objects.exists()
    page = client.get(reverse("reports:meeting", args=[meeting.pk])).content.decode()
    assert "the layout engine fell over" in page and "Try again" in page
    assert reverse("reports:publish", args=[meeting.pk]) in page

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:publish", args=[meeting.pk]))
    assert PackJob.objects.filter(status=PackJob.Status.DONE).count() == 1
    assert PackVersion.objects.get().number == 1


def test_a_generation_whose_worker_died_shows_as_stopped_and_can_be_tried_again(
    client, meeting, pack_clerk, settings, django_capture_on_commit_callbacks
):
    started = timezone.now() - datetime.timedelta(seconds=settings.PACK_JOB_TIMEOUT + 60)
    lost = PackJob.objects.create(
        meeting=meeting, requested_by=pack_clerk, status=PackJob.Status.RUNNING, started_at=started
    )
    client.force_login(pack_clerk)
    page = client.get(reverse("reports:meeting", args=[meeting.pk])).content.decode()
    assert "Stopped" in page and "Nothing was published" in page and "Try again" in page

    left_behind = Path(settings.MEDIA_ROOT) / pack_folder(meeting.pk) / "half-written.pdf"
    left_behind.parent.mkdir(parents=True)
    left_behind.write_bytes(b"%PDF-1.7 cut short")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:publish", args=[meeting.pk]))
    lost.refresh_from_db()
    assert lost.status == PackJob.Status.FAILED and lost.error == services.STALLED_ERROR
    published = PackVersion.objects.get()
    assert published.number == 1
    assert not left_behind.exists()  # the dead worker's file, referred to by no version
    kept = Path(published.pdf.name)  # the version's PDF and its Word document
    assert sorted(p.name for p in left_behind.parent.iterdir()) == [
        kept.with_suffix(".docx").name,
        kept.name,
    ]


def test_a_generation_still_within_its_time_is_left_running(meeting, pack_clerk):
    running = PackJob.objects.create(
        meeting=meeting,
        requested_by=pack_clerk,
        status=PackJob.Status.RUNNING,
        started_at=timezone.now(),
    )
    assert services.pack_jobs_fail_stalled() == 0
    running.refresh_from_db()
    assert running.status == PackJob.Status.RUNNING and not running.is_stalled


def test_generate_all_packs_for_a_period_queues_one_job_per_meeting(
    client, setup, gp, django_capture_on_commit_callbacks
):
    import datetime

    from committees.models import Meeting

    committee, meeting, _, history = setup
    other = Meeting.objects.create(
        committee=committee, date=datetime.date(2026, 7, 20), period=history[-1]
    )
    client.force_login(gp)
    page = client.get(reverse("reports:generate_period", args=[history[-1].pk]))
    assert "Publish the ready packs of 2 meetings" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:generate_period", args=[history[-1].pk]))
    assert set(PackJob.objects.values_list("meeting_id", flat=True)) == {meeting.pk, other.pk}
    assert PackVersion.objects.count() == 2


@pytest.mark.parametrize("count", [1, 12])
def test_a_clerk_sees_the_periods_meetings_they_clerk_in_a_fixed_number_of_queries(
    client, pack_clerk, count, django_assert_max_num_queries
):
    period = quarters(1)[0]
    for n in range(count):
        clerked = CommitteeFactory(name=f"Committee {n:02d}")
        CommitteeDetailsFactory(committee=clerked, clerks=[pack_clerk])
        Meeting.objects.create(committee=clerked, date=datetime.date(2026, 7, n + 1), period=period)
    Meeting.objects.create(
        committee=CommitteeFactory(name="Not theirs"), date=datetime.date(2026, 7, 1), period=period
    )
    client.force_login(pack_clerk)
    url = reverse("reports:generate_period", args=[period.pk])
    with django_assert_max_num_queries(6):
        page = client.get(url).content.decode()
    assert f"Publish the ready packs of {count} meeting" in page and "Not theirs" not in page


def test_an_outsider_cannot_generate_edit_or_withdraw(client, meeting, clerk, viewer):
    for user in (clerk, viewer):  # the standing clerk clerks another committee
        client.force_login(user)
        assert client.post(reverse("reports:publish", args=[meeting.pk])).status_code == 403
        edit = reverse("reports:edit", args=[meeting.pk])
        assert client.post(edit, {"to": "Hacked", "from_text": "x"}).status_code == 403
    assert not PackJob.objects.exists() and not PackDraft.objects.exists()


def test_editing_the_narrative_with_bad_input_shows_errors_and_saves_nothing(
    client, meeting, pack_clerk
):
    client.force_login(pack_clerk)
    url = reverse("reports:edit", args=[meeting.pk])
    page = client.get(url).content.decode()
    assert "Strategy Committee" in page  # the default "To"
    response = client.post(url, {"to": "", "from_text": ""})
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body
    assert not PackDraft.objects.exists()


def test_editing_the_narrative_changes_the_preview(client, meeting, pack_clerk):
    client.force_login(pack_clerk)
    client.post(
        reverse("reports:edit", args=[meeting.pk]),
        {
            "to": "Strategy Committee",
            "from_text": "Director of Resources",
            "electoral_divisions": "All",
            "key_decision": "No",
            "forward_plan_ref": "Not applicable",
            "outcome": "Consider performance.",
            "recommendations": "Note the report.",
            "background": "<script>x</script>Background written by the clerk.",
            "exception_mode": "on",
        },
    )
    draft = PackDraft.objects.get()
    assert draft.exception_mode and draft.updated_by == pack_clerk
    html = client.get(reverse("reports:preview", args=[meeting.pk])).content.decode()
    assert "Background written by the clerk." in html and "<script>x" not in html
    assert "Indicators by exception" in html


def test_withdrawing_needs_a_reason(client, meeting, pack_clerk):
    from reports import services

    services.pack_publish(meeting=meeting, by=pack_clerk)
    client.force_login(pack_clerk)
    url = reverse("reports:withdraw", args=[meeting.pk, 1])
    response = client.post(url, {"reason": ""})
    assert (
        response.status_code == 200
        and "Enter why the pack is withdrawn." in response.content.decode()
    )
    assert not PackVersion.objects.get().is_withdrawn
    assert client.post(url, {"reason": "Superseded"}).status_code == 302
    assert PackVersion.objects.get().withdrawn_reason == "Superseded"


def _published(meeting, by, count: int) -> None:
    """`count` versions and the jobs that made them, the first a minute apart from the next."""
    start = timezone.now() - datetime.timedelta(days=1)
    for n in range(count):
        version = PackVersion.objects.create(
            meeting=meeting,
            number=n + 1,
            data={},
            html="",
            pdf=f"pack-{n + 1}.pdf",
            sha256="0" * 64,
            published_by=by,
            published_at=start + datetime.timedelta(minutes=n),
        )
        job = PackJob.objects.create(meeting=meeting, requested_by=by, version=version)
        PackJob.objects.filter(pk=job.pk).update(
            status=PackJob.Status.DONE, requested_at=version.published_at
        )


@pytest.fixture
def bare_meeting(db):
    """A meeting with a period but no KPIs: its pack page lists only what is made here."""
    return MeetingFactory(committee=CommitteeFactory(), period=quarters(1)[0])


def test_the_pack_pages_tables_sort_and_page_each_on_its_own(client, bare_meeting, gp):
    _published(bare_meeting, gp, 12)
    client.force_login(gp)
    url = reverse("reports:meeting", args=[bare_meeting.pk])
    html = client.get(url).content.decode()
    jobs, versions = html.split("Published versions</h2>")
    assert row_headers(versions)[:2] == ["12", "11"]  # newest first, all twelve
    assert "Version 12" in row_cells(jobs)[0] and "Showing 1 to 10 of 12" in jobs
    assert aria_sort(jobs, "Requested") == "descending"
    html = client.get(url, {"versions-sort": "number", "jobs-page": 2}).content.decode()
    jobs, versions = html.split("Published versions</h2>")
    assert row_headers(versions)[:2] == ["1", "2"]
    assert aria_sort(versions, "Version") == "ascending"
    assert "Version 2" in row_cells(jobs)[0] and "Showing 11 to 12 of 12" in jobs
    assert "?versions-sort=number&amp;jobs-page=1" in jobs


@pytest.mark.parametrize("count", [1, 12])
def test_the_pack_page_is_a_fixed_number_of_queries(
    client, bare_meeting, gp, count, django_assert_max_num_queries
):
    _published(bare_meeting, gp, count)
    client.force_login(gp)
    url = reverse("reports:meeting", args=[bare_meeting.pk])
    for query in ({}, {"versions-sort": "-published_at", "jobs-sort": "requested_by"}):
        with django_assert_max_num_queries(11):
            assert client.get(url, query).status_code == 200


def test_the_periods_meetings_sort_by_committee(client, gp):
    period = quarters(1)[0]
    for name, day in (("Beta", 1), ("Alpha", 2), ("Gamma", 3)):
        Meeting.objects.create(
            committee=CommitteeFactory(name=name), date=datetime.date(2026, 7, day), period=period
        )
    client.force_login(gp)
    url = reverse("reports:generate_period", args=[period.pk])
    html = client.get(url).content.decode()
    assert row_headers(html) == ["Beta", "Alpha", "Gamma"]  # by the meeting's date
    assert aria_sort(html, "Meeting") == "ascending"
    html = client.get(url, {"sort": "-committee"}).content.decode()
    assert row_headers(html) == ["Gamma", "Beta", "Alpha"]
    assert aria_sort(html, "Committee") == "descending"
    assert row_headers(client.get(url, {"sort": "committee"}).content.decode())[0] == "Alpha"
