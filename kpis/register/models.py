"""The register: the golden thread from ambitions and directorates down to each KPI.

Nothing here is ever deleted. A KPI that leaves the register is retired with a date and a reason,
and its reference number can never be given to another KPI.
"""

import datetime
from collections.abc import Iterator
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from kpis.register.units import UnitInfo, UnitTable, spelling_key, split_aliases
from pmf.fields import bounded_text, length_checks
from pmf.formatting import UnitStyle, format_value

reference_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9.-]{0,19}$",
    "Use letters, digits, dots or hyphens (at most 20), starting with a letter or digit.",
)
# Words the register's own addresses use, so no KPI can take them as its reference.
RESERVED_REFERENCES = {"new", "import", "structure", "units", "export.csv", "export.xlsx"}
#: A KPI's figures are stored to 4 decimal places, so none can be shown to more.
MAX_DECIMALS = 4


# How long each text typed at length may be (pmf.fields): a register's longest definitions run to
# a few hundred characters (the demo's longest is 210).
PRIORITY_TEXT_LENGTHS = {"description": 2000}
COMMITTEE_TEXT_LENGTHS = {"remit": 2000}
KPI_TEXT_LENGTHS = {
    "description": 2000,
    "definition": 4000,
    "calculation": 4000,
    "rationale": 2000,
    "status_reason": 2000,
}


class Directorate(models.Model):
    name = models.CharField(max_length=150, unique=True)
    short_name = models.CharField(max_length=20, unique=True, help_text="For example AHC or F&R.")
    is_active = models.BooleanField(default=True)
    approvers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="approves_for",
        help_text="People who sign off this directorate's values and KPI proposals.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    directorate = models.ForeignKey(Directorate, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["directorate__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["directorate", "name"], name="unique_service_name")
        ]

    def __str__(self) -> str:
        return self.name


class Priority(models.Model):
    """A corporate priority or ambition that KPIs are linked to (the golden thread)."""

    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=300)
    description = bounded_text(max_length=PRIORITY_TEXT_LENGTHS["description"], blank=True)
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        verbose_name_plural = "priorities"
        constraints = length_checks("priority", PRIORITY_TEXT_LENGTHS)

    def __str__(self) -> str:
        return f"Ambition {self.number}: {self.name}"


class Committee(models.Model):
    """A committee (or cabinet, or scrutiny panel) that KPIs are reported to.

    It lives in the register because a KPI's committees are one of its register fields; meetings,
    decisions and the KPI change cycle build on it in the committees app.
    """

    class Kind(models.TextChoices):
        STRATEGIC = "strategic", "Strategic"
        POLICY_AND_SERVICE = "policy_and_service", "Policy and service"
        AUDIT = "audit", "Audit"
        SCRUTINY = "scrutiny", "Scrutiny panel"
        CABINET = "cabinet", "Cabinet"

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=30, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    remit = bounded_text(max_length=COMMITTEE_TEXT_LENGTHS["remit"], blank=True)
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = length_checks("committee", COMMITTEE_TEXT_LENGTHS)

    def __str__(self) -> str:
        return self.name


unit_code_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{0,19}$",
    "Use small letters, digits and underscores (at most 20), starting with a letter.",
)


