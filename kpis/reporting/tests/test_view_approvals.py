"""Directorate approvers sign off their directorate's submitted values, or return them."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from kpis.register.tests.factories import KpiFactory
from kpis.reporting.models import Measurement, ReportingPeriod
from kpis.reporting.services import measurement_return
from kpis.reporting.tests.factories import make_measurement, make_period, make_target
from pmf.tests.factories import UserFactory

URL = "/my-kpis/approvals/"
APPROVE = "/my-kpis/approvals/approve/"
RETURN = "/my-kpis/approvals/return/"


@pytest.fixture
def period(db):
    return make_period()


@pytest.fixture
def kpi(owner, directorate):
    return KpiFactory(
        reference="169", name="Recycling rate", lead_officer=owner, directorate=directorate
    )


@pytest.fixture
def submitted(kpi, period, owner):
    make_target(kpi, 80)
    return make_measurement(
        kpi,
        period,
        "72.5",
        status=Measurement.Status.SUBMITTED,
        submitted_by=owner,
        rating="amber",
        commentary="Contractor <strike> in August",
        action_plan="Agency crews until October",
    )


@pytest.fixture
def elsewhere(period, colleague, other_directorate):
    kpi = KpiFactory(reference="500", name="Children seen", directorate=other_directorate)
    return make_measurement(
        kpi, period, 90, status=Measurement.Status.SUBMITTED, submitted_by=colleague
    )


def _reasons(measurement) -> list[str]:
    return list(
        measurement.history.order_by("history_date", "history_id").values_list(
            "history_change_reason", flat=True
        )
    )


def test_url_names():
    assert reverse("entry:approvals") == URL
    assert reverse("entry:approve") == APPROVE
    assert reverse("entry:return") == RETURN


def test_anonymous_users_are_sent_to_sign_in(client, db):
    assert client.get(URL).status_code == 302
    assert client.post(APPROVE).status_code == 302


def test_officers_and_viewers_are_refused(client, owner, viewer, submitted):
    for user in (owner, viewer):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        crafted = {"measurement": submitted.pk, "version": 1}
        assert client.post(APPROVE, crafted).status_code == 403
        assert client.post(RETURN, crafted | {"reason": "No"}).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == Measurement.Status.SUBMITTED


def test_an_approver_sees_their_directorates_submissions_only(
    client, approver, submitted, elsewhere, kpi, period, owner
):
    draft_kpi = KpiFactory(reference="170", name="Draft one", directorate=kpi.directorate)
    make_measurement(draft_kpi, period, 10)
    client.force_login(approver)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Recycling rate" in page
    assert "72.5%" in page and "80%" in page
    assert '<strong class="govuk-tag govuk-tag--yellow">Amber</strong>' in page
    assert "Contractor &lt;strike&gt; in August" in page
    assert "Agency crews until October" in page
    assert owner.get_full_name() in page
    assert "Children seen" not in page
    assert "Draft one" not in page


def test_gp_sees_every_directorates_submissions(client, gp, submitted, elsewhere):
    client.force_login(gp)
    page = client.get(URL).content.decode()
    assert "Recycling rate" in page and "Children seen" in page
    assert "Approve all 2 values shown" in page


def test_the_page_uses_a_fixed_number_of_queries(
    client, approver, directorate, period, owner, django_assert_max_num_queries
):
    client.force_login(approver)
    for total in (3, 15):
        while Measurement.objects.count() < total:
            kpi = KpiFactory(lead_officer=owner, directorate=directorate)
            make_target(kpi, 70)
            make_measurement(
                kpi, period, 60, status=Measurement.Status.SUBMITTED, submitted_by=owner
            )
        with django_assert_max_num_queries(8):
            response = client.get(URL)
        assert response.content.decode().count('class="govuk-summary-card"') == total


def test_an_approver_approves_a_value(client, approver, submitted):
    client.force_login(approver)
    response = client.post(APPROVE, {"measurement": submitted.pk, "version": 1})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Measurement.Status.APPROVED
    assert submitted.approved_by == approver
    assert "KPI 169 (2025/26 Q2) approved." in client.get(URL).content.decode()


def test_a_double_clicked_approve_records_one_approval(client, approver, submitted):
    client.force_login(approver)
    client.post(APPROVE, {"measurement": submitted.pk, "version": 1})
    client.post(APPROVE, {"measurement": submitted.pk, "version": 1})
    assert _reasons(submitted).count("Approved") == 1


def test_approve_all_shown_approves_every_value(client, approver, submitted, kpi, period, owner):
    other = make_measurement(
        KpiFactory(directorate=kpi.directorate),
        period,
        50,
        status=Measurement.Status.SUBMITTED,
        submitted_by=owner,
    )
    client.force_login(approver)
    page = client.get(URL).content.decode()
    assert "Approve all 2 values shown" in page
    data = {"measurement": [submitted.pk, other.pk], "version": [1, 1]}
    assert client.post(APPROVE, data).status_code == 302
    statuses = set(Measurement.objects.values_list("status", flat=True))
    assert statuses == {Measurement.Status.APPROVED}


def test_approve_all_is_all_or_nothing_when_one_is_stale(
    client, approver, gp, submitted, kpi, period, owner
):
    other = make_measurement(
        KpiFactory(directorate=kpi.directorate),
        period,
        50,
        status=Measurement.Status.SUBMITTED,
        submitted_by=owner,
    )
    measurement_return(measurement=other, by=gp, expected_version=1, reason="Wrong figure")
    client.force_login(approver)
    data = {"measurement": [submitted.pk, other.pk], "version": [1, 1]}
    client.post(APPROVE, data)
    submitted.refresh_from_db()
    assert submitted.status == Measurement.Status.SUBMITTED
    page = client.get(URL).content.decode()
    assert "Nothing was approved." in page
    assert "was changed by someone else at" in page and "it is now returned" in page


def test_a_stale_approval_shows_a_clear_message(client, approver, gp, submitted):
    measurement_return(measurement=submitted, by=gp, expected_version=1, reason="Check it")
    client.force_login(approver)
    response = client.post(APPROVE, {"measurement": submitted.pk, "version": 1}, follow=True)
    assert "KPI 169 (2025/26 Q2) was changed by someone else at" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Measurement.Status.RETURNED


def test_an_approver_returns_a_value_with_a_reason(client, approver, owner, submitted):
    client.force_login(approver)
    data = {"measurement": submitted.pk, "version": 1, "reason": "Use the audited figure"}
    assert client.post(RETURN, data).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Measurement.Status.RETURNED
    assert submitted.returned_reason == "Use the audited figure"
    # The officer sees the reason on their page.
    client.force_login(owner)
    assert "Use the audited figure" in client.get("/my-kpis/").content.decode()


def test_returning_without_a_reason_shows_an_error_and_changes_nothing(client, approver, submitted):
    client.force_login(approver)
    response = client.post(RETURN, {"measurement": submitted.pk, "version": 1, "reason": " "})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert f'href="#return-{submitted.pk}-reason"' in page
    assert "Say why you are returning it" in page
    assert "govuk-textarea--error" in page and " open>" in page
    submitted.refresh_from_db()
    assert submitted.status == Measurement.Status.SUBMITTED


def test_approvers_of_other_directorates_are_refused(client, approver, elsewhere):
    client.force_login(approver)
    crafted = {"measurement": elsewhere.pk, "version": 1}
    assert client.post(APPROVE, crafted).status_code == 403
    assert client.post(RETURN, crafted | {"reason": "No"}).status_code == 403
    elsewhere.refresh_from_db()
    assert elsewhere.status == Measurement.Status.SUBMITTED


def test_a_bulk_approval_with_one_foreign_value_approves_nothing(
    client, approver, submitted, elsewhere
):
    client.force_login(approver)
    data = {"measurement": [submitted.pk, elsewhere.pk], "version": [1, 1]}
    assert client.post(APPROVE, data).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == Measurement.Status.SUBMITTED


@pytest.mark.parametrize("user_name", ["approver", "gp"])
def test_nobody_approves_their_own_submission_on_the_page(client, request, user_name, kpi, period):
    user = request.getfixturevalue(user_name)
    own = make_measurement(kpi, period, 70, status=Measurement.Status.SUBMITTED, submitted_by=user)
    client.force_login(user)
    page = client.get(URL).content.decode()
    assert "You submitted this value: another approver must sign it off." in page
    assert f'name="measurement" value="{own.pk}"' not in page
    crafted = {"measurement": own.pk, "version": 1}
    assert client.post(APPROVE, crafted).status_code == 403
    assert client.post(RETURN, crafted | {"reason": "x"}).status_code == 403
    own.refresh_from_db()
    assert own.status == Measurement.Status.SUBMITTED


def test_an_approver_who_is_also_an_officer_cannot_approve_what_they_submitted(
    client, approver, directorate, period
):
    approver.groups.add(Group.objects.get(name="Officer"))
    kpi = KpiFactory(lead_officer=approver, directorate=directorate)
    client.force_login(approver)
    data = {f"e{period.pk}-{kpi.pk}-version": "0", f"e{period.pk}-{kpi.pk}-value": "90"}
    client.post("/my-kpis/", {"action": "submit"} | data)
    own = Measurement.objects.get()
    assert own.submitted_by == approver
    assert client.post(APPROVE, {"measurement": own.pk, "version": own.version}).status_code == 403


def test_a_locked_periods_submission_is_not_listed_nor_approvable(client, approver, kpi, owner):
    locked = make_period(number=1, state=ReportingPeriod.State.LOCKED)
    stale = make_measurement(
        kpi, locked, 70, status=Measurement.Status.SUBMITTED, submitted_by=owner
    )
    client.force_login(approver)
    assert "Recycling rate" not in client.get(URL).content.decode()
    response = client.post(APPROVE, {"measurement": stale.pk, "version": 1}, follow=True)
    assert "is locked" in response.content.decode()
    stale.refresh_from_db()
    assert stale.status == Measurement.Status.SUBMITTED


def test_malformed_posts_are_bad_requests(client, approver, submitted):
    client.force_login(approver)
    assert client.post(APPROVE, {}).status_code == 400
    assert client.post(APPROVE, {"measurement": "x", "version": "1"}).status_code == 400
    assert client.post(APPROVE, {"measurement": submitted.pk}).status_code == 400
    assert client.post(APPROVE, {"measurement": 99999, "version": 1}).status_code == 404


def test_an_approver_with_nothing_to_do_is_told_so(client, approver):
    client.force_login(approver)
    assert "no submitted values waiting" in client.get(URL).content.decode()


def test_another_approver_can_sign_off_what_one_approver_submitted(
    client, approver, directorate, period
):
    second = UserFactory(username="second-approver", roles=["Directorate approver"])
    directorate.approvers.add(second)
    kpi = KpiFactory(directorate=directorate)
    own = make_measurement(
        kpi, period, Decimal(70), status=Measurement.Status.SUBMITTED, submitted_by=approver
    )
    client.force_login(second)
    assert client.post(APPROVE, {"measurement": own.pk, "version": 1}).status_code == 302
    own.refresh_from_db()
    assert own.status == Measurement.Status.APPROVED
