"""Proposal pages: raising, the list and its filters, the stage forms, and a meeting's table."""

import datetime

import pytest
from django.urls import reverse

from committees.models import Proposal, QualityCheck
from committees.tests.factories import MeetingFactory, ProposalFactory
from committees.tests.helpers import advance
from kpis.register.tests.factories import CommitteeFactory, KpiFactory, ServiceFactory
from pmf.tests.table_helpers import aria_sort, row_headers

Stage = Proposal.Stage
D = datetime.date


def _step(proposal, step):
    return reverse("committees:proposal_step", kwargs={"proposal_id": proposal.pk, "step": step})


def test_an_officer_proposes_a_new_kpi_through_the_form(client, owner, directorate, committee):
    service = ServiceFactory(directorate=directorate, name="Communications")
    client.force_login(owner)
    response = client.post(
        reverse("committees:proposal_create", kwargs={"kind": "add"}),
        {
            "directorate": directorate.pk,
            "name": "Website accessibility score (%)",
            "description": "How accessible the website is",
            "service": service.pk,
            "kpi_rationale": "Accessibility regulations",
            "data_source": "Independent index",
            "unit": "percent",
            "direction": "higher",
            "frequency": "quarterly",
            "level": "corporate",
            "target_kind": "annual",
            "committees": [committee.pk],
            "rationale": "Replaces KPI 189 (Number of sessions on website)",
        },
    )
    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == proposal.get_absolute_url()
    assert (proposal.raised_by, proposal.stage, proposal.service) == (owner, "draft", service)


def test_a_removal_takes_its_directorate_from_the_kpi(client, owner, directorate, committee):
    kpi = KpiFactory(reference="189", directorate=directorate, committees=[committee])
    client.force_login(owner)
    response = client.post(
        reverse("committees:proposal_create", kwargs={"kind": "remove"}),
        {
            "kpi": kpi.pk,
            "committees": [committee.pk],
            "retire_kpi": "on",
            "rationale": "Not a useful measure",
        },
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert (proposal.kind, proposal.kpi, proposal.directorate) == ("remove", kpi, directorate)


def test_an_empty_proposal_shows_every_error_and_saves_nothing(client, owner):
    client.force_login(owner)
    response = client.post(reverse("committees:proposal_create", kwargs={"kind": "add"}), {})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    for anchor in ("#id_name", "#id_committees_0", "#id_rationale", "#id_directorate"):
        assert f'href="{anchor}"' in body, anchor
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("who", ["clerk", "viewer"])
def test_clerks_and_viewers_cannot_raise_even_with_a_crafted_post(request, client, who):
    client.force_login(request.getfixturevalue(who))
    url = reverse("committees:proposal_create", kwargs={"kind": "add"})
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "x"}).status_code == 403


def test_the_proposal_page_shows_the_timeline_and_the_users_next_step(
    client, draft, owner, approver, viewer
):
    client.force_login(owner)
    body = client.get(draft.get_absolute_url()).content.decode()
    assert "Timeline" in body and "Raised" in body
    assert _step(draft, "quality") in body
    client.force_login(viewer)
    body = client.get(draft.get_absolute_url()).content.decode()
    assert _step(draft, "quality") not in body


