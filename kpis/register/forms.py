import datetime

from django import forms
from django.utils.text import capfirst

from kpis.register.models import (
    KPI_TEXT_LENGTHS,
    MAX_DECIMALS,
    Committee,
    Directorate,
    Kpi,
    Priority,
    Service,
    Unit,
    unit_table,
)
from pmf.forms_govuk import GovukForm, GovukModelForm
from pmf.models import User
from pmf.roles import Role


def places_field(model: type, blank: str) -> forms.TypedChoiceField:
    """How many decimal places figures are shown with: a choice of 0 to 4, or `blank`."""
    field = model._meta.get_field("decimals")
    return forms.TypedChoiceField(
        label=capfirst(field.verbose_name),
        help_text=field.help_text,
        choices=[("", blank)] + [(n, str(n)) for n in range(MAX_DECIMALS + 1)],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": f"Select from 0 to {MAX_DECIMALS} decimal places"},
    )


def unit_choices() -> list[tuple[str, str]]:
    """The council's units, read when a form is shown (so a unit added a moment ago is there)."""
    return [("", "Select a unit")] + [(unit.code, unit.name) for unit in unit_table.all()]


class KpiForm(GovukModelForm):
    unit = forms.ChoiceField(
        choices=unit_choices,
        help_text="The register's Units page lists the council's units and how each is written.",
    )
    decimals = places_field(Kpi, "The unit's")
    committees = forms.ModelMultipleChoiceField(
        queryset=Committee.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The committees this KPI is reported to from today.",
    )

    class Meta:
        model = Kpi
        fields = [
            "reference",
            "name",
            "description",
            "definition",
            "calculation",
            "rationale",
            "directorate",
            "service",
            "priorities",
            "committees",
            "lead_officer",
            "delegates",
            "level",
            "perspective",
            "metric_category",
            "frequency",
            "unit",
            "decimals",
            "direction",
            "value_basis",
            "year_figure",
            "seasonal",
            "indicator_type",
            "is_financial",
            "target_kind",
            "long_term_target",
            "long_term_target_year",
            "benchmark",
            "numerator_label",
            "denominator_label",
            "allows_values_outside_0_100",
            "rag_amber_tolerance",
            "rag_tolerance_basis",
            "rag_use_intervention_levels",
            "query_threshold",
            "data_source",
            "in_information_asset_register",
            "status",
            "date_added",
            "added_by_decision",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "definition": forms.Textarea(attrs={"rows": 3}),
            "calculation": forms.Textarea(attrs={"rows": 3}),
            "rationale": forms.Textarea(attrs={"rows": 3}),
            "priorities": forms.CheckboxSelectMultiple,
            "delegates": forms.CheckboxSelectMultiple,
            "date_added": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.select_related("directorate")
        self.fields["service"].label_from_instance = lambda s: (
            f"{s.name} ({s.directorate.short_name})"
        )
        self.fields["directorate"].queryset = Directorate.objects.filter(is_active=True)
        names = unit_table.names().replace("%", "%%")  # the message is %-formatted with the value
        self.fields["unit"].error_messages["invalid_choice"] = (
            f"%(value)s is not one of the council's units. Select one of: {names}"
        )
        self.fields["priorities"].queryset = Priority.objects.filter(is_active=True)
        officers = User.objects.filter(groups__name=Role.OFFICER.value, is_active=True)
        self.fields["lead_officer"].queryset = officers
        self.fields["delegates"].queryset = officers
        # Suspending and retiring have their own pages, which ask for a reason.
        self.fields["status"].choices = [
            choice
            for choice in Kpi.Status.choices
            if choice[0] not in (Kpi.Status.SUSPENDED, Kpi.Status.RETIRED)
        ]
        if self.instance.pk:
            # The reference number is fixed for ever once given.
            self.fields["reference"].disabled = True
            self.fields["committees"].initial = [
                m.committee_id for m in self.instance.memberships.all() if m.ended_on is None
            ]
            if self.instance.status in (Kpi.Status.SUSPENDED, Kpi.Status.RETIRED):
                del self.fields["status"]
        else:
            self.fields["date_added"].initial = datetime.date.today


class ReasonForm(GovukForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=KPI_TEXT_LENGTHS["status_reason"],
        error_messages={"required": "Enter the reason"},
    )


class RetireForm(ReasonForm):
    date_removed = forms.DateField(
        label="Date it left the register",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the date it left the register",
            "invalid": "Enter a real date",
        },
    )
    decision = forms.CharField(
        label="Decision that removed it",
        max_length=300,
        required=False,
        help_text="For example: Strategy, Resources and Performance Committee, 27 June 2022.",
    )

    def __init__(self, *args, kpi: Kpi, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kpi = kpi
        self.fields["date_removed"].initial = datetime.date.today

    def clean_date_removed(self) -> datetime.date:
        day = self.cleaned_data["date_removed"]
        if day < self.kpi.date_added:
            raise forms.ValidationError(
                "The date it left must be on or after the date it was added "
                f"({self.kpi.date_added.day} {self.kpi.date_added:%B %Y})"
            )
        return day


class DirectorateForm(GovukModelForm):
    class Meta:
        model = Directorate
        fields = ["name", "short_name", "approvers", "is_active"]
        widgets = {"approvers": forms.CheckboxSelectMultiple}
        labels = {"is_active": "In use (untick to retire it)"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["approvers"].queryset = User.objects.filter(
            groups__name=Role.APPROVER.value, is_active=True
        )
        self.fields["approvers"].help_text = "People with the directorate approver role."


class ServiceForm(GovukModelForm):
    class Meta:
        model = Service
        fields = ["directorate", "name", "is_active"]
        labels = {"is_active": "In use (untick to retire it)"}


class PriorityForm(GovukModelForm):
    class Meta:
        model = Priority
        fields = ["number", "name", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        labels = {"is_active": "In use (untick to retire it)"}


class UnitForm(GovukModelForm):
    decimals = places_field(Unit, "As entered")

    class Meta:
        model = Unit
        fields = [
            "code",
            "name",
            "prefix",
            "suffix",
            "singular_suffix",
            "money",
            "decimals",
            "whole_numbers",
            "rate_per",
            "lowest",
            "highest",
            "aliases",
        ]
        widgets = {"aliases": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # KPIs, files and history name a unit by its code: it is fixed once given.
            self.fields["code"].disabled = True
        for name in ("prefix", "suffix", "singular_suffix"):
            self.fields[name].widget.attrs["class"] = "govuk-input govuk-input--width-10"


class RegisterUploadForm(GovukForm):
    file = forms.FileField(
        label="Register file",
        help_text="A CSV or Excel (.xlsx) file in the register format.",
        error_messages={"required": "Choose a CSV or Excel file to import"},
    )
