"""Forms for entering a KPI's value for a period, and for returning a value to its officer.

The unit rules (percentages 0–100, whole numbers, pounds and pence, "not available" needs a reason,
off target needs an action plan) live in kpis.measurements and are applied by its services; these
forms only parse what was typed and carry the service's messages back to the right field.
"""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError

from kpis.measurements import Entry, computed_value
from kpis.models import Kpi, Measurement
from pmf.forms_govuk import ERROR_CLASSES, GovukForm

NUMBER_ATTRS = {
    "class": "govuk-input govuk-input--width-10",
    "inputmode": "decimal",
    "spellcheck": "false",
    "autocomplete": "off",
}
UNIT_PREFIX = {Kpi.Unit.MONEY: "£"}
UNIT_WORDS = {
    Kpi.Unit.PERCENT: "%",
    Kpi.Unit.COUNT: "a whole number",
    Kpi.Unit.MONEY: "£",
    Kpi.Unit.DAYS: "days",
    Kpi.Unit.WEEKS: "weeks",
    Kpi.Unit.RATE_PER_1000: "per 1,000",
    Kpi.Unit.RATE_PER_10000: "per 10,000",
    Kpi.Unit.RATE_PER_100000: "per 100,000",
    Kpi.Unit.SCORE: "score",
    Kpi.Unit.RATIO: "ratio",
}
UNIT_SUFFIX = {
    Kpi.Unit.PERCENT: "%",
    Kpi.Unit.DAYS: "days",
    Kpi.Unit.WEEKS: "weeks",
    Kpi.Unit.RATE_PER_1000: "per 1,000",
    Kpi.Unit.RATE_PER_10000: "per 10,000",
    Kpi.Unit.RATE_PER_100000: "per 100,000",
}


def _plain(value: Decimal) -> str:
    """72.5000 → "72.5", 1000.0000 → "1000": what the officer typed, not the database's scale."""
    number = value.normalize()
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    return f"{number:f}"


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
        label="Why is the value not available?",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    commentary = forms.CharField(
        required=False,
        label="Commentary",
        help_text="What the value shows and why: it goes into the committee report.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    action_plan = forms.CharField(
        required=False,
        label="Action plan",
        help_text="Needed before you can submit a Red or Amber value: what will bring it back on "
        "target, by whom and when.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    data_quality_note = forms.CharField(
        required=False,
        label="Data quality note",
        help_text="Anything a reader should know about the data: estimates, late returns, "
        "changes of definition.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, kpi: Kpi, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kpi = kpi
        self.uses_fraction = bool(kpi.numerator_label or kpi.denominator_label)
        if self.uses_fraction:
            del self.fields["value"]
            self.fields["numerator"].label = kpi.numerator_label or "Numerator"
            self.fields["denominator"].label = kpi.denominator_label or "Denominator"
        else:
            del self.fields["numerator"], self.fields["denominator"]
            self.fields["value"].label = f"Value ({UNIT_WORDS.get(kpi.unit, 'number')})"
        self.prefix_text = UNIT_PREFIX.get(kpi.unit, "")
        self.suffix_text = UNIT_SUFFIX.get(kpi.unit, "")
        self.not_available_conditional_id = f"{self['not_available'].auto_id}-conditional"
        self.fields["not_available"].widget.attrs["data-aria-controls"] = (
            self.not_available_conditional_id
        )

    @classmethod
    def initial_for(cls, measurement: Measurement | None) -> dict:
        if measurement is None:
            return {"version": 0}
        initial = {"version": measurement.version}
        for name in Entry.FIELDS:
            value = getattr(measurement, name)
            initial[name] = _plain(value) if isinstance(value, Decimal) else value
        return initial

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
        )
        if entry.not_available:
            entry.numerator = entry.denominator = None
        # Computed here, not only in the service, so a repeated save matches the stored value.
        entry.value = computed_value(self.kpi, entry)
        return entry

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
        error_messages={"required": "Say why you are returning it"},
        widget=forms.Textarea(attrs={"rows": 3}),
    )
