"""Committees' meetings, the KPI change cycle, action trackers and the quarterly audit sample.

`Committee` and `CommitteeMembership` (a committee's KPI set over time) live in the register
(`kpis`); everything here builds on them. Nothing is deleted: a rejected proposal stays on record,
a cancelled meeting keeps its row, and each step of the KPI cycle is recorded with who and when.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from kpis.register.models import Committee, Directorate, Kpi, Priority, Service
from kpis.reporting.models import ReportingPeriod

PAPERS_DAYS_BEFORE = 7


class CommitteeDetails(models.Model):
    """What the register's committee does not hold: its chair, vice-chair and clerks."""

    committee = models.OneToOneField(Committee, on_delete=models.PROTECT, related_name="details")
    chair = models.CharField(max_length=200, blank=True)
    vice_chair = models.CharField("vice-chair", max_length=200, blank=True)
    clerks = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="committees_clerked",
        help_text="Clerks who manage this committee's meetings, decisions and action tracker.",
    )
    reports_after = models.ForeignKey(
        Committee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="considers the report after",
        help_text="A committee that must consider the same quarter's report first "
        "(Audit and Accounts after Strategy, Resources and Performance).",
    )
    history = HistoricalRecords(m2m_fields=[clerks])

    class Meta:
        verbose_name_plural = "committee details"

    def __str__(self) -> str:
        return f"Details of {self.committee}"


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="meetings")
    date = models.DateField()
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name="reporting period considered",
    )
    papers_published_on = models.DateField(
        "papers published on",
        blank=True,
        help_text=f"Leave blank for {PAPERS_DAYS_BEFORE} days before the meeting.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "committee__name"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "date"], name="one_meeting_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.committee.name}, {self.date:%-d %B %Y}"

    def save(self, *args, **kwargs) -> None:
        self._default_papers_date()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("committees:meeting", args=[self.pk])

    def _default_papers_date(self) -> None:
        if self.date and not self.papers_published_on:
            self.papers_published_on = self.date - datetime.timedelta(days=PAPERS_DAYS_BEFORE)

    def clean(self) -> None:
        self._default_papers_date()
        if self.date and self.papers_published_on and self.papers_published_on > self.date:
            raise ValidationError(
                {"papers_published_on": "Papers must be published on or before the meeting date."}
            )


# --- the KPI cycle --------------------------------------------------------------------------


