from decimal import Decimal

from django import forms

from kpis.models import Committee, Directorate, Kpi, Priority, RagPolicy, ReportingPeriod
from kpis.rating import Rating
from pmf.forms_govuk import GovukForm
from pmf.spreadsheets import format_decimal
from scorecards.selectors import ORGANISATION_LEVELS


class ScorecardFilterForm(GovukForm):
    """Filters for a scorecard page (GET): RAG, level and priority."""

    rag = forms.MultipleChoiceField(
        label="RAG rating",
        required=False,
        choices=[(r.value, r.label) for r in Rating],
        widget=forms.CheckboxSelectMultiple,
    )
    level = forms.MultipleChoiceField(
        label="Level",
        required=False,
        choices=Kpi.Level.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    priority = forms.ModelChoiceField(
        label="Priority or ambition",
        required=False,
        queryset=Priority.objects.none(),
        empty_label="All priorities and ambitions",
    )

    def __init__(self, *args, kind: str = "directorate", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = Priority.objects.filter(is_active=True)
        if kind == "organisation":
            self.fields["level"].choices = [
                (value, label) for value, label in Kpi.Level.choices if value in ORGANISATION_LEVELS
            ]

    def filters(self) -> dict:
        """Keyword arguments for selectors.scorecard (nothing when the form is invalid)."""
        if not self.is_valid():
            return {}
        priority = self.cleaned_data.get("priority")
        return {
            "rag": tuple(self.cleaned_data.get("rag") or ()),
            "level": tuple(self.cleaned_data.get("level") or ()),
            "priority": priority.pk if priority else None,
        }


class ScorecardChoiceForm(GovukForm):
    """Pick a scorecard and a period on the index page (GET)."""

    scorecard = forms.ChoiceField(label="Scorecard")
    period = forms.TypedChoiceField(label="Period", coerce=int)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scorecard"].choices = [
            ("organisation", "Organisational scorecard"),
            (
                "Directorates",
                [
                    (f"directorate:{d.pk}", d.name)
                    for d in Directorate.objects.filter(is_active=True)
                ],
            ),
            (
                "Committees",
                [(f"committee:{c.pk}", c.name) for c in Committee.objects.filter(is_active=True)],
            ),
        ]
        periods = ReportingPeriod.objects.order_by("-starts_on")
        groups: dict[str, list] = {"quarter": [], "month": [], "year": []}
        for period in periods:
            groups[period.kind].append((period.pk, period.label))
        self.fields["period"].choices = [
            (heading, groups[kind])
            for kind, heading in (("quarter", "Quarters"), ("month", "Months"), ("year", "Years"))
            if groups[kind]
        ]


class RagPolicyForm(GovukForm):
    amber_tolerance = forms.DecimalField(
        label="Amber tolerance",
        min_value=0,
        max_digits=8,
        decimal_places=3,
        help_text="Off target by this much or less is Amber; by more is Red. For example, 10.",
        widget=forms.TextInput(
            attrs={
                "inputmode": "decimal",
                "spellcheck": "false",
                "class": "govuk-input govuk-input--width-5",
            }
        ),
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
        widget=forms.TextInput(
            attrs={
                "inputmode": "decimal",
                "spellcheck": "false",
                "class": "govuk-input govuk-input--width-5",
            }
        ),
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

    @classmethod
    def for_policy(cls, policy: RagPolicy, *args) -> "RagPolicyForm":
        initial = {
            "amber_tolerance": format_decimal(Decimal(str(policy.amber_tolerance))),
            "tolerance_basis": policy.tolerance_basis,
            "blue_margin": policy.blue_margin.normalize()
            if policy.blue_margin is not None
            else None,
            "use_intervention_levels": "yes" if policy.use_intervention_levels else "no",
        }
        return cls(*args, initial=initial)
