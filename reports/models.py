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
    outcome = models.TextField(blank=True)
    recommendations = models.TextField(
        blank=True, help_text="One recommendation a line; they are lettered a), b), c) …"
    )
    officer_contact = models.TextField("officer contact", blank=True)
    member_contacts = models.TextField("member contacts", blank=True)
    background = models.TextField(blank=True)
    alignment = models.TextField("alignment with corporate priorities", blank=True)
    implications = models.TextField("significant implications", blank=True)
    source_documents = models.TextField("source documents", blank=True)
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
    withdrawn_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["meeting", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="one_pack_version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} pack, version {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("published:version", args=[self.meeting_id, self.number])

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


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
