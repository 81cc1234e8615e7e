"""Forms for the reporting cycle: G&P's periods and targets, entering a KPI's value for a period,
returning a value to its officer, and uploading a file of values.

The unit rules (its range, whole numbers, pounds and pence, "not available" needs a reason,
off target needs an action plan) live in the reporting services and are applied there; these
forms only parse what was typed and carry the service's messages back to the right field.
"""

from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from kpis.register.models import Kpi
from kpis.reporting.models import (
    MEASUREMENT_TEXT_LENGTHS,
    PERIOD_TEXT_LENGTHS,
    Measurement,
    RagPolicy,
    ReportingPeriod,
    Target,
)
from kpis.reporting.services import Entry, computed_value
from pmf.forms_govuk import ERROR_CLASSES, GovukForm
from pmf.spreadsheets import EXTENSIONS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FinancialYearForm(GovukForm):
    financial_year = forms.IntegerField(
        label="Financial year starting in",
        min_value=2000,
        max_value=2100,
        help_text="For example, 2026 for 2026/27 (April 2026 to March 2027).",
        error_messages={
            "required": "Enter the year the financial year starts in",
            "invalid": "Enter a year like 2026",
            "min_value": "Enter a year from 2000",
            "max_value": "Enter a year up to 2100",
        },
    )


class PeriodOpenForm(GovukForm):
    submission_deadline = forms.DateField(
        label="Submission deadline",
        help_text="Officers submit their values by this date.",
        widget=DATE_WIDGET,
        error_messages={
            "required": "Enter the submission deadline",
            "invalid": "Enter the submission deadline as a real date",
        },
    )
    signoff_deadline = forms.DateField(
        label="Sign-off deadline",
        help_text="Directorate approvers sign values off by this date.",
        widget=DATE_WIDGET,
        error_messages={
            "required": "Enter the sign-off deadline",
            "invalid": "Enter the sign-off deadline as a real date",
        },
    )

    def __init__(self, *args, period: ReportingPeriod, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.period = period

    def clean(self) -> dict:
        cleaned = super().clean()
        submission, signoff = cleaned.get("submission_deadline"), cleaned.get("signoff_deadline")
        if submission and signoff and signoff < submission:
            self.add_error(
                "signoff_deadline",
                "The sign-off deadline must be on or after the submission deadline",
            )
        return cleaned


class ReopenForm(GovukForm):
    reason = forms.CharField(
        label="Why are you reopening this period?",
        help_text="This is kept in the period's history.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=PERIOD_TEXT_LENGTHS["state_reason"],
        error_messages={"required": "Say why the period is being reopened"},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why the period is being reopened")
        return reason


class TargetFilterForm(GovukForm):
    year = forms.TypedChoiceField(label="Financial year", coerce=int)
    directorate = forms.TypedChoiceField(label="Directorate", coerce=int, required=False)

    def __init__(self, *args, years: list[int], directorates, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, f"{y}/{(y + 1) % 100:02d}") for y in years]
        self.fields["directorate"].choices = [("", "All directorates")] + [
            (d.pk, d.name) for d in directorates
        ]


def _target_field(label: str, *, required: bool, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=16,
        decimal_places=4,
        help_text=help_text,
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-10", "inputmode": "decimal"}
        ),
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"The {label.lower()} must be a number, like 85 or 12.5",
            "max_digits": f"The {label.lower()} is too long",
            "max_decimal_places": f"The {label.lower()} can have at most 4 decimal places",
            "max_whole_digits": f"The {label.lower()} is too large",
        },
    )


