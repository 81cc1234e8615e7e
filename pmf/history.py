"""The audit trail as people read it: one presenter for every history in the product.

django-simple-history records every version of the register, targets, values, the RAG policy and
the committee records. `history_entries` turns a list of those records (of one object or several)
into entries, newest first: when, who, what kind of change, why, and each field's old and new
value in words. Pages show them with `templates/pmf/includes/history.html`.

Each record is compared with the one before it of the same object by simple-history's own
`diff_against`, on the fields asked for, without touching the database: a page's history costs
its own queries (the records, with `history_user` selected) and one per foreign key shown.
"""

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models

from pmf.formatting import number_text
from pmf.models import person_name

SYSTEM = "System"  # who made a change that no signed-in person made (a command, a migration)
KINDS = {"+": "Created", "~": "Changed", "-": "Deleted"}

Words = Callable[[Any], str]


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class Entry:
    when: datetime.datetime
    who: str
    kind: str
    reason: str
    changes: list[Change] = field(default_factory=list)
    scope: str = ""  # which object, when a history covers several ("Value for 2025/26 Q1")


def history_entries(
    records: Iterable[models.Model],
    *,
    fields: Sequence[str],
    labels: dict[str, str] | None = None,
    words: dict[str, Words] | None = None,
    scope: Callable[[Any], str] | None = None,
    show_initial: bool = False,
    more: Callable[[Any, Any], list[Change]] | None = None,
) -> list[Entry]:
    """Entries for `records`, newest first, each listing how `fields` changed.

    labels: a field's name as people read it (by default its verbose name). words: how a field's
    values are written, where its choices, type or foreign key do not say. scope: which object a
    record is of, for a history of several. show_initial: list a created object's first values.
    more(record, older): changes `diff_against` cannot see cheaply (a many-to-many field).
    """
    ordered = sorted(records, key=lambda r: (r.history_date, r.history_id))
    if not ordered:
        return []
    model = type(ordered[0])
    writers = _writers(model, fields, ordered, words or {})
    names = {name: (labels or {}).get(name) or _verbose(model, name) for name in fields}
    previous: dict[Any, models.Model] = {}
    entries = []
    for record in ordered:
        key = getattr(record, record.instance_type._meta.pk.attname)
        older = previous.get(key)
        previous[key] = record
        changes = _changes(record, older, fields, names, writers, show_initial)
        if more is not None and older is not None:
            changes += more(record, older)
        entries.append(
            Entry(
                when=record.history_date,
                who=person_name(record.history_user) or SYSTEM,
                kind=KINDS.get(record.history_type, record.history_type),
                reason=record.history_change_reason or "",
                changes=changes,
                scope=scope(record) if scope else "",
            )
        )
    entries.reverse()
    return entries


def _changes(record, older, fields, names, writers, show_initial: bool) -> list[Change]:
    if older is not None:
        delta = record.diff_against(older, included_fields=fields)
        by_field = {change.field: change for change in delta.changes}
        pairs = [(name, by_field[name].old, by_field[name].new) for name in by_field]
        pairs.sort(key=lambda pair: fields.index(pair[0]))  # in the caller's order
    elif show_initial:
        pairs = [(name, None, getattr(record, _attname(record, name))) for name in fields]
        pairs = [pair for pair in pairs if pair[2] not in (None, "", False)]
    else:
        pairs = []
    return [Change(names[name], writers[name](old), writers[name](new)) for name, old, new in pairs]


def _writers(model, fields: Sequence[str], records: list, words: dict[str, Words]) -> dict:
    """How each field's values are written: given words, choices, yes/no, figures, or the name of
    the object a foreign key points at (one query per foreign key field)."""
    writers = {}
    for name in fields:
        model_field = model._meta.get_field(name)
        if name in words:
            writers[name] = _blank_or(words[name])
        elif model_field.choices:
            choices = {str(key): str(label) for key, label in model_field.choices}
            writers[name] = _blank_or(lambda value, c=choices: c.get(str(value), str(value)))
        elif isinstance(model_field, models.BooleanField):
            writers[name] = lambda value: "" if value is None else ("Yes" if value else "No")
        elif model_field.is_relation:
            writers[name] = _blank_or(_related_names(model_field, records).get)
        else:
            writers[name] = _blank_or(_plain)
    return writers


def _blank_or(write: Words) -> Words:
    def written(value) -> str:
        if value is None or value == "":
            return ""
        found = write(value)
        return "" if found is None else str(found)

    return written


def _plain(value) -> str:
    if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
        return number_text(value)
    if isinstance(value, datetime.date):
        return f"{value:%-d %B %Y}"
    return str(value)


def _related_names(model_field, records: list) -> dict:
    ids = {getattr(record, model_field.attname) for record in records} - {None}
    return {pk: str(obj) for pk, obj in model_field.related_model.objects.in_bulk(ids).items()}


def _attname(record, name: str) -> str:
    return record._meta.get_field(name).attname


def _verbose(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name).capitalize()
