"""The reporting cycle: periods, targets, each period's values with their sign-off, reminders
and the council's RAG policy.

A locked period's values never change; every change to a period, target or value is in its
history with who, when and why.
"""

import datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from kpis.register.models import Kpi
from pmf.fields import bounded_text, length_checks

# How long each text typed at length may be (pmf.fields): long enough for the longest the council
# writes (the demo's longest commentary is 217 characters, its longest action plan 271).
PERIOD_TEXT_LENGTHS = {"state_reason": 2000}
MEASUREMENT_TEXT_LENGTHS = {
    "not_available_reason": 1000,
    "commentary": 5000,
    "action_plan": 5000,
    "data_quality_note": 2000,
    "returned_reason": 2000,
    "query_explanation": 2000,
}


class PeriodQuerySet(models.QuerySet):
    def open(self) -> "PeriodQuerySet":
        """The periods open for entry now."""
        return self.filter(state=ReportingPeriod.State.OPEN)

    def begun_by(self, day: datetime.date) -> "PeriodQuerySet":
        """The periods that have begun by `day`: none of the future ones."""
        return self.filter(starts_on__lte=day)

    def with_values(self) -> "PeriodQuerySet":
        """The periods with any value readers may see (submitted or approved; drafts do not
        count)."""
        values = Measurement.objects.reported().filter(
            period=models.OuterRef("pk"), value__isnull=False
        )
        return self.filter(models.Exists(values))

    def latest_with_values(self, day: datetime.date) -> "ReportingPeriod | None":
        """Where a period picker starts: the latest quarter with values that has begun by `day`,
        else the latest such period of any kind; never a future one."""
        found = self.begun_by(day).with_values().order_by("-ends_on")
        return found.filter(kind=ReportingPeriod.Kind.QUARTER).first() or found.first()


class ReportingPeriod(models.Model):
    """A month, quarter or year of the UK financial year (April to March), e.g. `2025/26 Q3`.

    A period is opened for entry with deadlines, closed when entry ends and locked once reported;
    a locked period's values never change. Reopening needs a recorded reason.
    """

    class Kind(models.TextChoices):
        MONTH = "month", "Month"
        QUARTER = "quarter", "Quarter"
        YEAR = "year", "Year"

    class State(models.TextChoices):
        NOT_OPEN = "not_open", "Not open"
        OPEN = "open", "Open for entry"
        CLOSED = "closed", "Closed for entry"
        LOCKED = "locked", "Locked"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    financial_year = models.PositiveSmallIntegerField(
        help_text="The calendar year the financial year starts in: 2025 for 2025/26."
    )
    number = models.PositiveSmallIntegerField(
        help_text="Month 1–12 (April is 1), quarter 1–4, or 1 for the year."
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.NOT_OPEN)
    submission_deadline = models.DateField(null=True, blank=True)
    signoff_deadline = models.DateField("sign-off deadline", null=True, blank=True)
    state_reason = bounded_text(
        max_length=PERIOD_TEXT_LENGTHS["state_reason"],
        blank=True,
        help_text="Why it was last reopened.",
    )
    history = HistoricalRecords()

    objects = PeriodQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on", "kind"]
        constraints = [
            *length_checks("reporting_period", PERIOD_TEXT_LENGTHS),
            models.UniqueConstraint(
                fields=["kind", "financial_year", "number"], name="unique_reporting_period"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        year = f"{self.financial_year}/{(self.financial_year + 1) % 100:02d}"
        if self.kind == self.Kind.QUARTER:
            return f"{year} Q{self.number}"
        if self.kind == self.Kind.MONTH:
            return f"{year} {self.starts_on:%b}"
        return year

    @property
    def is_locked(self) -> bool:
        return self.state == self.State.LOCKED

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN


class Target(models.Model):
    """A KPI's target for a financial year, or for one period where it varies through the year."""

    kpi = models.ForeignKey(Kpi, on_delete=models.PROTECT, related_name="targets")
    financial_year = models.PositiveSmallIntegerField()
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="targets",
        help_text="Blank for the whole year's target.",
    )
    value = models.DecimalField(max_digits=16, decimal_places=4)
    intervention_level = models.DecimalField(
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Worse than the target but no worse than this is Amber; beyond it is Red.",
    )
    note = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kpi__reference", "financial_year", "period__starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "financial_year"],
                condition=models.Q(period__isnull=True),
                name="one_annual_target_per_year",
            ),
            models.UniqueConstraint(fields=["kpi", "period"], name="one_target_per_period"),
        ]

    def __str__(self) -> str:
        scope = self.period.label if self.period_id else f"{self.financial_year}"
        return f"{self.kpi.reference} target {scope}: {self.kpi.value_text(self.value)}"


class MeasurementQuerySet(models.QuerySet):
    def reported(self) -> "MeasurementQuerySet":
        """Values approved (final) or submitted (provisional): all that readers ever see."""
        return self.filter(status__in=Measurement.REPORTED)

    def not_approved(self) -> "MeasurementQuerySet":
        """Drafts, returned values and values awaiting sign-off: not yet final."""
        return self.exclude(status__in=Measurement.FINAL)

    def awaiting_signoff(self) -> "MeasurementQuerySet":
        return self.filter(status=Measurement.Status.SUBMITTED)


