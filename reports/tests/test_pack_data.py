import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from committees.models import Meeting, Proposal
from kpis.reporting.models import Measurement
from pmf import clock
from reports import rendering, selectors
from reports.models import PackDraft
from reports.tests.factories import RAISED_AT, add_action, add_proposal, committee_pack
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


# A pack belongs to its meeting ----------------------------------------------------------------


def test_an_action_update_written_after_the_meeting_is_left_out_of_its_pack(setup, owner):
    from committees.models import ActionItem, ActionUpdate

    _, meeting, _, _ = setup
    item = ActionItem.objects.get(reference="F.9")
    ActionUpdate.objects.create(
        item=item,
        written_on=datetime.date(2026, 10, 14),  # after the meeting of 22 June 2026
        status="achieved",
        text="Office opened in October.",
        by=owner,
    )
    [action] = _data(meeting)["actions"]
    assert action["update"] == "Framework almost complete."
    assert action["update_on"] == "1 May 2026" and action["status"] == "In progress"
    html = rendering.render_html(_data(meeting))
    assert "Office opened in October." not in html and "14 October 2026" not in html

    later = Meeting.objects.create(
        committee=meeting.committee, date=datetime.date(2026, 11, 19), period=meeting.period
    )
    [action] = _data(later)["actions"]
    assert action["update"] == "Office opened in October." and action["status"] == "Achieved"


def test_a_proposal_raised_after_the_meeting_is_left_out_and_a_later_decision_is_not_shown(
    setup, owner, gp
):
    from committees import services as committee_services
    from committees.models import ProposalEvent

    committee, meeting, _, _ = setup
    waiting = Proposal.objects.get()  # director-approved in May, before the meeting
    ProposalEvent.objects.create(proposal=waiting, stage="director_approved", by=gp)
    ProposalEvent.objects.filter(proposal=waiting).update(at=RAISED_AT)
    later = Meeting.objects.create(
        committee=committee, date=datetime.date(2026, 9, 17), period=meeting.period
    )
    committee_services.proposal_committee_decide(
        proposal=waiting, by=gp, meeting=later, outcome="agreed"
    )
    raised_since = add_proposal(committee, owner, name="Raised after the June meeting")
    Proposal.objects.filter(pk=raised_since.pk).update(
        raised_at=datetime.datetime(2026, 7, 1, tzinfo=datetime.UTC)
    )

    [proposal] = _data(meeting)["proposals"]
    assert proposal["kpi_name"] == "Website accessibility score" and proposal["outcome"] == ""
    in_september = {p["kpi_name"]: p["outcome"] for p in _data(later)["proposals"]}
    assert in_september == {
        "Website accessibility score": "Agreed",
        "Raised after the June meeting": "",
    }


def test_data_as_at_is_the_same_for_two_renders_of_unchanged_data_and_moves_with_a_change(setup):
    _, meeting, kpis, history = setup
    first, second = _data(meeting), _data(meeting)
    assert first["data_as_at"] and first["data_as_at"] == second["data_as_at"]
    assert first == second
    html = rendering.render_html(first)
    assert html == rendering.render_html(second)
    assert f'<th scope="row">Data as at</th><td>{first["data_as_at_text"]}</td>' in html

    value = Measurement.objects.get(kpi=kpis[3], period=history[-1])
    value.commentary = "Corrected after a recount."
    with clock.frozen(timezone.now() + datetime.timedelta(hours=1)):  # an hour later
        value.save()
    changed = _data(meeting)
    assert changed["data_as_at"] > first["data_as_at"]
    newest = Measurement.history.filter(id=value.pk).latest("history_date").history_date
    assert changed["data_as_at"] == newest.isoformat(timespec="seconds")
