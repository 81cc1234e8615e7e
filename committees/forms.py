import datetime

from django import forms
from django.utils import timezone

from committees.models import (
    ActionItem,
    ActionStatus,
    AuditCheck,
    CommitteeDetails,
    Meeting,
    Proposal,
    QualityCheck,
)
from committees.services import EQUALITY_OUTCOMES
from kpis.register.models import Committee, Directorate, Kpi, Priority, Service
from kpis.reporting.models import ReportingPeriod
from pmf.forms_govuk import GovukForm, GovukModelForm
from pmf.models import User
from pmf.roles import Role

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SetDateForm(GovukForm):
    on = forms.DateField(
        label="Show the KPI set on", widget=DATE, help_text="For example, the date of a meeting."
    )


class CommitteeDetailsForm(GovukModelForm):
    class Meta:
        model = CommitteeDetails
        fields = ["chair", "vice_chair", "clerks", "reports_after"]
        widgets = {"clerks": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chair"].required = True
        self.fields["clerks"].queryset = User.objects.filter(
            groups__name=Role.CLERK.value, is_active=True
        )
        self.fields["reports_after"].queryset = Committee.objects.filter(is_active=True).exclude(
            pk=self.instance.committee_id
        )


class MeetingForm(GovukModelForm):
    class Meta:
        model = Meeting
        fields = ["date", "period", "papers_published_on", "status", "notes"]
        widgets = {
            "date": DATE,
            "papers_published_on": DATE,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        quarters = ReportingPeriod.objects.filter(kind=ReportingPeriod.Kind.QUARTER)
        self.fields["period"].queryset = quarters.order_by("-starts_on")
        self.fields["papers_published_on"].required = False
        if self.instance.pk is None and self.initial.get("period") is None:
            # A new meeting considers the latest quarter with values, not a future one.
            self.initial["period"] = quarters.latest_with_values(timezone.localdate())


class ProposalFilterForm(GovukForm):
    stage = forms.ChoiceField(choices=[("", "Any stage"), *Proposal.Stage.choices], required=False)
    committee = forms.ModelChoiceField(
        Committee.objects.all(), required=False, empty_label="Any committee"
    )
    directorate = forms.ModelChoiceField(
        Directorate.objects.all(), required=False, empty_label="Any directorate"
    )


DRAFT_FIELDS = [
    "name",
    "description",
    "service",
    "priorities",
    "kpi_rationale",
    "data_source",
    "unit",
    "direction",
    "frequency",
    "level",
    "target_kind",
    "perspective",
    "metric_category",
    "indicator_type",
]
FIELDS_BY_KIND = {
    Proposal.Kind.ADD: ["kpi", "directorate", *DRAFT_FIELDS, "committees", "rationale"],
    Proposal.Kind.REMOVE: ["kpi", "committees", "retire_kpi", "changes", "rationale"],
    Proposal.Kind.AMEND: ["kpi", "changes", *DRAFT_FIELDS, "committees", "rationale"],
}


class ProposalForm(GovukModelForm):
    class Meta:
        model = Proposal
        fields = [
            "kpi",
            "directorate",
            *DRAFT_FIELDS,
            "committees",
            "retire_kpi",
            "changes",
            "rationale",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "kpi_rationale": forms.Textarea(attrs={"rows": 3}),
            "changes": forms.Textarea(attrs={"rows": 3}),
            "rationale": forms.Textarea(attrs={"rows": 3}),
            "committees": forms.CheckboxSelectMultiple,
            "priorities": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, kind: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        for name in list(self.fields):
            if name not in FIELDS_BY_KIND[kind]:
                del self.fields[name]
        kpis = Kpi.objects.exclude(status=Kpi.Status.RETIRED).select_related("directorate")
        self.fields["kpi"].queryset = kpis
        self.fields["kpi"].required = kind != Proposal.Kind.ADD
        if kind == Proposal.Kind.ADD:
            self.fields["kpi"].label = "Existing KPI (optional)"
            self.fields["kpi"].help_text = (
                "Only to add a KPI already in the register to these committees' sets. "
                "Leave blank to propose a new KPI."
            )
            self.fields["directorate"].queryset = Directorate.objects.filter(is_active=True)
            self.fields["directorate"].required = False
        if "service" in self.fields:
            self.fields["service"].queryset = Service.objects.filter(is_active=True).select_related(
                "directorate"
            )
            self.fields["service"].label = "Mapping to service"
            self.fields["service"].label_from_instance = lambda s: (
                f"{s.name} ({s.directorate.short_name})"
            )
            self.fields["priorities"].queryset = Priority.objects.filter(is_active=True)
            self.fields["priorities"].required = False
        if kind == Proposal.Kind.AMEND:
            for name in DRAFT_FIELDS:
                self.fields[name].required = False
                self.fields[name].help_text = "Leave blank to keep it as it is."
        self.fields["committees"].queryset = Committee.objects.filter(is_active=True)
        self.fields["committees"].label = "Committees"
        self.fields["committees"].help_text = "The committees whose KPI sets this changes."

    def clean(self):
        data = super().clean()
        kpi = data.get("kpi")
        if kpi is not None:
            self.instance.directorate = kpi.directorate
            if "directorate" in self.fields:
                data["directorate"] = kpi.directorate
        elif self.kind == Proposal.Kind.ADD and not data.get("directorate"):
            self.add_error("directorate", "Select the directorate")
        self.instance.kind = self.kind
        return data

    def _post_clean(self) -> None:
        self.instance.kind = self.kind
        super()._post_clean()


class QualityCheckForm(GovukForm):
    """One yes / no / not applicable question per quality standard, each with a note."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for criterion in QualityCheck.Criterion:
            self.fields[f"{criterion.value}"] = forms.ChoiceField(
                label=criterion.label,
                choices=QualityCheck.Answer.choices,
                widget=forms.RadioSelect,
            )
            self.fields[f"{criterion.value}_note"] = forms.CharField(
                label=f"Note on “{criterion.label}”", required=False, max_length=500
            )

    def answers(self) -> dict[str, tuple[str, str]]:
        return {
            criterion.value: (
                self.cleaned_data[criterion.value],
                self.cleaned_data[f"{criterion.value}_note"],
            )
            for criterion in QualityCheck.Criterion
        }


class ConsultationForm(GovukForm):
    plan = forms.CharField(
        label="Who the director decided to consult, and why",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    responses = forms.CharField(
        label="Who was consulted and their responses",
        help_text="One per line, as “who: what they said”.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def clean_responses(self) -> list[tuple[str, str]]:
        rows = []
        for line in self.cleaned_data["responses"].splitlines():
            if not line.strip():
                continue
            who, _, said = line.partition(":")
            if not who.strip():
                raise forms.ValidationError("Start each line with who was consulted")
            rows.append((who.strip()[:200], said.strip()))
        if not rows:
            raise forms.ValidationError("Enter who was consulted")
        return rows


class EqualityForm(GovukForm):
    outcome = forms.ChoiceField(
        label="Outcome of the equality and diversity impact assessment",
        choices=list(EQUALITY_OUTCOMES.items()),
        widget=forms.RadioSelect,
    )
    summary = forms.CharField(
        label="Summary of the assessment", widget=forms.Textarea(attrs={"rows": 4})
    )


class DirectorDecisionForm(GovukForm):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("approve", "Approve"), ("reject", "Reject")],
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(
        label="Reasons",
        required=False,
        help_text="Required when you reject the proposal.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not data.get("reasons", "").strip():
            self.add_error("reasons", "Enter the reasons for rejecting the proposal")
        return data


class CommitteeDecisionForm(GovukForm):
    meeting = forms.ModelChoiceField(Meeting.objects.none(), label="Meeting")
    outcome = forms.ChoiceField(
        label="The committee's decision",
        choices=[("agreed", "Agreed"), ("rejected", "Rejected"), ("deferred", "Deferred")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Minute or note", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, meetings, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings


class AdoptForm(GovukForm):
    pass


class ActionItemForm(GovukModelForm):
    class Meta:
        model = ActionItem
        fields = [
            "reference",
            "action",
            "milestone",
            "lead_officer",
            "success_criteria",
            "baseline",
            "status",
            "target_date",
        ]
        widgets = {
            "action": forms.Textarea(attrs={"rows": 3}),
            "success_criteria": forms.Textarea(attrs={"rows": 2}),
            "baseline": forms.Textarea(attrs={"rows": 2}),
            "target_date": DATE,
        }


class ActionUpdateForm(GovukForm):
    written_on = forms.DateField(label="Date of the update", widget=DATE)
    status = forms.ChoiceField(
        label="Status", choices=ActionStatus.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label="Update or comments by the lead officer", widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("initial", {"written_on": datetime.date.today()})
        super().__init__(*args, **kwargs)


class AuditDrawForm(GovukForm):
    period = forms.ModelChoiceField(
        ReportingPeriod.objects.none(),
        label="Locked quarter",
        help_text="A sample is drawn from each committee's KPI set as it stood at the "
        "quarter's end.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        locked = ReportingPeriod.objects.filter(
            kind=ReportingPeriod.Kind.QUARTER, state=ReportingPeriod.State.LOCKED
        ).order_by("-starts_on")
        self.fields["period"].queryset = locked
        self.initial.setdefault("period", locked.first())  # the quarter just reported


class AuditCheckForm(GovukModelForm):
    class Meta:
        model = AuditCheck
        fields = [
            "accurately_calculated",
            "accurately_reported",
            "remedial_action",
            "still_relevant",
            "findings",
            "follow_up",
        ]
        widgets = {
            "accurately_calculated": forms.RadioSelect,
            "accurately_reported": forms.RadioSelect,
            "remedial_action": forms.RadioSelect,
            "still_relevant": forms.RadioSelect,
            "findings": forms.Textarea(attrs={"rows": 3}),
            "follow_up": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in (
            "accurately_calculated",
            "accurately_reported",
            "remedial_action",
            "still_relevant",
        ):
            self.fields[name].required = True
            self.fields[name].choices = AuditCheck.Answer.choices
