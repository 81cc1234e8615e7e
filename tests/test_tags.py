"""Every status has one colour (pmf.tags), used by every page."""

import re
from pathlib import Path

import pytest
from django.template import Context, Template

from committees.models import ActionStatus, Meeting, Proposal
from kpis.rating import Rating
from kpis.register.models import Kpi
from kpis.reporting.io import Outcome
from kpis.reporting.models import Measurement, ReportingPeriod
from kpis.reporting.selectors import NOT_STARTED
from pmf.tags import COLOURS, DRAWN, tag_class, tag_colours, tag_html
from reports.models import PackJob, ScheduledPublication

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("rating", Rating),
        ("value", [NOT_STARTED, *Measurement.Status]),
        ("period", ReportingPeriod.State),
        ("kpi", Kpi.Status),
        ("job", PackJob.Status),
        ("action", ActionStatus),
        ("outcome", Outcome),
        ("overdue", ["submission", "signoff"]),
        ("proposal", Proposal.Stage),
        ("meeting", Meeting.Status),
        ("version", ["published", "withdrawn"]),
        ("query", ["queried"]),
        ("publication", ScheduledPublication.Status),
    ],
)
def test_every_status_has_its_one_colour(kind, values):
    assert {str(value) for value in values} == set(COLOURS[kind])


def test_a_tag_carries_its_word_escaped():
    assert tag_html("rating", Rating.CONTEXTUAL) == (
        '<strong class="govuk-tag govuk-tag--purple">Contextual</strong>'
    )
    assert "&lt;b&gt;" in tag_html("value", "draft", "<b>Draft</b>")
    assert tag_class("rating", "unheard-of") == "govuk-tag govuk-tag--grey"


def test_the_template_tag_draws_the_same():
    template = Template('{% load tags %}{% status_tag "rating" rating %}')
    assert template.render(Context({"rating": Rating.AMBER})) == tag_html("rating", Rating.AMBER)


def test_every_colour_is_one_govuk_frontend_draws():
    css = next((ROOT / "static" / "govuk").glob("govuk-frontend-*.min.css")).read_text()
    drawn = set(re.findall(r"govuk-tag--([a-z-]+)", css)) | {"blue"}  # blue: the plain tag
    used = {colour for colours in COLOURS.values() for colour in colours.values()}
    assert used <= drawn, used - drawn
    assert tag_class("rating", Rating.BLUE) == "govuk-tag"


def test_the_colours_documents_use_are_the_ones_govuk_frontend_draws():
    css = next((ROOT / "static" / "govuk").glob("govuk-frontend-*.min.css")).read_text()
    drawn = {
        name or "blue": (text, background)
        for name, text, background in re.findall(
            r"\.govuk-tag(?:--([a-z-]+))?\{color:(#[0-9a-f]{6});background-color:(#[0-9a-f]{6})",
            css,
        )
    }
    used = {colour for colours in COLOURS.values() for colour in colours.values()}
    assert {colour: DRAWN[colour] for colour in used} == {colour: drawn[colour] for colour in used}
    assert tag_colours("rating", Rating.RED) == drawn["red"]
    assert tag_colours("rating", "unheard-of") == drawn["grey"]