class Proposal(models.Model):
    """A proposal to add, remove or amend a KPI, taken through the framework's stages."""

    class Kind(models.TextChoices):
        ADD = "add", "Add"
        REMOVE = "remove", "Remove"
        AMEND = "amend", "Amend"

    class Stage(models.TextChoices):
        DRAFT = "draft", "Draft"
        QUALITY_CHECKED = "quality_checked", "Quality checked"
        CONSULTED = "consulted", "Consulted"
        EQUALITY_ASSESSED = "equality_assessed", "Equality impact assessed"
        DIRECTOR_APPROVED = "director_approved", "Approved by the director"
        DIRECTOR_REJECTED = "director_rejected", "Rejected by the director"
        DEFERRED = "deferred", "Deferred by the committee"
        COMMITTEE_AGREED = "committee_agreed", "Agreed by the committee"
        COMMITTEE_REJECTED = "committee_rejected", "Rejected by the committee"
        ADOPTED = "adopted", "Adopted"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.DRAFT)
    kpi = models.ForeignKey(
        Kpi,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name="KPI",
        help_text="The KPI to remove or amend. For an addition, the KPI it created once adopted.",
    )
    committees = models.ManyToManyField(Committee, related_name="proposals")
    directorate = models.ForeignKey(Directorate, on_delete=models.PROTECT, related_name="+")
    rationale = models.TextField(
        "rationale for the proposal", help_text="For example: replaces KPI 189 with …"
    )
    changes = models.TextField(
        "what changes", blank=True, help_text="For a removal or amendment: what changes and why."
    )
    retire_kpi = models.BooleanField(
        "retire the KPI",
        default=True,
        help_text="For a removal: retire the KPI from the register, not only from these sets.",
    )
    # The draft KPI (an addition) or its new values (an amendment; blank means unchanged).
    name = models.CharField("KPI name", max_length=300, blank=True)
    description = models.TextField(blank=True)
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    priorities = models.ManyToManyField(Priority, blank=True, related_name="+")
    kpi_rationale = models.TextField("why the KPI matters", blank=True)
    data_source = models.CharField(max_length=300, blank=True)
    unit = models.CharField(max_length=20, choices=Kpi.Unit.choices, blank=True)
    direction = models.CharField(
        "direction for improvement", max_length=10, choices=Kpi.Direction.choices, blank=True
    )
    frequency = models.CharField(
        "reporting frequency", max_length=20, choices=Kpi.Frequency.choices, blank=True
    )
    level = models.CharField(max_length=20, choices=Kpi.Level.choices, blank=True)
    target_kind = models.CharField(
        "target approach", max_length=20, choices=Kpi.TargetKind.choices, blank=True
    )
    perspective = models.CharField(max_length=20, choices=Kpi.Perspective.choices, blank=True)
    metric_category = models.CharField(
        max_length=30, choices=Kpi.MetricCategory.choices, blank=True
    )
    indicator_type = models.CharField(
        "leading or lagging", max_length=10, choices=Kpi.IndicatorType.choices, blank=True
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposals_raised"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    # Each step's record, besides the timeline of events.
    consultation_plan = models.TextField("who is consulted and why", blank=True)
    equality_outcome = models.CharField(max_length=30, blank=True)
    equality_summary = models.TextField("equality impact assessment", blank=True)
    director_reasons = models.TextField("director's reasons", blank=True)
    decision_meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decided_proposals",
        help_text="The meeting that agreed or rejected it.",
    )
    decision_text = models.CharField(max_length=300, blank=True)
    effective_from = models.DateField(null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[committees, priorities])

    class Meta:
        ordering = ["-raised_at", "-pk"]
        indexes = [models.Index(fields=["stage"])]

    def __str__(self) -> str:
        return f"{self.reference}: {self.get_kind_display()} {self.kpi_name}"

    def get_absolute_url(self) -> str:
        return reverse("committees:proposal", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"P{self.pk:04d}" if self.pk else "New proposal"

    @property
    def kpi_name(self) -> str:
        if self.kind == self.Kind.ADD and not self.kpi_id:
            return self.name
        return self.kpi.name if self.kpi_id else self.name

    @property
    def kpi_number(self) -> str:
        return self.kpi.reference if self.kpi_id else "To be assigned"

    @property
    def mapped_service(self) -> Service | None:
        if self.service_id:
            return self.service
        return self.kpi.service if self.kpi_id else None

    @property
    def is_closed(self) -> bool:
        return self.stage in CLOSED_STAGES

    def clean(self) -> None:
        errors = {}
        if self.kind in (self.Kind.REMOVE, self.Kind.AMEND) and not self.kpi_id:
            errors["kpi"] = "Select the KPI to remove or amend."
        if self.kind == self.Kind.ADD and not self.kpi_id:
            for name in ("name", "unit", "direction", "frequency", "level", "target_kind"):
                if not getattr(self, name):
                    label = self._meta.get_field(name).verbose_name
                    errors[name] = f"Enter the new KPI's {label}."
        if self.kind == self.Kind.AMEND and not self.changes:
            errors["changes"] = "Say what changes."
        if (
            self.service_id
            and self.directorate_id
            and self.service.directorate_id != (self.directorate_id)
        ):
            errors["service"] = "This service belongs to another directorate."
        if errors:
            raise ValidationError(errors)


CLOSED_STAGES = {
    Proposal.Stage.DIRECTOR_REJECTED,
    Proposal.Stage.COMMITTEE_REJECTED,
    Proposal.Stage.ADOPTED,
}


class ProposalEvent(models.Model):
    """One step of a proposal's cycle: the stage it reached, who took it and when."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="events")
    stage = models.CharField(max_length=20, choices=Proposal.Stage.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="proposal_events"
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.proposal.reference} {self.get_stage_display()}"


class QualityCheck(models.Model):
    """The answer to one question of the framework's quality standards for a draft."""

    class Criterion(models.TextChoices):
        RELEVANT = "relevant", "Relevant"
        RELIABLE = "reliable", "Reliable"
        CLEAR = "clear", "Clear"
        FIT_FOR_USE = "fit_for_use", "Fit for use"
        BALANCED = "balanced", "Balanced"
        COMPARATOR = "comparator", "There is a comparator"
        CALCULATIONS = "calculations", "The calculations are accurate"
        ASSET_REGISTER = "asset_register", "The data is in the information asset register"
        RECENT = "recent", "The data is sufficiently recent"
        TIME_SERIES = "time_series", "A time series is available if needed"
        SUITE_BALANCED = (
            "suite_balanced",
            (
                "The KPI suite stays balanced (leading and lagging, financial and non-financial) "
                "and of an optimal size"
            ),
        )
        TARGET = "target", "Any target is appropriate and unlikely to cause bias"
        SMART = "smart", "SMART: specific, measurable, achievable, relevant, timely"

    class Answer(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        NOT_APPLICABLE = "na", "Not applicable"

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="quality_checks")
    criterion = models.CharField(max_length=20, choices=Criterion.choices)
    answer = models.CharField(max_length=3, choices=Answer.choices)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "criterion"], name="one_answer_each")
        ]

    def __str__(self) -> str:
        return f"{self.get_criterion_display()}: {self.get_answer_display()}"


