"""Forms for G&P's reporting cycle: creating a year's periods, opening, reopening, targets."""

from decimal import Decimal

from django import forms

from kpis.models import Kpi, ReportingPeriod, Target
from pmf.forms_govuk import GovukForm

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
        max_length=2000,
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
                "value": annual.value.normalize(),
                "intervention_level": annual.intervention_level.normalize()
                if annual.intervention_level is not None
                else None,
                "note": annual.note,
            }
        for period in periods:
            if period.pk in by_period:
                initial[self.period_field(period)] = by_period[period.pk].value.normalize()
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
