"""Writes for committee packs: the narrative, publishing frozen versions, withdrawing, jobs.

Who: G&P and the clerks named for the meeting's committee generate, edit, preview, publish and
withdraw. Publishing goes through the readiness check (reports.readiness): a pack that is not
ready is published only with a reason, stored with the version.

Publishing takes the meeting row with SELECT … FOR UPDATE while it allocates the next version
number, and (meeting, number) is unique, so two workers building packs for the same meeting at
once make versions 1 and 2, never two version 1s; a job is claimed with a conditional UPDATE, so
a job that two workers pick up builds one version only.

Each PDF has its Word document beside it (the same name, `.docx`): a preview job makes both from
the same data; a published version's is made from its frozen data once the version is published
(by its job, or on the first download if that failed or came first), then kept.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django_tasks import task

from committees.models import Meeting
from pmf import clock
from pmf.fields import too_long
from pmf.models import User
from reports import rendering, selectors, word
from reports.models import (
    VERSION_TEXT_LENGTHS,
    PackDraft,
    PackJob,
    PackVersion,
    pack_folder,
    word_name,
)
from reports.readiness import Readiness, pack_readiness

logger = logging.getLogger(__name__)


def _require_manager(user: User, meeting: Meeting) -> None:
    if not user.has_perm("reports.manage_packs", meeting):
        raise PermissionDenied("Only G&P or this committee's clerk can manage its packs.")


def pack_draft_save(*, draft: PackDraft, by: User) -> PackDraft:
    _require_manager(by, draft.meeting)
    draft.full_clean()
    draft.updated_by = by
    draft.save()
    return draft


NOT_READY = "The pack is not ready to publish: {problems} Enter why it should be published now."


def require_reason_unless_ready(readiness: Readiness, reason: str) -> None:
    """A pack that is not ready is published only with a reason."""
    if not readiness.ready and not reason.strip():
        problems = " ".join(readiness.problems)
        raise ValidationError({"reason": NOT_READY.format(problems=problems)})


@transaction.atomic
def pack_publish(*, meeting: Meeting, by: User, reason: str = "") -> PackVersion:
    """Build the pack from live data now and freeze it as the meeting's next version, after the
    readiness check: a pack that is not ready needs `reason`, which is stored with the version
    and shown on its public page. A ready pack stores no reason."""
    _require_manager(by, meeting)
    # Lock the meeting: versions for one meeting are numbered one at a time.
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("committee", "period")
        .get(pk=meeting.pk)
    )
    readiness = pack_readiness(meeting)
    require_reason_unless_ready(readiness, reason)
    data = selectors.pack_data(meeting)
    html = rendering.render_html(data, draft=False)
    pdf = rendering.html_to_pdf(html).pdf
    number = (PackVersion.objects.filter(meeting=meeting).aggregate(n=Max("number"))["n"] or 0) + 1
    version = PackVersion(
        meeting=meeting,
        number=number,
        exception_mode=data["exception_mode"],
        data=data,
        html=html,
        pdf_size=len(pdf),
        sha256=hashlib.sha256(pdf).hexdigest(),
        published_by=by,
        published_at=clock.now(),
        readiness=readiness.record(),
        not_ready_reason="" if readiness.ready else reason.strip(),
    )
    version.pdf.save(_filename(meeting, number), ContentFile(pdf), save=False)
    version.save()
    return version


def _filename(meeting: Meeting, number: int) -> str:
    short = "".join(c if c.isalnum() else "-" for c in meeting.committee.short_name).lower()
    return f"{short}-{meeting.date:%Y-%m-%d}-pack-v{number}.pdf"


def pack_withdraw(*, version: PackVersion, by: User, reason: str) -> PackVersion:
    _require_manager(by, version.meeting)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the pack is withdrawn."})
    if message := too_long("The reason", reason, VERSION_TEXT_LENGTHS["withdrawn_reason"]):
        raise ValidationError({"reason": message})
    with transaction.atomic():
        version = PackVersion.objects.select_for_update().get(pk=version.pk)
        if version.is_withdrawn:
            raise ValidationError({"reason": "This version has already been withdrawn."})
        version.withdrawn_at = timezone.now()
        version.withdrawn_by = by
        version.withdrawn_reason = reason
        version.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    return version


# Background generation -----------------------------------------------------------------------


def pack_request(*, meeting: Meeting, by: User, reason: str = "") -> PackJob:
    """Queue the generation (and publication) of a new version, once the pack is ready or with
    `reason` (checked again when it is built); runs inline with the immediate backend, in a
    `db_worker` with the database backend."""
    pack_jobs_fail_stalled()
    _require_manager(by, meeting)
    if meeting.period_id is None:
        raise ValidationError("Set the reporting period this meeting considers first.")
    require_reason_unless_ready(pack_readiness(meeting), reason)
    return _queue_pack(meeting=meeting, by=by, reason=reason.strip())


def _queue_pack(*, meeting: Meeting, by: User, reason: str = "") -> PackJob:
    job = PackJob.objects.create(meeting=meeting, requested_by=by, not_ready_reason=reason)
    # Enqueue once the job row is committed, so a worker can always see it.
    transaction.on_commit(lambda: _enqueue(generate_pack, job))
    return job


def _enqueue(task, job: PackJob) -> None:
    try:
        result = task.enqueue(job.pk)
    except Exception as error:  # the queue itself failed: show it on the page, allow a retry
        logger.exception("Could not queue pack job %s", job.pk)
        PackJob.objects.filter(pk=job.pk).update(
            status=PackJob.Status.FAILED, error=f"Could not queue: {error}"
        )
        return
    PackJob.objects.filter(pk=job.pk).update(task_id=str(result.id))


def pack_preview_request(*, meeting: Meeting, by: User) -> PackJob:
    """Queue a PDF of the pack from live data, not published and marked DRAFT (G&P and the
    committee's clerks). While one is queued or being made for the meeting, asking again
    returns that one."""
    if not by.has_perm("reports.preview_packs", meeting):
        raise PermissionDenied("Only G&P or this committee's clerk can preview its pack.")
    pack_jobs_fail_stalled()
    if meeting.period_id is None:
        raise ValidationError("Set the reporting period this meeting considers first.")
    pending = PackJob.objects.filter(
        meeting=meeting, preview=True, status__in=[PackJob.Status.QUEUED, PackJob.Status.RUNNING]
    ).first()
    if pending is not None:
        return pending
    job = PackJob.objects.create(meeting=meeting, requested_by=by, preview=True)
    transaction.on_commit(lambda: _enqueue(generate_pack, job))
    return job


def pack_request_period(*, period_id: int, by: User) -> tuple[list[PackJob], list[Meeting]]:
    """One job per meeting considering the period whose pack is ready (only meetings `by` may
    manage); the meetings whose packs are not ready are left for their own readiness pages,
    where a reason can be given."""
    pack_jobs_fail_stalled()
    jobs, not_ready = [], []
    for meeting in selectors.meetings_in_period(period_id):
        if not by.has_perm("reports.manage_packs", meeting):
            continue
        if pack_readiness(meeting).ready:
            jobs.append(_queue_pack(meeting=meeting, by=by))
        else:
            not_ready.append(meeting)
    return jobs, not_ready


STALLED_ERROR = (
    "The generation stopped before it finished (its worker was stopped or restarted). "
    "Nothing was published. Try again."
)


def pack_jobs_fail_stalled() -> int:
    """Mark as failed the jobs whose worker died mid-generation; how many there were.

    A pack is published in one transaction, so a worker killed part-way has published nothing;
    only its job row is left saying "running", and perhaps the PDF file it had written.
    """
    stalled = PackJob.objects.filter(
        status=PackJob.Status.RUNNING, started_at__lt=PackJob.stalled_before()
    )
    meeting_ids = set(stalled.values_list("meeting_id", flat=True))
    count = stalled.update(
        status=PackJob.Status.FAILED, finished_at=timezone.now(), error=STALLED_ERROR
    )
    for meeting_id in meeting_ids:
        _remove_unpublished_files(meeting_id)
    return count


@transaction.atomic
def _remove_unpublished_files(meeting_id: int) -> None:
    """Delete the meeting's PDF files that no version refers to, unless a publication for the
    meeting is under way (it holds the meeting's row lock from before it writes its file)."""
    if not Meeting.objects.select_for_update(skip_locked=True).filter(pk=meeting_id).exists():
        return
    folder = pack_folder(meeting_id)
    storage = PackVersion.pdf.field.storage
    try:
        _, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    pdfs = PackVersion.objects.filter(meeting_id=meeting_id).values_list("pdf", flat=True)
    published = {*pdfs, *(word_name(pdf) for pdf in pdfs)}
    for name in files:
        path = f"{folder}/{name}"
        if path not in published:
            storage.delete(path)
            logger.warning("Removed %s, written by a pack generation that never finished", path)


def run_job(job_id: int) -> int | None:
    """Build and publish the job's version, or make its preview PDF. Returns the version id
    (None for a preview, or if another worker already took the job). Errors are recorded on the
    job (and raised for the task's result)."""
    pack_jobs_fail_stalled()
    claimed = PackJob.objects.filter(pk=job_id, status=PackJob.Status.QUEUED).update(
        status=PackJob.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    job = PackJob.objects.select_related("meeting__committee", "requested_by").get(pk=job_id)
    try:
        if job.preview:
            _make_preview(job)
            return None
        with transaction.atomic():
            version = pack_publish(
                meeting=job.meeting, by=job.requested_by, reason=job.not_ready_reason
            )
            job.version = version
            job.status = PackJob.Status.DONE
            job.finished_at = timezone.now()
            job.save(update_fields=["version", "status", "finished_at"])
    except Exception as error:
        PackJob.objects.filter(pk=job_id).update(
            status=PackJob.Status.FAILED, finished_at=timezone.now(), error=_error_text(error)
        )
        raise
    _store_word(version)
    return version.pk


def _error_text(error: Exception) -> str:
    """What a failed job says: a refusal in its own words, anything else with its kind."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)[:2000]
    return f"{type(error).__name__}: {error}"[:2000]


def _store_word(version: PackVersion) -> None:
    """Make the new version's Word document now, so nobody waits for it; the version is published
    whatever becomes of this (its first download makes the document instead)."""
    try:
        pack_word(version)
    except Exception:
        logger.exception("Could not make the Word document of %s", version)


@task()
def generate_pack(job_id: int) -> int | None:
    """The background task (django-tasks) that runs a queued PackJob: see `run_job`."""
    return run_job(job_id)


def _make_preview(job: PackJob) -> None:
    """The PDF and the Word document from the same live data, kept as the meeting's only preview
    (older ones are deleted)."""
    data = selectors.pack_data(job.meeting)
    pdf, docx = rendering.render_pdf(data, draft=True), word.render_docx(data, draft=True)
    older = list(
        PackJob.objects.filter(meeting_id=job.meeting_id, preview=True)
        .exclude(pk=job.pk)
        .exclude(preview_pdf="")
    )
    job.preview_pdf.save(f"preview-{job.pk}.pdf", ContentFile(pdf), save=False)
    _save_word(job.preview_pdf, docx)
    job.status = PackJob.Status.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["preview_pdf", "status", "finished_at"])
    for old in older:
        old.preview_pdf.storage.delete(word_name(old.preview_pdf.name))
        old.preview_pdf.delete(save=True)


# Word documents, kept beside their PDFs ----------------------------------------------------------


def _save_word(pdf: FieldFile, docx: bytes) -> None:
    name = word_name(pdf.name)
    saved = pdf.storage.save(name, ContentFile(docx))
    if saved != name:  # another process stored the same document first: keep that one
        pdf.storage.delete(saved)


def pack_word(version: PackVersion) -> bytes:
    """The version's Word document, made from its frozen data the first time and then kept, so
    it says what members were sent whatever later releases change."""
    storage, name = version.pdf.storage, word_name(version.pdf.name)
    if storage.exists(name):
        with storage.open(name, "rb") as stored:
            return stored.read()
    docx = word.render_docx(version.data)
    _save_word(version.pdf, docx)
    return docx
