"""Statuses shown as GOV.UK tags: each one's colour, in one place for every page.

Keyed by the stored value of each kind of status, so this shell module needs none of the apps'
enums; `tests/test_tags.py` checks every value of every enum has its colour, and every colour
is one GOV.UK Frontend draws. The words are the enums' own labels. Colour is never the only
signal: a tag always carries its word.

Documents with no stylesheet (the Word pack) fill a cell with the tag's colours as GOV.UK
Frontend draws them (`tag_colours`); the test checks those against the stylesheet.
"""

import functools

from django.utils.html import format_html
from django.utils.safestring import SafeString

COLOURS: dict[str, dict[str, str]] = {
    # A RAG rating (kpis.rating.Rating), in the 2022 report's order.
    "rating": {
        "blue": "blue",
        "green": "green",
        "amber": "yellow",
        "red": "red",
        "contextual": "purple",
        "baseline": "teal",
        "in_development": "turquoise",
        "suspended": "grey",
        "not_reported": "grey",
    },
    # Where a period's value is in its sign-off (Measurement.Status, and not started yet).
    "value": {
        "not_started": "grey",
        "draft": "teal",
        "submitted": "blue",
        "approved": "green",
        "returned": "orange",
    },
    # A reporting period's state (ReportingPeriod.State).
    "period": {"not_open": "grey", "open": "green", "closed": "yellow", "locked": "purple"},
    # A KPI's status in the register (Kpi.Status).
    "kpi": {
        "live": "green",
        "suspended": "yellow",
        "retired": "grey",
        "in_development": "purple",
        "baseline": "teal",
        "contextual": "blue",
    },
    # A pack generation (reports.PackJob.Status).
    "job": {"queued": "grey", "running": "blue", "done": "green", "failed": "red"},
    # What a row of an import will do.
    "outcome": {"new": "green", "changed": "blue", "unchanged": "grey", "error": "red"},
    # A deadline a period's value has missed: the submission or the sign-off.
    "overdue": {"submission": "red", "signoff": "red"},
    # Where a proposal to change the KPIs is in its cycle (committees.Proposal.Stage).
    "proposal": {
        "draft": "grey",
        "quality_checked": "blue",
        "consulted": "blue",
        "equality_assessed": "blue",
        "director_approved": "blue",
        "director_rejected": "red",
        "deferred": "blue",
        "committee_agreed": "blue",
        "committee_rejected": "red",
        "adopted": "green",
    },
    # A committee meeting (committees.Meeting.Status).
    "meeting": {"scheduled": "blue", "held": "green", "cancelled": "grey"},
    # An action on a committee's tracker (committees.ActionStatus).
    "action": {"not_started": "grey", "in_progress": "blue", "overdue": "red", "achieved": "green"},
    # A value far from the KPI's earlier ones, queried when it was submitted
    # (kpis.reporting.quality).
    "query": {"queried": "orange"},
    # A published version of a committee pack.
    "version": {"published": "green", "withdrawn": "red"},
    # A pack's publication scheduled for its papers date (reports.ScheduledPublication.Status).
    "publication": {
        "scheduled": "blue",
        "published": "green",
        "not_ready": "yellow",
        "failed": "red",
        "cancelled": "grey",
    },
}


#: Each tag colour as GOV.UK Frontend draws it: (text, background).
DRAWN: dict[str, tuple[str, str]] = {
    "blue": ("#0f385c", "#d2e2f1"),
    "green": ("#083d29", "#cfe4dc"),
    "purple": ("#2a1950", "#ddd6ec"),
    "red": ("#651b1b", "#f4d7d7"),
    "orange": ("#7a3c1c", "#fde4d7"),
    "teal": ("#0b4144", "#d0e6e7"),
    "magenta": ("#651b3e", "#f4d7e5"),
    "yellow": ("#7a3c1c", "#ffee80"),
    "grey": ("#0b0c0c", "#cecece"),
    "turquoise": ("#0b4144", "#d0e6e7"),
    "pink": ("#651b3e", "#f4d7e5"),
}


def _colour(kind: str, value: str) -> str:
    return COLOURS[kind].get(str(value), "grey")


def tag_colours(kind: str, value: str) -> tuple[str, str]:
    """The tag's text and background colours ("#rrggbb"), for documents without a stylesheet."""
    return DRAWN[_colour(kind, value)]


def tag_class(kind: str, value: str) -> str:
    """The tag's classes: "govuk-tag govuk-tag--green"; grey for a value with no colour. Blue is
    GOV.UK Frontend's own tag colour, which has no modifier class."""
    colour = _colour(kind, value)
    return "govuk-tag" if colour == "blue" else f"govuk-tag govuk-tag--{colour}"


def tag_html(kind: str, value: str, label: str | None = None) -> SafeString:
    """<strong class="govuk-tag …">Label</strong>, the label escaped; by default the value's own
    label (a TextChoices or Rating member has one)."""
    if label is None:
        return _own_label_tag(kind, value)
    return format_html('<strong class="{}">{}</strong>', tag_class(kind, value), label)


@functools.lru_cache(maxsize=512)
def _own_label_tag(kind: str, value: str) -> SafeString:
    # A scorecard writes thousands of these; a value and its label make the same tag every time.
    label = getattr(value, "label", str(value))
    return format_html('<strong class="{}">{}</strong>', tag_class(kind, value), label)
