"""Committee report packs: the narrative a clerk edits, the frozen published versions, the jobs.

A published `PackVersion` never changes: it holds the data it was built from (JSON), the HTML and
the PDF with its SHA-256. Regenerating makes the next number; every version stays downloadable,
and a withdrawn version keeps its row with who withdrew it, when and why.
"""

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from committees.models import Meeting
from pmf.fields import bounded_text, length_checks

# How long each part of a pack's narrative may be (pmf.fields): a background of several
# paragraphs fits; a pack of megabytes of text does not (it took minutes and gigabytes to render).
DRAFT_TEXT_LENGTHS = {
    "outcome": 2000,
    "recommendations": 5000,
    "officer_contact": 1000,
    "member_contacts": 1000,
    "background": 10000,
    "alignment": 5000,
    "implications": 10000,
    "source_documents": 2000,
}
VERSION_TEXT_LENGTHS = {"withdrawn_reason": 2000, "not_ready_reason": 2000}


class PackDraft(models.Model):
    """The pack's editable narrative for one meeting (defaults come from the committee)."""

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="pack_draft")
    to = models.CharField("to", max_length=300, blank=True)
    from_text = models.CharField("from", max_length=500, blank=True)
    electoral_divisions = models.CharField("electoral divisions", max_length=300, default="All")
    key_decision = models.CharField("key decision", max_length=100, default="No")
    forward_plan_ref = models.CharField(
        "forward plan reference", max_length=100, default="Not applicable"
    )
    outcome = bounded_text(max_length=DRAFT_TEXT_LENGTHS["outcome"], blank=True)
    recommendations = bounded_text(
        max_length=DRAFT_TEXT_LENGTHS["recommendations"],
        blank=True,
        help_text="One recommendation a line; they are lettered a), b), c) …",
    )
    officer_contact = bounded_text(
        "officer contact", max_length=DRAFT_TEXT_LENGTHS["officer_contact"], blank=True
    )
    member_contacts = bounded_text(
        "member contacts", max_length=DRAFT_TEXT_LENGTHS["member_contacts"], blank=True
    )
    background = bounded_text(max_length=DRAFT_TEXT_LENGTHS["background"], blank=True)
    alignment = bounded_text(
        "alignment with corporate priorities",
        max_length=DRAFT_TEXT_LENGTHS["alignment"],
        blank=True,
    )
    implications = bounded_text(
        "significant implications", max_length=DRAFT_TEXT_LENGTHS["implications"], blank=True
    )
    source_documents = bounded_text(
        "source documents", max_length=DRAFT_TEXT_LENGTHS["source_documents"], blank=True
    )
    exception_mode = models.BooleanField(
        "exception report",
        default=False,
        help_text="The body covers only Red and Blue indicators and Amber ones getting worse; "
        "every indicator stays in the appendix.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = length_checks("pack_draft", DRAFT_TEXT_LENGTHS)

    def __str__(self) -> str:
        return f"Pack narrative for {self.meeting}"


def pack_folder(meeting_id: int) -> str:
    """Where a meeting's published PDFs are stored."""
    return f"packs/{meeting_id}"


def word_name(pdf_name: str) -> str:
    """Where the Word document made with a pack's PDF is kept: beside it, with the same name."""
    return pdf_name.removesuffix(".pdf") + ".docx"


def _pdf_path(version: "PackVersion", filename: str) -> str:
    return f"{pack_folder(version.meeting_id)}/{filename}"


def _preview_path(job: "PackJob", filename: str) -> str:
    return f"{pack_folder(job.meeting_id)}/previews/{filename}"


class PackVersion(models.Model):
    """One published, frozen version of a meeting's pack."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="pack_versions")
    number = models.PositiveIntegerField()
    exception_mode = models.BooleanField(default=False)
    data = models.JSONField(help_text="Everything the pack shows, as it was when built.")
    html = models.TextField()
    pdf = models.FileField(upload_to=_pdf_path)
    pdf_size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField("SHA-256 of the PDF", max_length=64)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_reason = bounded_text(max_length=VERSION_TEXT_LENGTHS["withdrawn_reason"], blank=True)
    readiness = models.JSONField(
        default=dict, blank=True, help_text="The pack's readiness when it was published."
    )
    not_ready_reason = bounded_text(
        "why it was published before it was ready",
        max_length=VERSION_TEXT_LENGTHS["not_ready_reason"],
        blank=True,
        help_text="Given by whoever published it; the public page shows it.",
    )

    class Meta:
        ordering = ["meeting", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="one_pack_version_number"),
            *length_checks("pack_version", VERSION_TEXT_LENGTHS),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} pack, version {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("published:version", args=[self.meeting_id, self.number])

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def was_ready(self) -> bool:
        return not self.not_ready_reason


class PackJob(models.Model):
    """A request to generate (and publish) a meeting's pack in the background, or, with
    `preview`, to make a PDF of it from live data that is not published."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Generating"
        DONE = "done", "Published"
        FAILED = "failed", "Failed"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="pack_jobs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    version = models.OneToOneField(
        PackVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="job"
    )
    preview = models.BooleanField(default=False)
    preview_pdf = models.FileField(upload_to=_preview_path, blank=True)
    not_ready_reason = models.TextField(
        blank=True, help_text="Why to publish it even if the pack is not ready."
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"Pack job {self.pk} for {self.meeting}: {self.get_status_display()}"

    @staticmethod
    def stalled_before() -> datetime.datetime:
        """A job still running that started before this has lost its worker."""
        return timezone.now() - datetime.timedelta(seconds=settings.PACK_JOB_TIMEOUT)

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING) and not self.is_stalled

    @property
    def is_stalled(self) -> bool:
        return (
            self.status == self.Status.RUNNING
            and self.started_at is not None
            and self.started_at < self.stalled_before()
        )


class ScheduledPublication(models.Model):
    """A clerk's request to publish the meeting's pack on its papers date, once it passes the
    readiness check then (or, not ready, with the reason given here); the clerk is told either
    way. At most one is waiting for each meeting."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"
        NOT_READY = "not_ready", "Not published: not ready"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="scheduled_publications"
    )
    publish_on = models.DateField("publish on")
    not_ready_reason = models.TextField(
        "if it is not ready on the day, publish it anyway because",
        blank=True,
        help_text="Leave blank to be told instead, and publish it yourself.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.OneToOneField(
        PackVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scheduled_publication",
    )
    outcome = models.TextField(
        blank=True, help_text="What happened on the day, as the clerk was told."
    )
    notified = models.TextField(blank=True, help_text="Who was told by e-mail, and when.")
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting"],
                condition=models.Q(status="scheduled"),
                name="one_scheduled_publication_a_meeting",
            ),
        ]

    def __str__(self) -> str:
        return f"Publication of the pack for {self.meeting} on {self.publish_on}"

    @property
    def is_waiting(self) -> bool:
        return self.status == self.Status.SCHEDULED