def test_the_quality_check_form_records_each_answer(client, draft, owner):
    data = {}
    for criterion in QualityCheck.Criterion:
        data[criterion.value] = "yes"
        data[f"{criterion.value}_note"] = ""
    data["comparator"] = "no"
    data["comparator_note"] = "None published"
    client.force_login(owner)
    response = client.post(_step(draft, "quality"), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.stage == Stage.QUALITY_CHECKED
    assert draft.quality_checks.get(criterion="comparator").note == "None published"


def test_an_incomplete_quality_check_shows_errors_and_saves_nothing(client, draft, owner):
    client.force_login(owner)
    response = client.post(_step(draft, "quality"), {"relevant": "yes"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    draft.refresh_from_db()
    assert draft.stage == Stage.DRAFT
    assert not draft.quality_checks.exists()


def test_consultation_lines_become_consultees(client, draft, owner, gp):
    advance(draft, Stage.QUALITY_CHECKED, by=gp)
    client.force_login(owner)
    response = client.post(
        _step(draft, "consultation"),
        {
            "plan": "Service and chair",
            "responses": "Head of Communications: agrees\nCommittee chair: wants a target",
        },
    )
    assert response.status_code == 302
    assert list(draft.consultations.values_list("consultee", "response")) == [
        ("Head of Communications", "agrees"),
        ("Committee chair", "wants a target"),
    ]


def test_a_step_out_of_order_is_refused_on_the_page(client, draft, gp):
    client.force_login(gp)
    response = client.post(_step(draft, "director"), {"decision": "approve", "reasons": ""})
    body = response.content.decode()
    assert response.status_code == 200
    assert "cannot be approved or rejected now" in body
    draft.refresh_from_db()
    assert draft.stage == Stage.DRAFT


def test_a_replayed_step_is_refused_on_the_page(client, draft, gp):
    advance(draft, Stage.CONSULTED, by=gp)
    client.force_login(gp)
    response = client.post(
        _step(draft, "consultation"), {"plan": "Again", "responses": "Someone: again"}
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert draft.consultations.count() == 1


def test_a_director_rejects_with_reasons(client, draft, gp, approver):
    advance(draft, Stage.EQUALITY_ASSESSED, by=gp)
    client.force_login(approver)
    response = client.post(_step(draft, "director"), {"decision": "reject", "reasons": ""})
    assert 'href="#id_reasons"' in response.content.decode()
    response = client.post(
        _step(draft, "director"), {"decision": "reject", "reasons": "Duplicates KPI 217"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.stage == Stage.DIRECTOR_REJECTED
    body = client.get(reverse("committees:proposals")).content.decode()
    assert "Rejected by the director" in body


def test_an_approver_of_another_directorate_gets_403(client, draft, gp, other_directorate):
    from pmf.tests.factories import UserFactory

    advance(draft, Stage.EQUALITY_ASSESSED, by=gp)
    other = UserFactory(username="approver-cef", roles=["Directorate approver"])
    other_directorate.approvers.add(other)
    client.force_login(other)
    response = client.post(_step(draft, "director"), {"decision": "approve", "reasons": ""})
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.stage == Stage.EQUALITY_ASSESSED


def test_the_clerk_records_the_decision_and_gp_adopt(client, draft, gp, meeting, committee_clerk):
    advance(draft, Stage.DIRECTOR_APPROVED, by=gp)
    client.force_login(committee_clerk)
    response = client.post(
        _step(draft, "committee"), {"meeting": meeting.pk, "outcome": "agreed", "note": ""}
    )
    assert response.status_code == 302
    assert client.post(_step(draft, "adopt"), {}).status_code == 403
    client.force_login(gp)
    assert client.post(_step(draft, "adopt"), {}).status_code == 302
    draft.refresh_from_db()
    assert draft.stage == Stage.ADOPTED
    assert draft.kpi is not None


def test_the_meeting_table_is_the_2022_reports_table(client, viewer, gp, committee, directorate):
    meeting = MeetingFactory(committee=committee, date=D(2022, 6, 27))
    service = ServiceFactory(directorate=directorate, name="Communications")
    rationale = (
        "Replaces KPI 189 (Number of sessions on website) with a more relevant measure. "
        "KPI 189 was removed from the Corporate Services KPI set by S&R in March 2022"
    )
    for name in ("Website quality", "Website accessibility"):
        proposal = ProposalFactory(
            directorate=directorate,
            service=service,
            name=name,
            rationale=rationale,
            committees=[committee],
        )
        advance(proposal, Stage.DIRECTOR_APPROVED, by=gp)
    ProposalFactory(directorate=directorate, committees=[committee])  # a draft: not for decision
    client.force_login(viewer)
    body = client.get(meeting.get_absolute_url()).content.decode()
    table = body.split('id="proposals-to-decide"')[1].split("</table>")[0]
    headers = [
        "KPI number",
        "KPI name",
        "Mapping to service",
        "Proposal",
        "Rationale for proposal",
    ]
    positions = [table.index(f">{header}</th>") for header in headers]
    assert positions == sorted(positions)
    assert table.count("<tr") == 3
    assert "Website quality" in table and "Website accessibility" in table
    assert ">Communications<" in table and ">Add<" in table
    assert "Replaces KPI 189 (Number of sessions on website)" in table


def test_proposals_are_filtered_by_stage_committee_and_directorate(
    client, viewer, gp, committee, directorate, other_directorate
):
    other = CommitteeFactory(name="Highways", short_name="HT")
    ProposalFactory(directorate=directorate, committees=[committee], name="First one")
    ProposalFactory(directorate=other_directorate, committees=[other], name="Second one")
    client.force_login(viewer)
    url = reverse("committees:proposals")
    body = client.get(url, {"committee": other.pk}).content.decode()
    assert "Second one" in body and "First one" not in body
    body = client.get(url, {"directorate": directorate.pk}).content.decode()
    assert "First one" in body and "Second one" not in body
    body = client.get(url, {"stage": "adopted"}).content.decode()
    assert "No proposals match" in body


def test_the_proposal_list_sorts_by_a_column_and_pages_keeping_the_filters(
    client, viewer, committee, directorate
):
    for n in range(52):
        ProposalFactory(directorate=directorate, committees=[committee], name=f"KPI {n:02d}")
    adopted = ProposalFactory(directorate=directorate, committees=[committee], name="Adopted")
    Proposal.objects.filter(pk=adopted.pk).update(stage=Stage.ADOPTED)
    client.force_login(viewer)
    url = reverse("committees:proposals")
    html = client.get(url, {"committee": committee.pk}).content.decode()
    assert row_headers(html)[0] == adopted.reference  # newest first
    assert aria_sort(html, "Proposal") == "descending"
    assert "53 proposals, showing 1 to 50" in html
    assert f"?committee={committee.pk}&amp;page=2" in html
    html = client.get(url, {"committee": committee.pk, "sort": "kpi_name"}).content.decode()
    assert aria_sort(html, "KPI name") == "ascending" and aria_sort(html, "Proposal") == "none"
    assert f"?committee={committee.pk}&amp;sort=kpi_name&amp;page=2" in html
    first = Proposal.objects.get(name="KPI 00")
    assert row_headers(html)[:2] == [adopted.reference, first.reference]  # "Adopted" < "KPI 00"
    html = client.get(url, {"sort": "-stage"}).content.decode()  # adopted ends the cycle
    assert row_headers(html)[0] == adopted.reference
    html = client.get(url, {"sort": "stage", "page": 2}).content.decode()
    assert "showing 51 to 53" in html and row_headers(html)[-1] == adopted.reference


@pytest.mark.parametrize("count", [2, 60])
def test_the_proposal_list_is_a_fixed_number_of_queries(
    client, viewer, committee, directorate, count, django_assert_max_num_queries
):
    for _ in range(count):
        ProposalFactory(directorate=directorate, committees=[committee])
    client.force_login(viewer)
    for sort in ("", "kpi_name", "-stage", "directorate"):
        with django_assert_max_num_queries(8):
            client.get(reverse("committees:proposals"), {"sort": sort, "page": 2})


@pytest.mark.parametrize("count", [2, 20])
def test_the_meeting_page_is_a_fixed_number_of_queries(
    client, viewer, gp, committee, directorate, count, django_assert_max_num_queries
):
    meeting = MeetingFactory(committee=committee, date=D(2022, 6, 27))
    for _ in range(count):
        proposal = ProposalFactory(directorate=directorate, committees=[committee])
        proposal.stage = Stage.DIRECTOR_APPROVED
        proposal.save()
        KpiFactory(committees=[committee], date_added=D(2022, 4, 1))
    client.force_login(viewer)
    with django_assert_max_num_queries(9):
        client.get(meeting.get_absolute_url())


def test_the_proposal_page_is_a_fixed_number_of_queries(
    client, gp, draft, meeting, django_assert_max_num_queries
):
    advance(draft, Stage.ADOPTED, by=gp, meeting=meeting, on=D(2026, 9, 20))
    client.force_login(gp)
    with django_assert_max_num_queries(16):
        assert client.get(draft.get_absolute_url()).status_code == 200


def test_user_text_is_escaped(client, viewer, directorate, committee):
    proposal = ProposalFactory(
        directorate=directorate, committees=[committee], rationale="<script>alert(1)</script>"
    )
    client.force_login(viewer)
    body = client.get(proposal.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


def test_a_clerk_is_offered_only_the_meetings_of_committees_they_clerk(
    client, draft, gp, meeting, committee_clerk, other_committee
):
    draft.committees.add(other_committee)
    elsewhere = MeetingFactory(committee=other_committee, date=D(2026, 9, 16))
    advance(draft, Stage.DIRECTOR_APPROVED, by=gp)
    client.force_login(committee_clerk)
    body = client.get(_step(draft, "committee")).content.decode()
    assert f'value="{meeting.pk}"' in body
    assert f'value="{elsewhere.pk}"' not in body
    response = client.post(
        _step(draft, "committee"), {"meeting": elsewhere.pk, "outcome": "agreed"}
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.stage == Stage.DIRECTOR_APPROVED