class TargetForm(GovukForm):
    """A KPI's annual target for a year, with an optional per-period target for each period."""

    value = _target_field("Annual target", required=True)
    intervention_level = _target_field(
        "Intervention level",
        required=False,
        help_text="Optional. Worse than the target but no worse than this is Amber; beyond it is "
        "Red. It applies to the year and to every period target below.",
    )
    note = forms.CharField(label="Note", required=False, max_length=300)

    def __init__(
        self,
        *args,
        kpi: Kpi,
        periods: list[ReportingPeriod],
        targets: list[Target],
        **kwargs,
    ) -> None:
        annual = next((t for t in targets if t.period_id is None), None)
        by_period = {t.period_id: t for t in targets if t.period_id}
        initial = kwargs.pop("initial", {}) or {}
        if annual:
            initial |= {
                "value": annual.value,
                "intervention_level": annual.intervention_level,
                "note": annual.note,
            }
        for period in periods:
            if period.pk in by_period:
                initial[self.period_field(period)] = by_period[period.pk].value
        super().__init__(*args, initial=initial, **kwargs)
        self.kpi = kpi
        self.periods = periods
        self.existing_period_targets = by_period
        for period in periods:
            field = _target_field(f"Target for {period.label}", required=False)
            field.widget.attrs["class"] = "govuk-input govuk-input--width-10"
            self.fields[self.period_field(period)] = field

    @staticmethod
    def period_field(period: ReportingPeriod) -> str:
        return f"period_{period.pk}"

    def period_fields(self) -> list:
        return [self[self.period_field(period)] for period in self.periods]

    def annual_fields(self) -> list:
        return [self["value"], self["intervention_level"], self["note"]]

    def clean(self) -> dict:
        cleaned = super().clean()
        for period in self.periods:
            name = self.period_field(period)
            removed = period.pk in self.existing_period_targets and cleaned.get(name) is None
            if removed and name not in self.errors:
                self.add_error(
                    name,
                    f"Enter a target for {period.label}: a period target cannot be removed, "
                    "only changed",
                )
        return cleaned

    def period_targets(self) -> list[tuple[ReportingPeriod, Decimal]]:
        return [
            (period, self.cleaned_data[self.period_field(period)])
            for period in self.periods
            if self.cleaned_data.get(self.period_field(period)) is not None
        ]


NUMBER_ATTRS = {
    "class": "govuk-input govuk-input--width-10",
    "inputmode": "decimal",
    "spellcheck": "false",
    "autocomplete": "off",
}

# A policy's short numbers (a tolerance, a margin, a threshold): the same input, five wide.
SHORT_NUMBER_ATTRS = {
    "class": "govuk-input govuk-input--width-5",
    "inputmode": "decimal",
    "spellcheck": "false",
}


class NumberField(forms.DecimalField):
    """A decimal that forgives what people type: 1,250.50, £1250.50, 72.5%."""

    def __init__(self, **kwargs) -> None:
        super().__init__(
            required=False,
            max_digits=18,
            decimal_places=4,
            widget=forms.TextInput(attrs=dict(NUMBER_ATTRS)),
            error_messages={
                "invalid": "Enter a number, like 72.5",
                "max_decimal_places": "Enter a number with no more than 4 decimal places",
                "max_digits": "Enter a smaller number",
                "max_whole_digits": "Enter a smaller number",
            },
            **kwargs,
        )

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", "").replace("£", "").rstrip("%").strip()
        try:
            return super().to_python(value)
        except InvalidOperation as error:  # pragma: no cover - DecimalField already maps these
            raise ValidationError(self.error_messages["invalid"], code="invalid") from error