class Measurement(models.Model):
    """A KPI's value for one reporting period, with its commentary and sign-off state."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned"

    # Where a value stands for those who read it, the one definition every page, export and pack
    # uses. Approved is final; submitted but not yet approved is provisional, shown marked as
    # such; together they are what readers see, with the rating they were reported with. Drafts
    # and returned values are work in progress: seen only where they are worked on (the
    # officer's entry page, the approver's queue, G&P's completion dashboard), never by readers.
    FINAL = frozenset({Status.APPROVED})
    PROVISIONAL = frozenset({Status.SUBMITTED})
    REPORTED = FINAL | PROVISIONAL
    WORK_IN_PROGRESS = frozenset({Status.DRAFT, Status.RETURNED})
    #: What "provisional" means, and how a provisional value is marked, in the words pages,
    #: exports and packs use.
    PROVISIONAL_MEANING = "submitted, not yet approved"
    PROVISIONAL_NOTE = f"Provisional: {PROVISIONAL_MEANING}"

    kpi = models.ForeignKey(Kpi, on_delete=models.PROTECT, related_name="measurements")
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="measurements"
    )
    value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    numerator = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    not_available = models.BooleanField(default=False)
    not_available_reason = bounded_text(
        max_length=MEASUREMENT_TEXT_LENGTHS["not_available_reason"], blank=True
    )
    commentary = bounded_text(max_length=MEASUREMENT_TEXT_LENGTHS["commentary"], blank=True)
    action_plan = bounded_text(max_length=MEASUREMENT_TEXT_LENGTHS["action_plan"], blank=True)
    data_quality_note = bounded_text(
        max_length=MEASUREMENT_TEXT_LENGTHS["data_quality_note"], blank=True
    )
    data_query = models.TextField(
        "data-quality query",
        blank=True,
        help_text="What the value was queried for when it was last submitted: the earlier values "
        "it is far from, and by how much. Blank when it was not queried.",
    )
    query_explanation = bounded_text(
        "explanation of the query",
        max_length=MEASUREMENT_TEXT_LENGTHS["query_explanation"],
        blank=True,
        help_text="The officer's explanation of a queried value, shown to the approver.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    rating = models.CharField(max_length=20, blank=True)
    returned_reason = bounded_text(
        max_length=MEASUREMENT_TEXT_LENGTHS["returned_reason"], blank=True
    )
    is_historic_load = models.BooleanField(
        default=False, help_text="Loaded by G&P into a closed period from historic records."
    )
    historic_authority = models.TextField(
        "authority for the historic load",
        blank=True,
        help_text="On what authority a historic load was made, e.g. “2024/25 outturn from the "
        "finance system, agreed by G&P”.",
    )
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who loaded it as historic data.",
    )
    loaded_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was loaded as historic data."
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Goes up with every save; a form carrying an older one is stale."
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = MeasurementQuerySet.as_manager()

    class Meta:
        ordering = ["kpi__reference", "period__starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "period"], name="one_measurement_per_period"),
            models.CheckConstraint(
                condition=~models.Q(not_available=True) | models.Q(value__isnull=True),
                name="not_available_has_no_value",
            ),
            *length_checks("measurement", MEASUREMENT_TEXT_LENGTHS),
        ]
        indexes = [models.Index(fields=["period", "status"])]

    def __str__(self) -> str:
        return f"{self.kpi.reference} {self.period.label}"

    @property
    def is_provisional(self) -> bool:
        return self.status in self.PROVISIONAL

    @property
    def is_reported(self) -> bool:
        """Approved or provisional: a value readers may see."""
        return self.status in self.REPORTED


class Reminder(models.Model):
    """An e-mail sent to chase a value or tell an approver what awaits them."""

    class Kind(models.TextChoices):
        BEFORE_DEADLINE = "before_deadline", "Deadline approaching"
        OVERDUE = "overdue", "Overdue"
        APPROVER_DIGEST = "approver_digest", "Approver digest"
        CHASE = "chase", "Chased by G&P"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="reminders")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reminders"
    )
    kpis = models.ManyToManyField(Kpi, related_name="reminders")
    sent_at = models.DateTimeField(auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Blank for automatic reminders.",
    )

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient} for {self.period}"


class RagPolicy(models.Model):
    """The council's rules for rating a value Red, Amber, Green or Blue against its target.

    One row, edited by G&P; its history is kept. A KPI's own settings override it.
    """

    class Basis(models.TextChoices):
        RELATIVE = "relative", "Relative to the target (per cent of the target)"
        ABSOLUTE = "absolute", "In the KPI's own units (percentage points for percentages)"

    amber_tolerance = models.DecimalField(
        max_digits=8,
        decimal_places=3,
        default=10,
        help_text="Off target by this much or less is Amber; by more is Red.",
    )
    tolerance_basis = models.CharField(max_length=10, choices=Basis.choices, default="relative")
    blue_margin = models.DecimalField(
        max_digits=8,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="Better than target by more than this is Blue. Leave blank for no Blue rating.",
    )
    use_intervention_levels = models.BooleanField(
        default=False,
        help_text="Rate by each KPI's intervention level (worse than it is Red) where it has one.",
    )
    query_change_percent = models.DecimalField(
        "data-quality query threshold",
        max_digits=8,
        decimal_places=3,
        null=True,
        blank=True,
        default=50,
        validators=[MinValueValidator(0, "Enter a threshold of 0 or more, or leave it blank")],
        help_text="A value that is more than this per cent higher or lower than the KPI's last "
        "period or the same period last year is queried when it is submitted. Leave blank to "
        "query none.",
    )
    query_change_points = models.DecimalField(
        "data-quality query threshold for percentages",
        max_digits=8,
        decimal_places=3,
        null=True,
        blank=True,
        default=20,
        validators=[MinValueValidator(0, "Enter a threshold of 0 or more, or leave it blank")],
        help_text="For percentage KPIs, in percentage points: 72.5% then 40% is 32.5 points. "
        "Leave blank to query none.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "RAG policy"
        verbose_name_plural = "RAG policy"

    def __str__(self) -> str:
        return "RAG policy"

    @classmethod
    def current(cls) -> "RagPolicy":
        policy, _ = cls.objects.get_or_create(pk=1)
        return policy
