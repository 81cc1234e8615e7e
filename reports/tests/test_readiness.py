"""The readiness check before a pack is published, and publishing through it: a pack that is not
ready needs a reason, stored with the version and shown on its public page; a ready pack is
published without one; only the committee's clerks and G&P publish."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from committees.models import Proposal
from kpis.register.models import Kpi
from kpis.reporting.models import Measurement, ReportingPeriod
from reports import readiness, selectors, services
from reports.models import PackJob, PackVersion
from reports.tests.factories import RAISED_AT, add_proposal

pytestmark = pytest.mark.django_db
Status = Measurement.Status
REASON = "The committee asked for the figures as they stand, before sign-off is complete."


@pytest.fixture
def meeting(setup):
    return selectors.meeting_for_pack(setup[1].pk)


@pytest.fixture
def not_ready(setup, meeting):
    """The meeting's quarter open for entry, its eight values at every stage of sign-off."""
    _, _, kpis, history = setup
    quarter = history[-1]
    ReportingPeriod.objects.filter(pk=quarter.pk).update(
        state=ReportingPeriod.State.OPEN,
        submission_deadline=datetime.date(2026, 12, 9),
        signoff_deadline=datetime.date(2026, 12, 16),
    )
    stages = (Status.SUBMITTED, Status.DRAFT, Status.RETURNED)
    for kpi, status in zip(kpis[2:5], stages, strict=True):
        Measurement.objects.filter(kpi=kpi, period=quarter).update(status=status)
    Measurement.objects.filter(kpi=kpis[5], period=quarter).delete()
    return selectors.meeting_for_pack(meeting.pk)


def test_a_ready_pack_has_its_period_closed_every_value_approved_and_no_problems(meeting):
    found = readiness.pack_readiness(meeting)
    assert found.ready and found.problems == []
    assert found.period_ready and found.approved == found.expected == len(found.values) == 8
    assert [value.reference for value in found.values] == [str(200 + n) for n in range(8)]
    assert {value.label for value in found.values} == {"Approved"}


def test_readiness_names_the_periods_state_and_each_values_state(not_ready):
    found = readiness.pack_readiness(not_ready)
    assert not found.ready
    states = {value.reference: value.label for value in found.values}
    assert states == {
        "200": "Approved",
        "201": "Approved",
        "202": "Submitted",
        "203": "Draft",
        "204": "Returned",
        "205": "Missing",
        "206": "Approved",
        "207": "Approved",
    }
    assert found.problems == [
        "2025/26 Q4 is open for entry: values are due by 9 December 2026 and signed off by "
        "16 December 2026.",
        "4 of 8 values are approved (1 submitted, 1 draft, 1 returned, 1 missing).",
    ]


def test_a_pack_that_is_not_ready_is_published_only_with_a_reason(client, not_ready, pack_clerk):
    with pytest.raises(ValidationError) as refused:
        services.pack_publish(meeting=not_ready, by=pack_clerk)
    assert "The pack is not ready to publish" in refused.value.message_dict["reason"][0]
    with pytest.raises(ValidationError):
        services.pack_publish(meeting=not_ready, by=pack_clerk, reason="   ")
    assert not PackVersion.objects.exists()

    version = services.pack_publish(meeting=not_ready, by=pack_clerk, reason=f"  {REASON} ")
    assert version.not_ready_reason == REASON and not version.was_ready
    assert version.readiness["ready"] is False
    assert version.readiness["approved"] == 4 and version.readiness["values"] == 8
    assert "2025/26 Q4 is open for entry" in version.readiness["problems"][0]

    page = client.get(version.get_absolute_url()).content.decode()
    assert "Published before the report was ready" in page
    assert f"Reason given: {REASON}" in page
    assert "4 of 8 values are approved" in page
    index = client.get(reverse("published:index")).content.decode()
    assert "before it was ready" in index


def test_a_ready_pack_is_published_without_a_reason(client, meeting, pack_clerk):
    version = services.pack_publish(meeting=meeting, by=pack_clerk)
    assert version.not_ready_reason == "" and version.was_ready
    assert version.readiness["ready"] is True and version.readiness["problems"] == []
    page = client.get(version.get_absolute_url()).content.decode()
    assert "Published before the report was ready" not in page


def test_a_reason_given_for_a_pack_that_turns_out_ready_is_not_stored(meeting, pack_clerk):
    version = services.pack_publish(meeting=meeting, by=pack_clerk, reason=REASON)
    assert version.not_ready_reason == ""


def test_officers_councillors_and_other_committees_clerks_cannot_publish(
    client, meeting, owner, viewer, clerk, approver
):
    for user in (owner, viewer, clerk, approver):
        with pytest.raises(PermissionDenied):
            services.pack_publish(meeting=meeting, by=user, reason=REASON)
        client.force_login(user)
        url = reverse("reports:publish", args=[meeting.pk])
        assert client.get(url).status_code == 403
        assert client.post(url, {"reason": REASON}).status_code == 403
    assert not PackVersion.objects.exists() and not PackJob.objects.exists()