class EntryForm(GovukForm):
    """One KPI's value for one period: a block on the officer's page."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    value = NumberField(label="Value")
    numerator = NumberField(label="Numerator")
    denominator = NumberField(label="Denominator")
    not_available = forms.BooleanField(required=False, label="The value is not available")
    not_available_reason = forms.CharField(
        required=False,
        max_length=MEASUREMENT_TEXT_LENGTHS["not_available_reason"],
        label="Why is the value not available?",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    commentary = forms.CharField(
        required=False,
        max_length=MEASUREMENT_TEXT_LENGTHS["commentary"],
        label="Commentary",
        help_text="What the value shows and why: it goes into the committee report.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    action_plan = forms.CharField(
        required=False,
        max_length=MEASUREMENT_TEXT_LENGTHS["action_plan"],
        label="Action plan",
        help_text="Needed before you can submit a Red or Amber value: what will bring it back on "
        "target, by whom and when.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    data_quality_note = forms.CharField(
        required=False,
        max_length=MEASUREMENT_TEXT_LENGTHS["data_quality_note"],
        label="Data quality note",
        help_text="Anything a reader should know about the data: estimates, late returns, "
        "changes of definition.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # The data-quality query (kpis.reporting.quality): shown once a submitted value is queried.
    query_seen = forms.CharField(required=False, widget=forms.HiddenInput)
    query_confirmed = forms.BooleanField(
        required=False, label="I have checked this value and it is right"
    )
    query_explanation = forms.CharField(
        required=False,
        label="Why is it so different?",
        help_text="Your approver sees this beside the value.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, kpi: Kpi, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kpi = kpi
        self.query = ""  # the query the service raised on this submission, in words
        self.uses_fraction = bool(kpi.numerator_label or kpi.denominator_label)
        if self.uses_fraction:
            del self.fields["value"]
            self.fields["numerator"].label = kpi.numerator_label or "Numerator"
            self.fields["denominator"].label = kpi.denominator_label or "Denominator"
        else:
            del self.fields["numerator"], self.fields["denominator"]
            self.fields["value"].label = f"Value ({kpi.unit_info.entry_words})"
        self.prefix_text = kpi.unit_info.prefix
        self.suffix_text = kpi.unit_info.suffix
        self.not_available_conditional_id = f"{self['not_available'].auto_id}-conditional"
        self.fields["not_available"].widget.attrs["data-aria-controls"] = (
            self.not_available_conditional_id
        )

    @classmethod
    def initial_for(cls, measurement: Measurement | None) -> dict:
        if measurement is None:
            return {"version": 0}
        return {"version": measurement.version} | {
            name: getattr(measurement, name) for name in Entry.FIELDS
        }

    @property
    def first_field_name(self) -> str:
        return "numerator" if self.uses_fraction else "value"

    def entry(self) -> Entry:
        """What was typed, as the services take it (the value computed from a fraction)."""
        data = self.cleaned_data
        entry = Entry(
            value=data.get("value"),
            numerator=data.get("numerator"),
            denominator=data.get("denominator"),
            not_available=data.get("not_available", False),
            not_available_reason=data.get("not_available_reason", ""),
            commentary=data.get("commentary", ""),
            action_plan=data.get("action_plan", ""),
            data_quality_note=data.get("data_quality_note", ""),
            query_explanation=data.get("query_explanation", ""),
        )
        if entry.not_available:
            entry.numerator = entry.denominator = None
        # Computed here, not only in the service, so a repeated save matches the stored value.
        entry.value = computed_value(self.kpi, entry)
        return entry

    def confirmed_query(self) -> str:
        """The query the officer ticked to confirm ("" when they did not tick)."""
        if not self.cleaned_data.get("query_confirmed"):
            return ""
        return self.cleaned_data.get("query_seen", "")

    def show_query(self, query: str) -> None:
        """Ask about `query`: a confirmation of another (the value changed since) is unticked."""
        self.query = query
        data = self.data.copy()
        if data.get(self.add_prefix("query_seen")) != query:
            data.pop(self.add_prefix("query_confirmed"), None)
        data[self.add_prefix("query_seen")] = query
        self.data = data

    @property
    def asks_about_query(self) -> bool:
        """Whether the block shows the query's questions: a query raised just now, or an
        explanation already given (kept, so that nothing typed is lost)."""
        return bool(self.query or (self["query_explanation"].value() or "").strip())

    def is_blank(self) -> bool:
        entry = self.entry()
        return entry.value is None and not any(
            getattr(entry, name) for name in Entry.FIELDS if name != "value"
        )

    def add_error(self, field, error) -> None:
        if field is not None and field not in self.fields:
            field = None
        super().add_error(field, error)
        self._mark_errors()

    def full_clean(self) -> None:
        super().full_clean()
        self._mark_errors()

    def _mark_errors(self) -> None:
        """GOV.UK error classes, and aria-describedby naming the hint and the error message."""
        if not hasattr(self, "_errors") or self._errors is None:
            return
        for name, field in self.fields.items():
            bound = self[name]
            described = []
            if field.help_text:
                described.append(f"{bound.auto_id}_helptext")
            if name in self._errors:
                described.append(f"{bound.auto_id}_error")
                css = field.widget.attrs.get("class", "")
                error_class = ERROR_CLASSES.get(css.split(" ")[0]) if css else None
                if error_class and error_class not in css:
                    field.widget.attrs["class"] = f"{css} {error_class}"
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)

    def add_service_errors(self, error: ValidationError) -> None:
        """Put a service's ValidationError on the fields it names (the value on a fraction's
        numerator when the KPI is entered as a fraction)."""
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                if name == "value" and "value" not in self.fields:
                    name = "numerator"
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
        else:
            for message in error.messages:
                self.add_error(None, message)

    def refresh_version(self, version: int) -> None:
        """After a stale save, carry the newer version so saving again (deliberately) works."""
        data = self.data.copy()
        data[self.add_prefix("version")] = str(version)
        self.data = data


class ReturnForm(GovukForm):
    reason = forms.CharField(
        label="Why are you returning it?",
        max_length=MEASUREMENT_TEXT_LENGTHS["returned_reason"],
        error_messages={"required": "Say why you are returning it"},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class UploadForm(GovukForm):
    """A CSV or XLSX file to import, within the size limit."""

    file = forms.FileField(
        label="File",
        error_messages={"required": "Choose a CSV or Excel file to import"},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file must be smaller than {limit // 1_048_576} MB. "
                "Split it into smaller files"
            )
        if PurePath(upload.name).suffix.lower() not in EXTENSIONS:
            raise forms.ValidationError("The file must be a CSV or Excel (.xlsx) file")
        return upload


class TargetsUploadForm(UploadForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].label = "Targets file"
        self.fields[
            "file"
        ].help_text = "A CSV or Excel (.xlsx) file with one target per row, in the targets format."


class ValuesUploadForm(UploadForm):
    historic = forms.BooleanField(
        label="Historic load into closed periods",
        required=False,
        help_text="Load past values into closed periods. They are stored as approved and "
        "marked as a historic load in each value's history.",
    )
    authority = forms.CharField(
        label="Authority for a historic load",
        required=False,
        max_length=500,
        help_text="Needed for a historic load: where the figures come from and who agreed them, "
        "for example “2024/25 outturn from the finance system, agreed by G&P”. It is kept with "
        "each value.",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "Say on what authority in 500 characters or fewer"},
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].label = "Values file"
        self.fields[
            "file"
        ].help_text = (
            "A CSV or Excel (.xlsx) file with one KPI value per row, in the values format."
        )
        if not user.has_perm("kpis.run_cycle"):
            # Only Governance and Performance may load history; crafted fields are ignored.
            del self.fields["historic"]
            del self.fields["authority"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("historic") and not (cleaned.get("authority") or "").strip():
            self.add_error(
                "authority",
                "Say on what authority these historic values are loaded, for example "
                "“2024/25 outturn from the finance system, agreed by G&P”",
            )
        return cleaned


def _threshold_field(label: str, help_text: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=3,
        help_text=help_text,
        widget=forms.TextInput(attrs=SHORT_NUMBER_ATTRS),
        error_messages={
            "invalid": "Enter the threshold as a number, like 50, or leave it blank",
            "min_value": "Enter a threshold of 0 or more, or leave it blank",
            "max_digits": "Enter a threshold under 100,000",
            "max_whole_digits": "Enter a threshold under 100,000",
            "max_decimal_places": "Enter a threshold with at most 3 decimal places",
        },
    )


class RagPolicyForm(GovukForm):
    amber_tolerance = forms.DecimalField(
        label="Amber tolerance",
        min_value=0,
        max_digits=8,
        decimal_places=3,
        help_text="Off target by this much or less is Amber; by more is Red. For example, 10.",
        widget=forms.TextInput(attrs=SHORT_NUMBER_ATTRS),
        error_messages={
            "required": "Enter the amber tolerance",
            "invalid": "Enter the amber tolerance as a number, like 10",
            "min_value": "Enter an amber tolerance of 0 or more",
        },
    )
    tolerance_basis = forms.ChoiceField(
        label="How the tolerance and the Blue margin are measured",
        choices=RagPolicy.Basis.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the tolerance is measured"},
    )
    blue_margin = forms.DecimalField(
        label="Blue margin",
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=3,
        help_text="Better than target by more than this is Blue. Leave blank for no Blue rating.",
        widget=forms.TextInput(attrs=SHORT_NUMBER_ATTRS),
        error_messages={
            "invalid": "Enter the Blue margin as a number, like 5, or leave it blank",
            "min_value": "Enter a Blue margin of 0 or more, or leave it blank",
        },
    )
    use_intervention_levels = forms.TypedChoiceField(
        label="Use each KPI's intervention level where it has one",
        choices=[("yes", "Yes: Amber down to the intervention level, Red beyond it"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to use intervention levels"},
    )

    query_change_percent = _threshold_field(
        "Data-quality query threshold (per cent)",
        "A value more than this per cent higher or lower than the KPI's last period, or the same "
        "period last year, is queried when it is submitted: its officer confirms it and explains "
        "it. For example, 50. Leave blank to query none.",
    )
    query_change_points = _threshold_field(
        "Data-quality query threshold for percentages (percentage points)",
        "Percentage KPIs are compared in percentage points: 72.5% then 40% is 32.5 points. "
        "For example, 20. Leave blank to query none.",
    )

    @classmethod
    def for_policy(cls, policy: RagPolicy, *args) -> "RagPolicyForm":
        initial = {
            "query_change_percent": policy.query_change_percent,
            "query_change_points": policy.query_change_points,
            "amber_tolerance": policy.amber_tolerance,
            "tolerance_basis": policy.tolerance_basis,
            "blue_margin": policy.blue_margin,
            "use_intervention_levels": "yes" if policy.use_intervention_levels else "no",
        }
        return cls(*args, initial=initial)
