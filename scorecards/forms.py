from django import forms
from django.utils import timezone

from kpis.rating import Rating
from kpis.register.models import Committee, Directorate, Kpi, Priority
from kpis.reporting.models import ReportingPeriod
from pmf.forms_govuk import GovukForm
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
        # Periods that have begun: a scorecard of a future period would have nothing in it.
        periods = ReportingPeriod.objects.begun_by(timezone.localdate()).order_by("-starts_on")
        groups: dict[str, list] = {"quarter": [], "month": [], "year": []}
        for period in periods:
            groups[period.kind].append((period.pk, period.label))
        self.fields["period"].choices = [
            (heading, groups[kind])
            for kind, heading in (("quarter", "Quarters"), ("month", "Months"), ("year", "Years"))
            if groups[kind]
        ]
