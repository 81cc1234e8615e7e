from django import forms

from pmf.forms_govuk import GovukForm, GovukModelForm
from reports.models import VERSION_TEXT_LENGTHS, PackDraft


class PackDraftForm(GovukModelForm):
    class Meta:
        model = PackDraft
        fields = [
            "to",
            "from_text",
            "electoral_divisions",
            "key_decision",
            "forward_plan_ref",
            "outcome",
            "recommendations",
            "officer_contact",
            "member_contacts",
            "background",
            "alignment",
            "implications",
            "source_documents",
            "exception_mode",
        ]
        widgets = {
            "outcome": forms.Textarea(attrs={"rows": 3}),
            "officer_contact": forms.Textarea(attrs={"rows": 3}),
            "member_contacts": forms.Textarea(attrs={"rows": 3}),
            "from_text": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "from_text": "One post a line.",
            "officer_contact": "Name, post, email and telephone, one a line.",
            "member_contacts": "Names and posts, one a line.",
            "source_documents": "One document a line.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("to", "from_text", "outcome", "recommendations"):
            self.fields[name].required = True
        self.fields["to"].error_messages["required"] = "Enter who the report is to"
        self.fields["from_text"].error_messages["required"] = "Enter who the report is from"


class WithdrawForm(GovukForm):
    reason = forms.CharField(
        label="Why is this version withdrawn?",
        help_text="The public page shows this reason.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=VERSION_TEXT_LENGTHS["withdrawn_reason"],
        error_messages={"required": "Enter why the pack is withdrawn."},
    )


class PublishForm(GovukForm):
    """Publish now. A pack that is not ready needs a reason (`ready=False` makes it required)."""

    reason = forms.CharField(
        label="Why publish it before it is ready?",
        help_text="Stored with the version: its public page shows this reason.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
        error_messages={"required": "Enter why the pack should be published before it is ready."},
    )

    def __init__(self, *args, ready: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = not ready


class ScheduleForm(GovukForm):
    """Publish on the papers date, after that day's readiness check."""

    prefix = "schedule"
    reason = forms.CharField(
        label="If it is not ready on the day, publish it anyway because",
        help_text="Leave this blank to be e-mailed instead, and publish it yourself. A reason "
        "given here is shown on the public page if it is used.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