def test_the_readiness_page_shows_each_value_and_asks_for_a_reason(
    client, not_ready, pack_clerk, django_capture_on_commit_callbacks
):
    client.force_login(pack_clerk)
    url = reverse("reports:publish", args=[not_ready.pk])
    page = client.get(url).content.decode()
    assert "The pack is not ready to publish." in page
    assert "4 of 8 approved; 1 submitted; 1 draft; 1 returned; 1 missing" in page
    assert "Open for entry" in page and "Values due by 9 December 2026" in page
    table = page.split('id="value-states"')[1].split("</table>")[0]
    assert table.count("<tr") == 9 and ">Missing<" in table and ">Returned<" in table
    assert "Publish version 1 before it is ready" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": ""})
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body
    assert "Enter why the pack should be published before it is ready." in body
    assert not PackJob.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": REASON})
    assert response.status_code == 302
    job = PackJob.objects.get()
    assert job.status == PackJob.Status.DONE and job.not_ready_reason == REASON
    assert job.version.not_ready_reason == REASON


def test_a_ready_pack_is_published_from_the_readiness_page_without_a_reason(
    client, meeting, pack_clerk, django_capture_on_commit_callbacks
):
    client.force_login(pack_clerk)
    url = reverse("reports:publish", args=[meeting.pk])
    page = client.get(url).content.decode()
    assert ">Ready<" in page and "Why publish it before it is ready?" not in page
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {}).status_code == 302
    assert PackVersion.objects.get().not_ready_reason == ""


def test_a_queued_pack_that_stops_being_ready_fails_without_a_reason(meeting, pack_clerk, setup):
    job = services.pack_request(meeting=meeting, by=pack_clerk)  # ready: queued, not yet run
    PackJob.objects.filter(pk=job.pk).update(status=PackJob.Status.QUEUED)
    ReportingPeriod.objects.filter(pk=meeting.period_id).update(state=ReportingPeriod.State.OPEN)
    with pytest.raises(ValidationError):
        services.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == PackJob.Status.FAILED
    assert job.error.startswith("The pack is not ready to publish: 2025/26 Q4 is open for entry")


def test_a_monthly_kpi_is_read_at_its_quarters_last_month_and_one_in_development_is_not_waited_for(
    setup, meeting
):
    _, _, kpis, history = setup
    quarter = history[-1]
    march = ReportingPeriod.objects.create(
        kind="month",
        financial_year=quarter.financial_year,
        number=12,
        starts_on=datetime.date(2026, 3, 1),
        ends_on=datetime.date(2026, 3, 31),
        state=ReportingPeriod.State.LOCKED,
    )
    Kpi.objects.filter(pk=kpis[0].pk).update(frequency=Kpi.Frequency.MONTHLY)
    Measurement.objects.create(kpi=kpis[0], period=march, value=90, status=Status.SUBMITTED)
    Kpi.objects.filter(pk=kpis[1].pk).update(status=Kpi.Status.IN_DEVELOPMENT)
    Measurement.objects.filter(kpi=kpis[1], period=quarter).delete()

    found = readiness.pack_readiness(selectors.meeting_for_pack(meeting.pk))
    states = {value.reference: (value.period_label, value.label) for value in found.values}
    assert states["200"] == ("2025/26 Mar", "Submitted")
    assert states["201"] == ("2025/26 Q4", "No value expected")
    assert found.problems == ["6 of 7 values are approved (1 submitted)."]


def test_a_proposal_still_waiting_for_its_director_holds_the_pack_back(
    setup, meeting, owner, pack_clerk
):
    committee = setup[0]
    waiting = add_proposal(committee, owner, name="Residents satisfied with libraries")
    Proposal.objects.filter(pk=waiting.pk).update(stage=Proposal.Stage.CONSULTED)
    later = add_proposal(committee, owner, name="Raised after the meeting")
    Proposal.objects.filter(pk=later.pk).update(
        stage=Proposal.Stage.DRAFT, raised_at=RAISED_AT + datetime.timedelta(days=90)
    )
    found = readiness.pack_readiness(meeting)
    assert [p.pk for p in found.awaiting_director] == [waiting.pk]
    assert found.problems == [
        "1 proposal for this committee is still waiting for the director's decision."
    ]


@pytest.mark.parametrize("count", [1, 12])
def test_the_readiness_page_is_a_fixed_number_of_queries(
    client, gp, count, owner, django_assert_max_num_queries
):
    from reports.tests.factories import committee_pack

    _, meeting, _, _ = committee_pack(count, name=f"Committee of {count}")
    client.force_login(gp)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("reports:publish", args=[meeting.pk])).status_code == 200


def test_publishing_every_pack_of_a_period_leaves_out_those_not_ready(
    client, meeting, gp, django_capture_on_commit_callbacks
):
    from reports.tests.factories import committee_pack

    _, other, others_kpis, _ = committee_pack(3, name="Audit Committee", first=300)
    assert other.period_id == meeting.period_id
    Measurement.objects.filter(kpi=others_kpis[0], period=other.period).update(status=Status.DRAFT)
    client.force_login(gp)
    url = reverse("reports:generate_period", args=[meeting.period_id])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    body = response.content.decode()
    assert "Queued 1 pack." in body
    assert f"Not ready, so not published: {other}." in body
    assert set(PackVersion.objects.values_list("meeting_id", flat=True)) == {meeting.pk}