class Consultation(models.Model):
    """Who was consulted on a proposal, and what they said."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="consultations")
    consultee = models.CharField(max_length=200)
    response = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.consultee


class CommitteeDecision(models.Model):
    """A committee's decision on a proposal at a meeting. A deferral is followed by another."""

    class Outcome(models.TextChoices):
        AGREED = "agreed", "Agreed"
        REJECTED = "rejected", "Rejected"
        DEFERRED = "deferred", "Deferred"

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="decisions")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "meeting"], name="one_decision_a_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.proposal.reference} {self.get_outcome_display()} at {self.meeting}"


# --- action trackers ------------------------------------------------------------------------


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    OVERDUE = "overdue", "Overdue"
    ACHIEVED = "achieved", "Achieved"


class ActionItem(models.Model):
    """A row of a committee's action tracker (Ref · Action · Milestone · Lead officer · …)."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="actions")
    reference = models.CharField(max_length=20, help_text="For example F.12.")
    action = models.TextField()
    milestone = models.CharField(max_length=300, blank=True)
    lead_officer = models.CharField("lead officer(s)", max_length=300, blank=True)
    success_criteria = models.TextField(blank=True)
    baseline = models.TextField("baseline position", blank=True)
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    target_date = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["committee__name", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "reference"], name="unique_action_ref")
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.action[:60]}"


class ActionUpdate(models.Model):
    """The lead officer's update on an action, with the status it reported."""

    item = models.ForeignKey(ActionItem, on_delete=models.PROTECT, related_name="updates")
    written_on = models.DateField()
    status = models.CharField(max_length=12, choices=ActionStatus.choices)
    text = models.TextField("update")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-written_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.item.reference} {self.written_on}"


# --- the quarterly audit sample -------------------------------------------------------------


class Audit(models.Model):
    """G&P's sample of one committee's KPI set for a locked period: the KPIs whose value was
    queried at entry first, then a random draw, reproducible by seed."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="audits")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="audits")
    seed = models.BigIntegerField(help_text="Drawing again with this seed gives the same sample.")
    sample_size = models.PositiveSmallIntegerField()
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period__starts_on", "committee__name"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "period"], name="one_audit_a_quarter")
        ]

    def __str__(self) -> str:
        return f"Audit of {self.committee.short_name} {self.period.label}"

    def get_absolute_url(self) -> str:
        return reverse("committees:audit", args=[self.pk])


class AuditCheck(models.Model):
    """The framework's checks on one sampled KPI, with findings and follow-ups."""

    class Answer(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        NOT_APPLICABLE = "na", "Not applicable"

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="checks")
    kpi = models.ForeignKey(Kpi, on_delete=models.PROTECT, related_name="audit_checks")
    queried = models.BooleanField(
        "queried at entry",
        default=False,
        help_text="Its value for the period was queried when it was submitted, so it was drawn "
        "before the random sample.",
    )
    accurately_calculated = models.CharField(max_length=3, choices=Answer.choices, blank=True)
    accurately_reported = models.CharField(
        "accurately and reliably reported to the committee",
        max_length=3,
        choices=Answer.choices,
        blank=True,
    )
    remedial_action = models.CharField(
        "effective remedial action taken where performance is low",
        max_length=3,
        choices=Answer.choices,
        blank=True,
    )
    still_relevant = models.CharField(
        "still relevant and aligned to the priorities",
        max_length=3,
        choices=Answer.choices,
        blank=True,
    )
    findings = models.TextField(blank=True)
    follow_up = models.TextField("follow-up actions", blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["audit", "kpi__reference"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "kpi"], name="one_check_per_sampled_kpi")
        ]

    def __str__(self) -> str:
        return f"{self.audit}: KPI {self.kpi.reference}"

    @property
    def is_done(self) -> bool:
        return bool(self.checked_at)
