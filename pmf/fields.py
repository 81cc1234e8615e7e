"""Free text with a length that suits its use, held to it by the form, the model and the database.

A commentary of 3 MB was once accepted, and its committee pack took 80 s and 1.26 GB to render.
So every text people type at length has a limit, set once on its model field:

- `bounded_text(max_length=…)` is a TextField whose forms get that max_length (shown with the
  GOV.UK character count, see `pmf.forms_govuk`) and whose model validation (`full_clean`, which
  the register import and the services run) refuses longer text;
- `length_checks(...)` are CHECK constraints that hold the database to the same limits, whatever
  writes to it (the values import writes rows in bulk, without the model).
"""

from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual


class TextLengthValidator(MaxLengthValidator):
    message = "Shorten it to %(limit_value)s characters or less: it has %(show_value)s."


def bounded_text(
    verbose_name: str | None = None, *, max_length: int, **options
) -> models.TextField:
    return models.TextField(
        verbose_name, max_length=max_length, validators=[TextLengthValidator(max_length)], **options
    )


def length_checks(prefix: str, lengths: dict[str, int]) -> list[models.CheckConstraint]:
    """One CHECK per field, `<prefix>_<field>_length`: at most that many characters."""
    return [
        models.CheckConstraint(
            condition=LessThanOrEqual(Length(name), limit), name=f"{prefix}_{name}_length"
        )
        for name, limit in lengths.items()
    ]


def too_long(label: str, text: str, limit: int) -> str | None:
    """The GOV.UK message for text over its limit, or None."""
    return too_long_message(label, limit) if len(text) > limit else None


def too_long_message(label: str, limit: int) -> str:
    return f"{label} must be {limit:,} characters or less"
