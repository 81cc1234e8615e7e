"""My KPIs this period: officers enter several KPIs on one page; the single-KPI entry page."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kpis.register.models import Kpi
from kpis.register.tests.factories import KpiFactory
from kpis.reporting.models import Measurement, ReportingPeriod
from kpis.reporting.services import Entry, measurement_save
from kpis.reporting.tests.factories import make_measurement, make_period, make_target

URL = "/my-kpis/"


@pytest.fixture
def period(db):
    return make_period()  # 2025/26 Q2, open


@pytest.fixture
def kpi(owner, directorate):
    return KpiFactory(
        reference="169", name="Recycling rate", lead_officer=owner, directorate=directorate
    )


@pytest.fixture
def other_kpi(owner, directorate):
    return KpiFactory(
        reference="182", name="Missed bins", lead_officer=owner, directorate=directorate
    )


def _name(period, kpi, field) -> str:
    return f"e{period.pk}-{kpi.pk}-{field}"


def _block(period, kpi, *, version=0, **fields) -> dict:
    data = {_name(period, kpi, "version"): str(version)}
    for field, value in fields.items():
        data[_name(period, kpi, field)] = value
    return data


def _history(measurement) -> list[str]:
    return list(
        measurement.history.order_by("history_date", "history_id").values_list(
            "history_change_reason", flat=True
        )
    )


# Access ----------------------------------------------------------------------------------------


def test_url_names():
    assert reverse("entry:my_kpis") == URL
    assert reverse("entry:edit", args=[3, "169"]) == "/my-kpis/3/169/"


def test_anonymous_users_are_sent_to_sign_in(client, period):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_people_without_the_officer_role_are_refused(client, period, approver, viewer, clerk):
    for user in (approver, viewer, clerk):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, {"action": "draft"}).status_code == 403


# The page --------------------------------------------------------------------------------------


def test_it_lists_the_officers_kpis_for_the_open_period(
    client, period, kpi, owner, colleague, directorate
):
    previous = make_period(number=1, state=ReportingPeriod.State.LOCKED)
    make_measurement(kpi, previous, "61.5", status=Measurement.Status.APPROVED)
    make_target(kpi, 65)
    delegated = KpiFactory(reference="200", name="Delegated one", directorate=directorate)
    delegated.delegates.add(owner)
    KpiFactory(reference="300", name="Someone else's", lead_officer=colleague)
    suspended = KpiFactory(
        reference="301", name="Suspended one", lead_officer=owner, status=Kpi.Status.SUSPENDED
    )
    KpiFactory(reference="302", name="Monthly one", lead_officer=owner, frequency="monthly")
    client.force_login(owner)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "2025/26 Q2" in page
    assert "Recycling rate" in page and "Delegated one" in page
    assert "Someone else" not in page
    assert "Suspended one" in page  # listed with its status, without a form
    assert _name(period, suspended, "value") not in page
    assert "Monthly one" not in page
    assert "61.5%" in page  # last period's value
    assert "2025/26 Q1" in page
    assert "65%" in page  # this period's target
    assert "Not started" in page
    assert f'id="id_{_name(period, kpi, "value")}"' in page
    assert (
        '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Value for KPI 169' in page
    )
    assert "Save as draft" in page and "Submit for sign-off" in page
    assert 'data-prevent-double-click="true"' in page


def test_it_says_so_when_there_is_nothing_to_report(client, owner, db):
    client.force_login(owner)
    response = client.get(URL)
    assert "You have nothing to report" in response.content.decode()


def test_it_warns_of_an_overdue_value(client, owner, kpi):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    make_period(submission_deadline=yesterday, signoff_deadline=yesterday)
    client.force_login(owner)
    assert "Overdue" in client.get(URL).content.decode()


def test_the_query_count_is_the_same_for_3_and_15_kpis(
    client, owner, directorate, period, django_assert_max_num_queries
):
    previous = make_period(number=1, state=ReportingPeriod.State.LOCKED)
    client.force_login(owner)
    counts = []
    for total in (3, 15):
        while Kpi.objects.filter(lead_officer=owner).count() < total:
            kpi = KpiFactory(lead_officer=owner, directorate=directorate)
            make_target(kpi, 70)
            make_measurement(kpi, previous, 60, status=Measurement.Status.APPROVED)
            make_measurement(kpi, period, 71, commentary="<b>escaped</b>")
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(12):
            response = client.get(URL)
        assert response.status_code == 200
        assert response.content.decode().count('class="app-entry-block') == total
        counts.append(len(queries))
    assert counts[0] == counts[1]


# Saving ----------------------------------------------------------------------------------------


def test_save_as_draft_saves_the_filled_blocks_only(client, owner, period, kpi, other_kpi):
    client.force_login(owner)
    data = {"action": "draft"}
    data |= _block(period, kpi, value="72.5", commentary="Up on last quarter")
    data |= _block(period, other_kpi)  # left blank
    response = client.post(URL, data)
    assert response.status_code == 302
    saved = Measurement.objects.get()
    assert saved.kpi == kpi and saved.value == Decimal("72.5")
    assert saved.status == Measurement.Status.DRAFT
    assert saved.commentary == "Up on last quarter"
    page = client.get(URL).content.decode()
    assert "1 saved as a draft" in page
    assert 'value="72.5"' in page


def test_submit_sends_values_and_keeps_blank_ones_as_drafts(client, owner, period, kpi, other_kpi):
    client.force_login(owner)
    data = {"action": "submit"}
    data |= _block(period, kpi, value="72.5%", commentary="Fine")
    data |= _block(period, other_kpi, commentary="Waiting for the contractor's return")
    assert client.post(URL, data).status_code == 302
    first = Measurement.objects.get(kpi=kpi)
    second = Measurement.objects.get(kpi=other_kpi)
    assert first.status == Measurement.Status.SUBMITTED and first.value == Decimal("72.5")
    assert first.submitted_by == owner
    assert second.status == Measurement.Status.DRAFT and second.value is None


def test_money_may_be_typed_with_a_pound_sign_and_commas(client, owner, period, directorate):
    kpi = KpiFactory(lead_officer=owner, directorate=directorate, unit=Kpi.Unit.MONEY)
    client.force_login(owner)
    assert (
        client.post(URL, {"action": "draft"} | _block(period, kpi, value="£1,250.50")).status_code
        == 302
    )
    assert Measurement.objects.get().value == Decimal("1250.50")


def test_not_available_with_a_reason_can_be_submitted(client, owner, period, kpi):
    client.force_login(owner)
    data = {"action": "submit"} | _block(
        period, kpi, not_available="on", not_available_reason="Survey postponed"
    )
    assert client.post(URL, data).status_code == 302
    saved = Measurement.objects.get()
    assert saved.not_available and saved.status == Measurement.Status.SUBMITTED


def test_bad_input_shows_errors_and_saves_nothing_on_the_page(
    client, owner, period, kpi, other_kpi
):
    client.force_login(owner)
    data = {"action": "draft"}
    data |= _block(period, kpi, value="150", commentary="Typed commentary")
    data |= _block(period, other_kpi, value="40")  # valid, but the page is all or nothing
    response = client.post(URL, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert f'href="#id_{_name(period, kpi, "value")}"' in page
    assert "KPI 169: Enter a percentage between 0 and 100" in page
    assert f'id="id_{_name(period, kpi, "value")}_error"' in page
    assert "govuk-input--error" in page
    assert 'value="150"' in page and "Typed commentary" in page  # typed input kept
    assert 'value="40"' in page
    assert page.startswith("<!DOCTYPE html>") and "<title>Error:" in page
    assert not Measurement.objects.exists()


def test_not_a_number_is_rejected(client, owner, period, kpi):
    client.force_login(owner)
    response = client.post(URL, {"action": "draft"} | _block(period, kpi, value="lots"))
    assert "Enter a number, like 72.5" in response.content.decode()
    assert not Measurement.objects.exists()


def test_not_available_without_a_reason_is_rejected(client, owner, period, kpi):
    client.force_login(owner)
    response = client.post(URL, {"action": "submit"} | _block(period, kpi, not_available="on"))
    page = response.content.decode()
    assert f'href="#id_{_name(period, kpi, "not_available_reason")}"' in page
    assert "Say why the value is not available" in page
    assert not Measurement.objects.exists()


def test_an_off_target_value_without_an_action_plan_cannot_be_submitted(client, owner, period, kpi):
    make_target(kpi, 80)
    client.force_login(owner)
    response = client.post(URL, {"action": "submit"} | _block(period, kpi, value="50"))
    page = response.content.decode()
    assert f'href="#id_{_name(period, kpi, "action_plan")}"' in page
    assert "This value is off target (Red): enter an action plan" in page
    assert not Measurement.objects.exists()
    data = {"action": "submit"} | _block(period, kpi, value="50", action_plan="Extra crews")
    assert client.post(URL, data).status_code == 302
    assert Measurement.objects.get().rating == "red"


def test_a_fraction_kpi_takes_numerator_and_denominator(client, owner, period, directorate):
    kpi = KpiFactory(
        lead_officer=owner,
        directorate=directorate,
        numerator_label="Visits on time",
        denominator_label="All visits",
    )
    client.force_login(owner)
    page = client.get(URL).content.decode()
    assert "Visits on time" in page and "All visits" in page
    assert f'name="{_name(period, kpi, "value")}"' not in page
    data = {"action": "draft"} | _block(period, kpi, numerator="45", denominator="60")
    assert client.post(URL, data).status_code == 302
    assert Measurement.objects.get().value == 75
    # Saving the same again (a double click) is recognised as the same save.
    client.post(URL, data)
    assert _history(Measurement.objects.get()) == ["Saved as draft"]


def test_a_double_clicked_submit_makes_one_submission(client, owner, period, kpi):
    client.force_login(owner)
    data = {"action": "submit"} | _block(period, kpi, value="72")
    assert client.post(URL, data).status_code == 302
    second = client.post(URL, data)
    assert second.status_code in (200, 302)
    saved = Measurement.objects.get()
    assert saved.version == 1
    assert _history(saved) == ["Submitted"]


def test_an_unchanged_draft_is_not_saved_again(client, owner, period, kpi):
    draft = make_measurement(kpi, period, 60, commentary="Same")
    client.force_login(owner)
    data = {"action": "draft"} | _block(period, kpi, version=1, value="60", commentary="Same")
    client.post(URL, data)
    draft.refresh_from_db()
    assert draft.version == 1


def test_a_stale_edit_is_refused_with_the_newer_value(client, owner, colleague, period, kpi):
    kpi.delegates.add(colleague)
    client.force_login(owner)
    client.get(URL)  # the owner opens the page: no value yet (version 0)
    measurement_save(
        kpi=kpi, period=period, by=colleague, entry=Entry(value=Decimal("65")), expected_version=0
    )
    response = client.post(URL, {"action": "draft"} | _block(period, kpi, value="70"))
    assert response.status_code == 200
    page = response.content.decode()
    saved = Measurement.objects.get()
    when = timezone.localtime(saved.updated_at).strftime("%H:%M")
    assert f"Someone else saved this value at {when}: the value is now 65%" in page
    assert 'value="70"' in page  # the owner's typed value is kept
    assert saved.value == 65 and saved.entered_by == colleague
    # The form now carries the newer version: saving again replaces it deliberately.
    assert f'name="{_name(period, kpi, "version")}" value="1"' in page
    again = client.post(URL, {"action": "draft"} | _block(period, kpi, version=1, value="70"))
    assert again.status_code == 302
    saved.refresh_from_db()
    assert saved.value == 70 and saved.entered_by == owner


def test_a_submitted_value_is_shown_read_only(client, owner, period, kpi):
    make_measurement(
        kpi, period, 72, status=Measurement.Status.SUBMITTED, submitted_by=owner, commentary="Ok"
    )
    client.force_login(owner)
    page = client.get(URL).content.decode()
    assert f'name="{_name(period, kpi, "value")}"' not in page
    assert "Submitted for sign-off" in page
    assert "72%" in page
    # A crafted post for it is ignored: nothing changes.
    client.post(URL, {"action": "submit"} | _block(period, kpi, version=1, value="10"))
    assert Measurement.objects.get().value == 72


def test_the_return_reason_is_shown_and_the_value_can_be_resubmitted(
    client, owner, approver, period, kpi
):
    make_measurement(
        kpi,
        period,
        72,
        status=Measurement.Status.RETURNED,
        submitted_by=owner,
        returned_reason="Use the <final> figure",
    )
    client.force_login(owner)
    page = client.get(URL).content.decode()
    assert "Returned by your approver" in page
    assert "Use the &lt;final&gt; figure" in page
    data = {"action": "submit"} | _block(period, kpi, version=1, value="74")
    assert client.post(URL, data).status_code == 302
    saved = Measurement.objects.get()
    assert saved.status == Measurement.Status.SUBMITTED
    assert saved.value == 74 and saved.returned_reason == ""


def test_a_crafted_post_for_someone_elses_kpi_saves_nothing(client, outsider, owner, period, kpi):
    client.force_login(outsider)
    response = client.post(URL, {"action": "submit"} | _block(period, kpi, value="10"))
    assert response.status_code == 302  # the page only reads blocks for the user's own KPIs
    assert not Measurement.objects.exists()


# The single-KPI page ---------------------------------------------------------------------------


def _edit_url(period, kpi) -> str:
    return reverse("entry:edit", args=[period.pk, kpi.reference])


def test_the_owner_enters_a_value_on_the_kpis_own_page(client, owner, period, kpi):
    client.force_login(owner)
    assert client.get(_edit_url(period, kpi)).status_code == 200
    data = {"action": "submit"} | _block(period, kpi, value="72")
    response = client.post(_edit_url(period, kpi), data)
    assert response.status_code == 302
    assert Measurement.objects.get().status == Measurement.Status.SUBMITTED


def test_submitting_a_blank_value_on_the_kpis_page_is_refused(client, owner, period, kpi):
    client.force_login(owner)
    response = client.post(_edit_url(period, kpi), {"action": "submit"} | _block(period, kpi))
    assert "Enter a value, or say it is not available and why" in response.content.decode()
    assert not Measurement.objects.exists()


def test_an_outsider_cannot_see_or_post_to_someone_elses_kpi(
    client, outsider, colleague, period, kpi
):
    for user in (outsider, colleague):
        client.force_login(user)
        assert client.get(_edit_url(period, kpi)).status_code == 403
        crafted = {"action": "submit"} | _block(period, kpi, value="10")
        assert client.post(_edit_url(period, kpi), crafted).status_code == 403
    assert not Measurement.objects.exists()


def test_gp_can_enter_any_kpis_value(client, gp, period, kpi):
    client.force_login(gp)
    assert client.get(_edit_url(period, kpi)).status_code == 200
    data = {"action": "draft"} | _block(period, kpi, value="72")
    assert client.post(_edit_url(period, kpi), data).status_code == 302
    assert Measurement.objects.get().entered_by == gp


def test_a_locked_periods_value_cannot_be_changed_by_anyone(client, owner, gp, kpi):
    locked = make_period(number=1, state=ReportingPeriod.State.LOCKED)
    stored = make_measurement(kpi, locked, 60, status=Measurement.Status.APPROVED)
    for user in (owner, gp):
        client.force_login(user)
        page = client.get(_edit_url(locked, kpi)).content.decode()
        assert "is locked" in page
        assert f'name="{_name(locked, kpi, "value")}"' not in page
        crafted = {"action": "draft"} | _block(locked, kpi, version=1, value="99")
        response = client.post(_edit_url(locked, kpi), crafted)
        assert response.status_code == 302
    stored.refresh_from_db()
    assert stored.value == 60 and stored.version == 1


def test_officers_cannot_enter_into_a_closed_period(client, owner, kpi):
    closed = make_period(number=1, state=ReportingPeriod.State.CLOSED)
    client.force_login(owner)
    assert "is not open for entry" in client.get(_edit_url(closed, kpi)).content.decode()
    client.post(_edit_url(closed, kpi), {"action": "draft"} | _block(closed, kpi, value="5"))
    assert not Measurement.objects.exists()


def test_a_period_of_the_wrong_kind_is_not_found(client, owner, kpi):
    month = make_period("month", 2025, 4)
    client.force_login(owner)
    assert client.get(_edit_url(month, kpi)).status_code == 404


def test_an_unknown_kpi_is_not_found(client, owner, period):
    client.force_login(owner)
    assert client.get(reverse("entry:edit", args=[period.pk, "nope"])).status_code == 404
