"""The demo's data files agree with each other and resolve on any day (no database needed)."""

import datetime
import re

import pytest

from demo.files import (
    VALUE_HEADERS,
    read_files,
    resolved_register_row,
    resolved_target_row,
    resolved_value_row,
)
from demo.relative import DemoCalendar
from kpis.register.io import HEADERS as REGISTER_HEADERS
from kpis.reporting.io import TARGET_COLUMNS
from pmf.roles import Role

FILES = read_files()
REFERENCES = {row["reference"] for row in FILES.register}
DAYS = [
    datetime.date(2026, 11, 23),
    datetime.date(2027, 4, 2),
    datetime.date(2026, 7, 1),
    datetime.date(2027, 1, 31),
    datetime.date(2030, 2, 14),
]
OPEN_STATUSES = {"missing", "draft", "submitted", "approved", "returned"}
STORIES = {"steady", "improving", "red", "declining", "seasonal"}
STORIES |= {"contextual", "baseline", "in development", "retired"}


def test_the_csv_files_have_the_import_formats_columns():
    assert list(FILES.register[0]) == REGISTER_HEADERS
    assert list(FILES.targets[0]) == list(TARGET_COLUMNS)
    assert list(FILES.values[0]) == list(VALUE_HEADERS)


def test_targets_and_values_are_for_kpis_in_the_register():
    assert {row["reference"] for row in FILES.targets} <= REFERENCES
    assert {row["reference"] for row in FILES.values} <= REFERENCES


@pytest.mark.parametrize("today", DAYS)
def test_every_relative_period_date_and_text_resolves(today):
    calendar = DemoCalendar(today)
    for row in FILES.register:
        resolved = resolved_register_row(row, calendar)
        assert "{" not in "".join(resolved.values()), row["reference"]
    for row in FILES.targets:
        assert "{" not in "".join(resolved_target_row(row, calendar).values())
    for row in FILES.values:
        assert "{" not in "".join(resolved_value_row(row, calendar).values())
    for text in _strings(FILES.council):
        assert "{" not in calendar.text(text), text


def _strings(data) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        data = list(data.values())
    if isinstance(data, list):
        return [text for item in data for text in _strings(item)]
    return []


def test_every_kpi_has_a_story_and_a_plan_the_loader_understands():
    stories = FILES.council["kpis"]
    assert set(stories) == REFERENCES
    for reference, story in stories.items():
        assert story["story"] in STORIES, reference
        plan = story.get("open_period", "missing")
        assert (plan if isinstance(plan, str) else plan["status"]) in OPEN_STATUSES, reference


def test_the_council_files_people_and_committees_are_named_consistently():
    council = FILES.council
    usernames = {user["username"] for user in council["users"]}
    assert {user["role"] for user in council["users"]} == set(Role.values)
    for directorate in council["directorates"]:
        assert set(directorate["approvers"]) <= usernames
    committees = {committee["short_name"] for committee in council["committees"]}
    for change in council["set_changes"]:
        assert change["committee"] in committees and set(change["kpis"]) <= REFERENCES
    for proposal in council["proposals"]:
        assert proposal["committee"] in committees
        assert proposal.get("raised_by", "officer") in usernames
        assert {proposal.get("kpi"), proposal.get("becomes")} - {None} <= REFERENCES
    assert {row["lead_officer"] for row in FILES.register} <= usernames


# Words that only make sense for a KPI about money: a budget, a price, spending, savings, income.
MONEY_WORDS = re.compile(
    r"£|\b(budgets?|prices?|spend\w*|spent|savings?|overspen\w*|underspen\w*|costs?|costly"
    r"|fund\w*|income|money|pounds?)\b",
    re.IGNORECASE,
)


def _is_about_money(row: dict[str, str]) -> bool:
    return row["financial"] == "yes" or row["unit"] == "Money (£)"


def test_only_money_kpis_talk_about_money():
    """Commentary written for one kind of KPI must not land on another: a road casualty figure
    explained by supplier price rises is the mistake this catches."""
    money = {row["reference"] for row in FILES.register if _is_about_money(row)}
    texts = [
        (row["reference"], row[column])
        for row in FILES.values
        for column in ("commentary", "action_plan")
    ]
    for reference, story in FILES.council["kpis"].items():
        plan = story.get("open_period")
        if isinstance(plan, dict):
            texts += [(reference, plan.get(name, "")) for name in ("commentary", "action_plan")]
    misplaced = {
        (reference, MONEY_WORDS.search(text)[0])
        for reference, text in texts
        if reference not in money and MONEY_WORDS.search(text)
    }
    assert not misplaced
    assert {reference for reference, text in texts if MONEY_WORDS.search(text)} <= money
