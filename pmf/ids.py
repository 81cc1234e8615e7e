"""Ids in addresses and forms: a number a database column can hold, or no row at all.

A 25-digit id names no row, but sent to the database it is an error, not an empty result: SQLite
cannot bind an integer past 2**63 - 1 (OverflowError) and PostgreSQL refuses a number beyond its
column's type. Either was a 500. So, once for the whole product (`PmfConfig.ready`):

- addresses take ids through the `id` converter (`<id:meeting_id>`): a longer or larger number
  does not match the address, which is a 404;
- posted or queried ids are read with `parse_id`: anything but a number a column can hold is None;
- `in` on an integer column (a form's choice of several rows, `in_bulk`) leaves out numbers the
  column cannot hold, as Django's own `exact`, `lt` and `gt` already do.
"""

from django.db.models import IntegerField
from django.db.models.lookups import In
from django.urls import register_converter

# The largest BigAutoField, and the largest integer SQLite stores.
MAX_ID = 2**63 - 1
# Every number of up to 18 digits is below MAX_ID, so an address matched by this never needs a
# second check (an address written with `re_path` gets the text, not a number).
ID_PATTERN = "[0-9]{1,18}"


class IdConverter:
    regex = ID_PATTERN

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError("No row has this id.")  # the address does not match: a 404
        return number

    def to_url(self, value: int | str) -> str:
        return str(value)


def parse_id(text: str | None) -> int | None:
    """A posted or queried id as a number, or None if it is missing, not a number or too large."""
    if not text or len(text) > 18 or not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if number <= MAX_ID else None


class InColumnRange(In):
    """`in` on an integer column, without the numbers that column cannot hold (none can match)."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            kind = self.lhs.output_field.get_internal_type()
            low, high = connection.ops.integer_field_range(kind)
            self.rhs = [value for value in self.rhs if _within(value, low, high)]
        return super().process_rhs(compiler, connection)


def _within(value, low: int | None, high: int | None) -> bool:
    if not isinstance(value, int):
        return True  # None and expressions: In deals with them
    return (low is None or value >= low) and (high is None or value <= high)


def install() -> None:
    register_converter(IdConverter, "id")
    IntegerField.register_lookup(InColumnRange)