class Unit(models.Model):
    """A unit the council measures KPIs in, kept by Governance and Performance.

    Its code is the key a KPI stores, so it never changes once given; everything else says how its
    figures are written (pmf.formatting), entered and checked. Units are never deleted: a KPI's
    history may name any of them. The rest of the product reads units through `unit_table`, which
    holds them in memory (kpis.register.units), so a figure never costs a query.
    """

    code = models.CharField(
        max_length=20,
        unique=True,
        validators=[unit_code_validator],
        help_text="The key KPIs store and files may use, like tonnes_co2e. It cannot change.",
    )
    name = models.CharField(
        max_length=100, unique=True, help_text="As people read it, like Tonnes CO2e."
    )
    prefix = models.CharField(
        max_length=10, blank=True, help_text="Written before the number, like £ in £1,250."
    )
    suffix = models.CharField(
        max_length=30,
        blank=True,
        help_text="Written after the number, like % or days. A word goes after a space (12 days), "
        "a symbol does not (72.5%).",
    )
    singular_suffix = models.CharField(
        "suffix for exactly 1",
        max_length=30,
        blank=True,
        help_text="Only if it differs, like day in 1 day. Leave blank to use the suffix.",
    )
    money = models.BooleanField(
        "money",
        default=False,
        help_text="Written as whole pounds or pounds and pence (£75, £75.50), and entered to the "
        "penny.",
    )
    decimals = models.PositiveSmallIntegerField(
        "decimal places",
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_DECIMALS)],
        help_text="How many decimal places figures are shown with. As entered writes them "
        "without trailing zeros (72.5, not 72.50). A KPI may set its own.",
    )
    whole_numbers = models.BooleanField(
        "whole numbers only", default=False, help_text="Values with a fraction are refused."
    )
    rate_per = models.PositiveIntegerField(
        "multiplier",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="For a percentage or rate worked out from a numerator and a denominator: the "
        "number it is multiplied by, like 100 for a percentage or 100000 for a rate per 100,000.",
    )
    lowest = models.DecimalField(
        "lowest value allowed",
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Values below it are refused, unless the KPI allows values outside its "
        "unit's range; forecasts stay above it. Blank for no limit.",
    )
    highest = models.DecimalField(
        "highest value allowed",
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Values above it are refused, unless the KPI allows values outside its "
        "unit's range; forecasts stay below it. Blank for no limit.",
    )
    aliases = models.TextField(
        "other names",
        blank=True,
        help_text="Other ways people write this unit in a spreadsheet, separated by ; like "
        "GBP; pounds. Case does not matter.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        unit_table.changed()

    def get_absolute_url(self) -> str:
        return reverse("kpis:unit_edit", args=[self.code])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.code == "new":
            errors["code"] = "“new” is reserved: choose another code."
        if self.lowest is not None and self.highest is not None and self.lowest > self.highest:
            errors["highest"] = "The highest value must be at least the lowest."
        clash = self._spelling_clash()
        if clash:
            errors.setdefault(*clash)
        if errors:
            raise ValidationError(errors)

    @property
    def info(self) -> UnitInfo:
        """This row as the rest of the product reads it."""
        return UnitInfo(
            code=self.code,
            name=self.name,
            prefix=self.prefix,
            suffix=self.suffix,
            singular_suffix=self.singular_suffix,
            money=self.money,
            decimals=self.decimals,
            whole_numbers=self.whole_numbers,
            rate_per=self.rate_per,
            lowest=self.lowest,
            highest=self.highest,
            aliases=split_aliases(self.aliases),
        )

    def _spelling_clash(self) -> tuple[str, str] | None:
        """(field, message) when one of this unit's spellings already means another unit."""
        info = self.info
        fields = ["code", "name", "name", *["aliases"] * len(info.aliases)]
        mine: dict[str, tuple[str, str]] = {}
        for field, text in zip(fields, info.spellings, strict=True):
            if spelling_key(text):
                mine.setdefault(spelling_key(text), (field, text))
        others = Unit.objects.exclude(pk=self.pk) if self.pk else Unit.objects.all()
        for other in others:
            for text in other.info.spellings:
                if spelling_key(text) in mine:
                    field, own = mine[spelling_key(text)]
                    return field, f"“{own}” already means {other.name}."
        return None


def _stored_units() -> Iterator[UnitInfo]:
    return (unit.info for unit in Unit.objects.all())


#: The council's units as this process reads them, without a query per figure.
unit_table = UnitTable(_stored_units)


def validate_unit(code: str) -> None:
    """A KPI's unit must be one of the council's."""
    if unit_table.get(code) is None:
        raise ValidationError(
            f"“{code}” is not a unit. Use one of the council's units: {unit_table.names()}."
        )


class KpiQuerySet(models.QuerySet):
    def reporting(self) -> "KpiQuerySet":
        """KPIs that report values: not suspended or retired."""
        return self.exclude(status__in=Kpi.NOT_COLLECTED)


class Kpi(models.Model):
    class Level(models.TextChoices):
        STRATEGIC = "strategic", "Strategic"
        CORPORATE = "corporate", "Corporate"
        OPERATIONAL = "operational", "Operational"

    class Perspective(models.TextChoices):
        RESIDENTS = "residents", "Residents"
        CORPORATE = "corporate", "Corporate (staff)"

    class MetricCategory(models.TextChoices):
        CENTRAL_GOVERNMENT = "central_government", "Central government"
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        PARTNER = "partner", "Partner"
        NATIONAL_SURVEY = "national_survey", "National survey"

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        ANNUAL = "annual", "Annual"

    class Unit(models.TextChoices):
        """The codes of the units the council started with, for code that names one (a rate's
        multiplier, totals of counts and money). The council's units are the Unit table: a KPI
        may have any of them."""

        PERCENT = "percent", "Percentage (%)"
        COUNT = "count", "Number"
        MONEY = "money", "Money (£)"
        DAYS = "days", "Days"
        WEEKS = "weeks", "Weeks"
        RATE_PER_1000 = "rate_1k", "Rate per 1,000"
        RATE_PER_10000 = "rate_10k", "Rate per 10,000"
        RATE_PER_100000 = "rate_100k", "Rate per 100,000"
        SCORE = "score", "Score"
        RATIO = "ratio", "Ratio"

    class Direction(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"

    class ValueBasis(models.TextChoices):
        PERIOD = "period", "Period value"
        SNAPSHOT = "snapshot", "Snapshot"
        YEAR_TO_DATE = "ytd", "Year to date"
        ROLLING_12_MONTHS = "rolling12", "Rolling 12 months"

    class YearFigure(models.TextChoices):
        """How a year's figure is formed from its periods (kpis.rating.assessment reads it)."""

        SUM = "sum", "Total"
        MEAN = "mean", "Average"
        LAST = "last", "Latest"

    class IndicatorType(models.TextChoices):
        LEADING = "leading", "Leading"
        LAGGING = "lagging", "Lagging"

    class TargetKind(models.TextChoices):
        ANNUAL = "annual", "Annual target"
        QUARTERLY = "quarterly", "Quarterly target"
        LONG_TERM = "long_term", "Long-term target"
        CONTEXTUAL = "contextual", "Contextual (no target)"

    class Status(models.TextChoices):
        LIVE = "live", "Live"
        BASELINE = "baseline", "Baseline"
        CONTEXTUAL = "contextual", "Contextual"
        IN_DEVELOPMENT = "in_development", "In development"
        SUSPENDED = "suspended", "Suspended"
        RETIRED = "retired", "Retired"

    reference = models.CharField(
        "reference number",
        max_length=20,
        unique=True,
        validators=[reference_validator],
        help_text="Unique for ever: a retired KPI keeps its number.",
    )
    name = models.CharField(max_length=300)
    description = bounded_text(max_length=KPI_TEXT_LENGTHS["description"], blank=True)
    definition = bounded_text(max_length=KPI_TEXT_LENGTHS["definition"], blank=True)
    calculation = bounded_text(
        "how it is calculated", max_length=KPI_TEXT_LENGTHS["calculation"], blank=True
    )
    rationale = bounded_text(max_length=KPI_TEXT_LENGTHS["rationale"], blank=True)
    data_source = models.CharField(max_length=300, blank=True)
    in_information_asset_register = models.BooleanField(
        "data source is in the information asset register", default=False
    )
    directorate = models.ForeignKey(Directorate, on_delete=models.PROTECT, related_name="kpis")
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="kpis", null=True, blank=True
    )
    priorities = models.ManyToManyField(
        Priority, blank=True, related_name="kpis", verbose_name="priorities and ambitions"
    )
    lead_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kpis_led",
        verbose_name="lead officer (data owner)",
    )
    level = models.CharField(max_length=20, choices=Level.choices)
    perspective = models.CharField(max_length=20, choices=Perspective.choices)
    metric_category = models.CharField(max_length=30, choices=MetricCategory.choices)
    frequency = models.CharField("reporting frequency", max_length=20, choices=Frequency.choices)
    # The unit's code rather than a foreign key: files, histories, frozen packs and committee
    # proposals name units by code, scorecards read it in their one values_list() query, and a
    # figure's style comes from the units held in memory (`unit_table`), never from a join.
    unit = models.CharField(
        max_length=20,
        validators=[validate_unit],
        help_text="One of the council's units (the register's Units page).",
    )
    decimals = models.PositiveSmallIntegerField(
        "decimal places (this KPI)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_DECIMALS)],
        help_text="How many decimal places its figures are shown with, if not as its unit says.",
    )
    direction = models.CharField(
        "direction for improvement", max_length=10, choices=Direction.choices
    )
    value_basis = models.CharField(
        "value basis",
        max_length=20,
        choices=ValueBasis.choices,
        default=ValueBasis.PERIOD,
        help_text=(
            "What one period's value is: the period's own figure, a snapshot at its end, the "
            "financial year to date, or the 12 months to its end."
        ),
    )
    year_figure = models.CharField(
        "how a year's figure is formed",
        max_length=10,
        choices=YearFigure.choices,
        default=YearFigure.MEAN,
        help_text=(
            "Total: the year adds its periods up (a year-to-date total grows through the year). "
            "Average: the year's rate or percentage. Latest: the year's last value (snapshots and "
            "rolling 12 months)."
        ),
    )
    seasonal = models.BooleanField(
        "seasonal",
        default=False,
        help_text=(
            "Its values rise and fall with the time of year: change, trend and forecasts compare "
            "each period with the same period last year."
        ),
    )
    indicator_type = models.CharField(
        "leading or lagging", max_length=10, choices=IndicatorType.choices
    )
    is_financial = models.BooleanField("financial", default=False)
    target_kind = models.CharField("target", max_length=20, choices=TargetKind.choices)
    long_term_target = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    long_term_target_year = models.PositiveSmallIntegerField(
        "long-term target year", null=True, blank=True
    )
    benchmark = models.CharField(
        "benchmark or comparator",
        max_length=300,
        blank=True,
        help_text="For example CIPFA nearest neighbours, LG Inform or Oflog.",
    )
    delegates = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="kpis_delegated",
        help_text="Officers who may enter values for this KPI on the lead officer's behalf.",
    )
    allows_values_outside_0_100 = models.BooleanField(
        "values may fall outside the unit's range",
        default=False,
        help_text="For changes or balances that can be negative, or percentages that can exceed "
        "100%.",
    )
    rag_amber_tolerance = models.DecimalField(
        "amber tolerance (this KPI)",
        max_digits=8,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="Leave blank to use the council's RAG policy.",
    )
    rag_tolerance_basis = models.CharField(
        "tolerance basis (this KPI)",
        max_length=10,
        choices=[("relative", "Relative to the target"), ("absolute", "In the KPI's own units")],
        blank=True,
        help_text="Leave blank to use the council's RAG policy.",
    )
    rag_use_intervention_levels = models.BooleanField(
        "use intervention levels (this KPI)",
        null=True,
        blank=True,
        help_text="Leave blank to use the council's RAG policy.",
    )
    query_threshold = models.DecimalField(
        "data-quality query threshold (this KPI)",
        max_digits=8,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, "Enter a threshold of 0 or more, or leave it blank")],
        help_text="A value further than this from the last period or the same period last year "
        "is queried when it is submitted: per cent of the earlier value, or percentage points "
        "for a percentage KPI. Leave blank to use the council's RAG policy.",
    )
    numerator_label = models.CharField(max_length=200, blank=True)
    denominator_label = models.CharField(max_length=200, blank=True)
    # Statuses under which no values are collected. An In development KPI still collects the
    # values its data collection is being tried out on (rated In development, not on target).
    NOT_COLLECTED = frozenset({Status.SUSPENDED, Status.RETIRED})

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.LIVE)
    status_reason = bounded_text(
        max_length=KPI_TEXT_LENGTHS["status_reason"],
        blank=True,
        help_text="Why the KPI was suspended or retired.",
    )
    date_added = models.DateField()
    added_by_decision = models.CharField("decision that added it", max_length=300, blank=True)
    date_removed = models.DateField(null=True, blank=True)
    removed_by_decision = models.CharField("decision that removed it", max_length=300, blank=True)
    history = HistoricalRecords(m2m_fields=[priorities])

    objects = KpiQuerySet.as_manager()

    class Meta:
        ordering = ["reference"]
        verbose_name = "KPI"
        verbose_name_plural = "KPIs"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="retired") | models.Q(date_removed__isnull=False),
                name="retired_kpi_has_removal_date",
            ),
            *length_checks("kpi", KPI_TEXT_LENGTHS),
        ]
        indexes = [
            models.Index(fields=["directorate", "status"]),
            models.Index(fields=["level", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("kpis:detail", args=[self.reference])

    def clean(self) -> None:
        errors = {}
        if self.reference.lower() in RESERVED_REFERENCES:
            errors["reference"] = f"“{self.reference}” is reserved: choose another reference."
        if (
            self.service_id
            and self.directorate_id
            and self.service.directorate_id != self.directorate_id
        ):
            errors["service"] = "This service belongs to another directorate."
        if self.status == self.Status.RETIRED and not self.date_removed:
            errors["date_removed"] = "Enter the date the KPI was retired."
        if self.date_removed and self.date_added and self.date_removed < self.date_added:
            errors["date_removed"] = "The date removed must be on or after the date added."
        if self.long_term_target is not None and self.target_kind == self.TargetKind.CONTEXTUAL:
            errors["long_term_target"] = "A contextual KPI has no target."
        errors.update(self._figure_errors())
        if errors:
            raise ValidationError(errors)

    def _figure_errors(self) -> dict[str, str]:
        """A year's figure and seasons that fit how the values are given."""
        errors = {}
        whole = {self.ValueBasis.SNAPSHOT: "a snapshot", self.ValueBasis.ROLLING_12_MONTHS: None}
        if self.value_basis in whole and self.year_figure != self.YearFigure.LAST:
            what = whole[self.value_basis] or "a rolling 12-month value"
            errors["year_figure"] = (
                f"The year's figure of {what} is its latest value: choose Latest."
            )
        if self.seasonal and self.frequency == self.Frequency.ANNUAL:
            errors["seasonal"] = "An annual KPI has no seasons: it cannot be seasonal."
        elif self.seasonal and self.value_basis == self.ValueBasis.ROLLING_12_MONTHS:
            errors["seasonal"] = (
                "A rolling 12-month value spans every season: it cannot be seasonal."
            )
        return errors

    @staticmethod
    def usual_year_figure(value_basis: str) -> str:
        """The year's figure an import gives a KPI when its file leaves it blank: Latest for
        snapshots and rolling 12-month values (the only one they can have), else Average."""
        if value_basis in (Kpi.ValueBasis.SNAPSHOT, Kpi.ValueBasis.ROLLING_12_MONTHS):
            return Kpi.YearFigure.LAST
        return Kpi.YearFigure.MEAN

    @property
    def is_retired(self) -> bool:
        return self.status == self.Status.RETIRED

    @property
    def collects_values(self) -> bool:
        """Whether officers enter values for it: its status decides, before anything else."""
        return self.status not in self.NOT_COLLECTED

    @property
    def unit_style(self) -> UnitStyle:
        return unit_style(self.unit, self.decimals)

    @property
    def unit_info(self) -> UnitInfo:
        """Its unit: how values are entered, checked and written (no query)."""
        return unit_table.get(self.unit) or UnitInfo(code=self.unit, name=self.unit)

    def get_unit_display(self) -> str:
        """Its unit's name, where pages ask for it as they would a choice's label."""
        return unit_name(self.unit)

    def value_text(self, value) -> str:
        """One of this KPI's figures as people read it: 72.5%, £1,250.50, 12 days."""
        return format_value(value, self.unit_style)


def in_force_on(day: datetime.date, *, via: str = "") -> models.Q:
    """Memberships in force on `day`: started by then and not yet ended (the end is exclusive).
    `via` reaches them through a relation, as in Count("memberships", filter=...)."""
    return models.Q(**{f"{via}started_on__lte": day}) & (
        models.Q(**{f"{via}ended_on__isnull": True}) | models.Q(**{f"{via}ended_on__gt": day})
    )


class MembershipQuerySet(models.QuerySet):
    def in_force_on(self, day: datetime.date) -> "MembershipQuerySet":
        """The memberships in force on `day`: a committee's KPI set as it stood then."""
        return self.filter(in_force_on(day))

    def not_ended_by(self, day: datetime.date) -> "MembershipQuerySet":
        """The memberships still to end after `day`: in force then, or starting later."""
        return self.filter(models.Q(ended_on__isnull=True) | models.Q(ended_on__gt=day))


class CommitteeMembership(models.Model):
    """A KPI's place in a committee's KPI set, from one date to another.

    The set at any past date is the memberships that had started and not yet ended; a KPI leaving
    a set ends its membership rather than deleting it.
    """

    kpi = models.ForeignKey(Kpi, on_delete=models.PROTECT, related_name="memberships")
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="memberships")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    decision = models.CharField(
        max_length=300, blank=True, help_text="The decision that added the KPI to the set."
    )
    end_decision = models.CharField(
        max_length=300, blank=True, help_text="The decision that took the KPI out of the set."
    )
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["committee__name", "started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "committee"],
                condition=models.Q(ended_on__isnull=True),
                name="one_open_membership_per_committee",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="membership_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi.reference} in {self.committee.short_name} from {self.started_on}"

    def is_in_force_on(self, day: datetime.date) -> bool:
        """As `in_force_on`, for a membership already fetched."""
        return self.started_on <= day and (self.ended_on is None or self.ended_on > day)


# How each unit's figures are written (pmf.formatting) and what values it allows: the one place
# pages, exports, packs, charts, e-mails and forecasts read, from the Unit table (`unit_table`).


def unit_style(unit: str, decimals: int | None = None) -> UnitStyle:
    """How figures in this unit are written; `decimals` is a KPI's own number of places."""
    return unit_table.style(unit, decimals)


def unit_name(unit: str) -> str:
    """The unit's name as people read it: "Percentage (%)", "Tonnes CO2e"."""
    found = unit_table.get(unit)
    return found.name if found is not None else unit


def value_bounds(unit: str) -> tuple[Decimal | None, Decimal | None]:
    """The lowest and highest value the unit allows (None for no limit): entries are checked
    against them and forecasts kept within them."""
    found = unit_table.get(unit)
    if found is None:
        return None, None
    return found.lowest, found.highest


def kpi_value_bounds(
    unit: str, *, allows_values_outside_0_100: bool = False
) -> tuple[Decimal | None, Decimal | None]:
    """A KPI's bounds: its unit's (value_bounds), except that a KPI the register says may fall
    outside its unit's range (a percentage change, an underspend) has none."""
    if allows_values_outside_0_100:
        return None, None
    return value_bounds(unit)
