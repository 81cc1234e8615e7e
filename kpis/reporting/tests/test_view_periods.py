"""G&P run the reporting cycle: create a year's periods, open, close, lock and reopen them."""

import datetime

import pytest
from django.urls import reverse

from kpis.reporting.models import ReportingPeriod
from kpis.reporting.services import periods_create_for_year
from pmf.roles import system_actor

State = ReportingPeriod.State


@pytest.fixture
def quarter(db):
    periods_create_for_year(financial_year=2025, by=system_actor())
    return ReportingPeriod.objects.get(kind="quarter", financial_year=2025, number=3)


def _urls(period) -> list[str]:
    return [
        reverse("reporting:periods"),
        reverse("reporting:period_open", args=[period.pk]),
        reverse("reporting:period_confirm", args=[period.pk, "close"]),
        reverse("reporting:period_confirm", args=[period.pk, "lock"]),
        reverse("reporting:period_reopen", args=[period.pk]),
    ]


def _open_data(**overrides) -> dict:
    return {"submission_deadline": "2026-01-20", "signoff_deadline": "2026-01-31"} | overrides


def test_it_lists_periods_by_year_with_state_and_deadlines(client, gp, quarter):
    quarter.submission_deadline = datetime.date(2026, 1, 20)
    quarter.state = State.OPEN
    quarter.save()
    client.force_login(gp)
    response = client.get(reverse("reporting:periods"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "2025/26 Q3" in html
    assert "2025/26 Oct" in html
    assert "Open for entry" in html
    assert "20 Jan 2026" in html
    assert reverse("reporting:dashboard", args=[quarter.pk]) in html


def test_the_list_uses_a_fixed_number_of_queries(client, gp, django_assert_max_num_queries):
    client.force_login(gp)
    periods_create_for_year(financial_year=2024, by=system_actor())
    with django_assert_max_num_queries(6):
        client.get(reverse("reporting:periods"))
    for year in (2025, 2026, 2027):
        periods_create_for_year(financial_year=year, by=system_actor())
    with django_assert_max_num_queries(6):
        response = client.get(reverse("reporting:periods"))
    assert response.content.decode().count("govuk-table__row") > 17 * 4


def test_it_creates_every_period_of_a_year_once(client, gp):
    client.force_login(gp)
    response = client.post(reverse("reporting:periods"), {"financial_year": "2026"})
    assert response.status_code == 302
    assert ReportingPeriod.objects.filter(financial_year=2026).count() == 17
    assert ReportingPeriod.objects.filter(financial_year=2026, kind="month").count() == 12
    april = ReportingPeriod.objects.get(financial_year=2026, kind="month", number=1)
    assert april.starts_on == datetime.date(2026, 4, 1)
    assert april.history.first().history_user == gp
    client.post(reverse("reporting:periods"), {"financial_year": "2026"})
    assert ReportingPeriod.objects.filter(financial_year=2026).count() == 17


def test_a_bad_year_shows_the_error_and_creates_nothing(client, gp):
    client.force_login(gp)
    response = client.post(reverse("reporting:periods"), {"financial_year": "next year"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter a year like 2026" in html
    assert ReportingPeriod.objects.count() == 0


def test_it_opens_a_period_with_its_deadlines(client, gp, quarter):
    client.force_login(gp)
    url = reverse("reporting:period_open", args=[quarter.pk])
    page = client.get(url).content.decode()
    assert 'for="id_submission_deadline"' in page
    assert 'type="date"' in page
    response = client.post(url, _open_data())
    assert response.status_code == 302
    quarter.refresh_from_db()
    assert quarter.state == State.OPEN
    assert quarter.submission_deadline == datetime.date(2026, 1, 20)
    assert quarter.signoff_deadline == datetime.date(2026, 1, 31)
    assert quarter.history.first().history_change_reason == "Opened for entry"


@pytest.mark.parametrize(
    "data, message",
    [
        (_open_data(signoff_deadline="2026-01-10"), "must be on or after the submission deadline"),
        (_open_data(submission_deadline=""), "Enter the submission deadline"),
        (_open_data(signoff_deadline="2026-02-31"), "Enter the sign-off deadline as a real date"),
    ],
)
def test_bad_deadlines_are_refused_and_nothing_changes(client, gp, quarter, data, message):
    client.force_login(gp)
    response = client.post(reverse("reporting:period_open", args=[quarter.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html
    quarter.refresh_from_db()
    assert quarter.state == State.NOT_OPEN
    assert quarter.submission_deadline is None


def test_it_closes_a_period_after_confirmation(client, gp, quarter):
    client.force_login(gp)
    url = reverse("reporting:period_confirm", args=[quarter.pk, "close"])
    assert "Close 2025/26 Q3 for entry?" in client.get(url).content.decode()
    quarter.refresh_from_db()
    assert quarter.state == State.NOT_OPEN
    assert client.post(url).status_code == 302
    quarter.refresh_from_db()
    assert quarter.state == State.CLOSED


def test_it_locks_a_period_after_confirmation(client, gp, quarter):
    client.force_login(gp)
    url = reverse("reporting:period_confirm", args=[quarter.pk, "lock"])
    page = client.get(url).content.decode()
    assert "Lock 2025/26 Q3?" in page
    assert "govuk-warning-text" in page
    client.post(url)
    quarter.refresh_from_db()
    assert quarter.state == State.LOCKED


def test_a_locked_period_cannot_be_opened_or_closed(client, gp, quarter):
    quarter.state = State.LOCKED
    quarter.save()
    client.force_login(gp)
    response = client.post(reverse("reporting:period_open", args=[quarter.pk]), _open_data())
    assert "A locked period must be reopened" in response.content.decode()
    response = client.post(reverse("reporting:period_confirm", args=[quarter.pk, "close"]))
    assert response.status_code == 400
    assert "is locked" in response.content.decode()
    quarter.refresh_from_db()
    assert quarter.state == State.LOCKED


def test_reopening_needs_a_reason_and_records_it(client, gp, quarter):
    quarter.state = State.LOCKED
    quarter.save()
    client.force_login(gp)
    url = reverse("reporting:period_reopen", args=[quarter.pk])
    response = client.post(url, {"reason": "   "})
    assert "Say why the period is being reopened" in response.content.decode()
    quarter.refresh_from_db()
    assert quarter.state == State.LOCKED
    response = client.post(url, {"reason": "Value for KPI 169 was misreported"})
    assert response.status_code == 302
    quarter.refresh_from_db()
    assert quarter.state == State.CLOSED
    assert quarter.state_reason == "Value for KPI 169 was misreported"
    latest = quarter.history.first()
    assert latest.history_user == gp
    assert latest.history_change_reason == "Reopened: Value for KPI 169 was misreported"
    assert (
        "Value for KPI 169 was misreported"
        in client.get(reverse("reporting:periods")).content.decode()
    )


def test_reopening_a_period_that_is_not_locked_is_refused(client, gp, quarter):
    client.force_login(gp)
    response = client.post(
        reverse("reporting:period_reopen", args=[quarter.pk]), {"reason": "Because"}
    )
    assert "is not locked" in response.content.decode()


def test_everyone_but_gp_is_refused(client, quarter, owner, outsider, approver, clerk, viewer):
    for user in (owner, outsider, approver, clerk, viewer):
        client.force_login(user)
        for url in _urls(quarter):
            assert client.get(url).status_code == 403, (user, url)
            data = _open_data() | {"reason": "x", "financial_year": "2030"}
            assert client.post(url, data).status_code == 403, (user, url)
    quarter.refresh_from_db()
    assert quarter.state == State.NOT_OPEN
    assert not ReportingPeriod.objects.filter(financial_year=2030).exists()


def test_anonymous_users_are_sent_to_sign_in(client, quarter):
    for url in _urls(quarter):
        response = client.post(url)
        assert response.status_code == 302
        assert reverse("login") in response.url
