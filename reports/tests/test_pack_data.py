import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis.reporting.models import Measurement
from reports import rendering, selectors
from reports.models import PackDraft
from reports.tests.factories import add_action, add_proposal, committee_pack
from scorecards import selectors as scorecard_selectors

pytestmark = pytest.mark.django_db


def _data(meeting, **draft):
    found = selectors.meeting_for_pack(meeting.pk)
    if draft:
        PackDraft.objects.update_or_create(meeting=found, defaults=draft)
    return selectors.pack_data(found)


def test_the_cover_block_takes_its_defaults_from_the_committee(setup):
    committee, meeting, _, _ = setup
    data = _data(meeting)
    assert data["cover"]["to"] == committee.name
    assert data["cover"]["meeting_date"] == "22 June 2026"
    assert data["cover"]["member_contacts"] == [
        "Chair: Councillor Chair",
        "Vice-chair: Councillor Vice",
    ]
    assert data["cover"]["key_decision"] == "No"
    assert len(data["cover"]["recommendations"]) == 3
    assert data["period"] == "2025/26 Q4"


def test_an_edited_draft_replaces_the_defaults(setup):
    _, meeting, _, _ = setup
    data = _data(meeting, to="Full Council", recommendations="Note the report.\nAgree the set.")
    assert data["cover"]["to"] == "Full Council"
    assert data["cover"]["recommendations"] == ["Note the report.", "Agree the set."]


def test_the_rag_summary_counts_and_percentages_follow_the_2022_order(setup):
    _, meeting, _, _ = setup
    data = _data(meeting)
    lines = [(line["label"], line["count"], line["percent"]) for line in data["summary"]]
    assert [label for label, _, _ in lines] == [
        "Blue",
        "Green",
        "Amber",
        "Red",
        "Contextual",
        "Baseline",
        "In development",
        "Suspended",
        "Total",
    ]
    counts = {label: (count, percent) for label, count, percent in lines}
    assert counts["Red"] == (2, 25)
    assert counts["Total"] == (8, 100)
    assert sum(count for label, count, _ in lines if label != "Total") == 8


def test_the_body_comments_on_each_red_kpi_with_its_action_plan(setup):
    _, meeting, kpis, _ = setup
    data = _data(meeting)
    assert [k["reference"] for k in data["body_kpis"]] == ["203", "207"]
    assert data["body_kpis"][0]["commentary"] == "Commentary on 203 for 2025/26 Q4."
    assert data["body_kpis"][0]["action_plan"].startswith("Action plan for 203")


def test_exception_mode_covers_red_blue_and_worsening_amber_and_keeps_every_kpi_in_the_appendix(
    setup,
):
    _, meeting, kpis, history = setup
    # KPI 200 is Blue-ish (95 against 80); make KPI 202 (Amber) get worse over four quarters.
    for k, on in enumerate(history[-4:]):
        Measurement.objects.filter(kpi=kpis[2], period=on).update(value=Decimal(90 - 4 * k))
    data = _data(meeting, exception_mode=True)
    body = {k["reference"]: k["rating_label"] for k in data["body_kpis"]}
    assert set(body.values()) <= {"Red", "Blue", "Amber"}
    assert "203" in body and "207" in body
    assert body.get("202") == "Amber"
    amber_not_worse = [
        k
        for k in data["scorecard"][0]["rows"] + data["scorecard"][1]["rows"]
        if k["rating"] == "amber" and not k["worsening"]
    ]
    assert all(k["reference"] not in body for k in amber_not_worse)
    assert len(data["appendix"]) == 8


def test_each_appendix_section_has_twelve_periods_target_rating_trend_and_forecast(setup):
    _, meeting, _, _ = setup
    section = _data(meeting)["appendix"][0]
    assert len(section["points"]) == 12
    assert section["points"][-1]["label"] == "2025/26 Q4"
    assert section["points"][0]["target_display"] == "80%"
    assert section["rating_label"] and section["trend"] and section["forecast"]


def test_the_proposals_table_and_action_tracker_are_in_the_pack(setup):
    _, meeting, _, _ = setup
    data = _data(meeting)
    assert data["proposals"][0]["kpi_name"] == "Website accessibility score"
    assert data["proposals"][0]["proposal"] == "Add"
    assert data["actions"][0]["reference"] == "F.9"
    assert data["actions"][0]["update"] == "Framework almost complete."


def test_alignment_lists_the_kpis_of_each_priority(setup):
    _, meeting, _, _ = setup
    table = _data(meeting)["alignment_table"]
    assert table[0]["name"] == "A place where people thrive"
    assert len(table[0]["kpis"]) == 8


def test_a_meeting_without_a_period_has_no_pack(setup):
    _, meeting, _, _ = setup
    meeting.period = None
    meeting.save()
    with pytest.raises(ValueError, match="reporting period"):
        selectors.pack_data(selectors.meeting_for_pack(meeting.pk))


def test_the_pack_takes_the_same_number_of_queries_for_5_and_40_kpis(owner):
    counts = []
    for n, size in enumerate((5, 40)):
        committee, meeting, _, _ = committee_pack(
            size, name=f"Committee{n} of things", first=1000 * (n + 1)
        )
        add_proposal(committee, owner, name=f"New KPI {n}")
        add_action(committee, owner, reference=f"A.{n}")
        add_action(committee, owner, reference=f"B.{n}")
        found = selectors.meeting_for_pack(meeting.pk)
        selectors.pack_data(found)  # the first call creates the council's RAG policy
        with CaptureQueriesContext(connection) as queries:
            data = selectors.pack_data(found)
        assert len(data["appendix"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 20


def test_the_data_is_plain_json(setup):
    import json

    _, meeting, _, _ = setup
    data = _data(meeting)
    assert json.loads(json.dumps(data)) == data
    assert datetime.date.fromisoformat(data["meeting_date_iso"]) == datetime.date(2026, 6, 22)


def test_a_pack_shows_both_flags_as_the_scorecard_and_the_kpi_page_do(setup):
    """Red for every one of the twelve quarters the appendix charts, and green but declining:
    the same words on the committee's scorecard, each KPI's page and in the pack."""
    committee, meeting, kpis, history = setup
    always_red, declining = kpis[0], kpis[1]
    Measurement.objects.filter(kpi=always_red).update(value=Decimal(40))
    for k, on in enumerate(history[-4:]):  # 95, 90, 85, 81 against 80: on target, but falling
        Measurement.objects.filter(kpi=declining, period=on).update(value=Decimal(95 - 5 * k))
    Measurement.objects.filter(kpi=declining, period=history[-1]).update(value=Decimal(81))
    data = _data(meeting)
    by_reference = {row["reference"]: row for row in data["appendix"]}
    red_flag = "Deep-dive candidate: red for 8 or more periods"
    assert by_reference[always_red.reference]["flags"] == [red_flag]
    assert by_reference[declining.reference]["flags"] == ["Green but declining"]
    card = scorecard_selectors.scorecard(kind="committee", committee=committee, period=history[-1])
    on_card = {row.reference: row.flags for row in card.rows}
    for kpi in (always_red, declining):
        page = scorecard_selectors.kpi_performance(kpi, upto=history[-1]).row
        assert on_card[kpi.reference] == page.flags == by_reference[kpi.reference]["flags"]
    html = rendering.render_html(data)
    assert html.count(red_flag) >= 2  # beside its rating in Appendix 1 and with its facts
    assert html.count("Green but declining") >= 2
    assert "compared with 2025/26 Q3" in html  # the period each change is compared with
