from pathlib import PurePath

from django import forms
from django.conf import settings

from pmf.forms_govuk import GovukForm
from pmf.roles import is_gp
from pmf.spreadsheets import EXTENSIONS


class ValuesUploadForm(GovukForm):
    file = forms.FileField(
        label="Values file",
        help_text="A CSV or Excel (.xlsx) file with one KPI value per row, in the values format.",
        error_messages={"required": "Choose a CSV or Excel file to import"},
    )
    historic = forms.BooleanField(
        label="Historic load into closed periods",
        required=False,
        help_text="Load past values into closed periods. They are stored as approved and "
        "marked as a historic load in each value's history.",
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not is_gp(user):
            # Only Governance and Performance may load history; a crafted field is ignored.
            del self.fields["historic"]

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
