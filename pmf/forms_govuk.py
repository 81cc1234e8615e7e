"""GOV.UK Frontend markup for Django forms: one renderer, one field template, classes by widget."""

from decimal import Decimal

from django import forms
from django.forms.renderers import TemplatesSetting
from django.forms.utils import pretty_name
from django.http import HttpRequest

from pmf.fields import too_long_message
from pmf.formatting import input_text

WIDGET_CLASSES = {
    "text": "govuk-input",
    "email": "govuk-input",
    "number": "govuk-input govuk-input--width-10",
    "password": "govuk-input",
    "date": "govuk-input govuk-input--width-10",
    "url": "govuk-input",
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "clearablefile": "govuk-file-upload",
    "file": "govuk-file-upload",
    "checkbox": "govuk-checkboxes__input",
}
ERROR_CLASSES = {
    "govuk-input": "govuk-input--error",
    "govuk-textarea": "govuk-textarea--error",
    "govuk-select": "govuk-select--error",
    "govuk-file-upload": "govuk-file-upload--error",
}


def posted(request: HttpRequest, *, files: bool = False) -> tuple:
    """A form's data arguments: the POST (even an empty one) on POST, nothing on GET.

    `Form(request.POST or None)` would leave a form unbound on an empty POST and skip validation.
    """
    if request.method != "POST":
        return ()
    return (request.POST, request.FILES) if files else (request.POST,)


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "pmf/forms/form.html"
    field_template_name = "pmf/forms/field.html"


def _label(field: forms.Field, name: str) -> str:
    return str(field.label or pretty_name(name)).strip()


def _required_message(field: forms.Field, name: str) -> str:
    """GOV.UK error wording that names the field: "Enter the name", "Select the directorate"."""
    label = _label(field, name)
    noun = (label[:1].lower() + label[1:]) if label else "this"
    choosing = isinstance(field.widget, forms.Select | forms.RadioSelect | forms.CheckboxInput)
    if isinstance(field.widget, forms.CheckboxSelectMultiple):
        return f"Select at least one {noun}"
    return f"{'Select' if choosing else 'Enter'} {noun}"


class CharacterCountTextarea(forms.Textarea):
    """A textarea with a limit, for the GOV.UK character count (`pmf/forms/field.html`): no
    maxlength attribute (it would cut pasted text short without a word; the count says how much
    is over instead), and described by the count's message, `<id>-info`."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs.pop("maxlength", None)
        widget_attrs["class"] = f"{widget_attrs.get('class', '')} govuk-js-character-count".strip()
        described = [f"{widget_attrs['id']}-info", widget_attrs.get("aria-describedby", "")]
        widget_attrs["aria-describedby"] = " ".join(filter(None, described))
        return context


class GovukFormMixin:
    """Adds GOV.UK classes to every widget, and the error variant to fields with errors; a
    textarea with a limit gets the character count and GOV.UK's message for too much text.

    A stored number starts in its input as a person would type it (pmf.formatting.input_text):
    80, not 80.0000 or 8E+1.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, value in self.initial.items():
            if isinstance(value, Decimal):
                self.initial[name] = input_text(value)
        for name, field in self.fields.items():
            widget_type = (
                type(field.widget).__name__.lower().removesuffix("input").removesuffix("widget")
            )
            css = WIDGET_CLASSES.get(widget_type, "")
            if css and "class" not in field.widget.attrs:
                field.widget.attrs["class"] = css
            if (
                field.error_messages.get("required")
                == forms.Field.default_error_messages["required"]
            ):
                field.error_messages["required"] = _required_message(field, name)
            limit = getattr(field, "max_length", None)
            if limit:
                field.error_messages["max_length"] = too_long_message(_label(field, name), limit)
                if type(field.widget) is forms.Textarea:
                    field.widget = CharacterCountTextarea(attrs=field.widget.attrs)

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            attrs = self.fields[name].widget.attrs
            css = attrs.get("class", "")
            error_class = ERROR_CLASSES.get(css.split(" ")[0])
            if error_class and error_class not in css:
                attrs["class"] = f"{css} {error_class}"

    def error_list(self) -> list[tuple[str, str]]:
        """(anchor id, message) pairs for the error summary, in field order."""
        items = [("", error) for error in self.non_field_errors()]
        for name, field in self.fields.items():
            anchor = self[name].auto_id or name
            if isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                anchor = f"{anchor}_0"
            for error in self.errors.get(name, []):
                items.append((anchor, error))
        return items


class GovukForm(GovukFormMixin, forms.Form):
    pass


class GovukModelForm(GovukFormMixin, forms.ModelForm):
    pass
