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


@pytest.fixture
def unapproved(quarter, directorate, owner):
    """KPIs due in the quarter: one approved, one submitted, one returned, one draft, two missing
    (one of them in another directorate), and a suspended one with a draft nobody is due."""
    from kpis.register.models import Kpi
    from kpis.register.tests.factories import DirectorateFactory, KpiFactory
    from kpis.reporting.models import Measurement
    from kpis.reporting.tests.factories import make_measurement

    Status = Measurement.Status
    made = {}
    for reference, status in [
        ("101", Status.APPROVED),
        ("102", Status.SUBMITTED),
        ("103", Status.RETURNED),
        ("104", Status.DRAFT),
        ("105", None),
    ]:
        kpi = KpiFactory(
            reference=reference,
            name=f"Measure {reference}",
            directorate=directorate,
            lead_officer=owner,
        )
        if status:
            make_measurement(kpi, quarter, 50, status=status)
        made[reference] = kpi
    KpiFactory(reference="201", name="Measure 201", directorate=DirectorateFactory(short_name="X"))
    suspended = KpiFactory(reference="301", name="Measure 301", status=Kpi.Status.SUSPENDED)
    make_measurement(suspended, quarter, 5, status=Status.DRAFT)
    return made


def test_locking_first_lists_the_values_not_approved_by_kpi(client, gp, quarter, unapproved):
    client.force_login(gp)
    url = reverse("reporting:period_confirm", args=[quarter.pk, "lock"])
    response = client.get(url)
    page = response.content.decode()
    assert "6 values are not approved" in page
    for line in ("Missing: 2", "Draft: 2", "Submitted, not yet approved: 1", "Returned: 1"):
        assert line in page, line
    rows = response.context["unapproved"].rows
    assert sorted((r.reference, r.status_label) for r in rows) == [
        ("102", "Submitted, not yet approved"),
        ("103", "Returned"),
        ("104", "Draft"),
        ("105", "Missing"),
        ("201", "Missing"),
        ("301", "Draft"),  # suspended, not due, but its draft would be locked too
    ]
    by_directorate = [(r.directorate, r.reference) for r in rows]
    assert by_directorate == sorted(by_directorate)
    assert "Measure 101" not in page  # approved: nothing to confirm
    assert 'name="unapproved" value="6"' in page
    assert "Lock 2025/26 Q3 with 6 values not approved" in page
    assert reverse("reporting:dashboard", args=[quarter.pk]) in page


def test_the_lock_is_confirmed_with_the_number_shown(client, gp, quarter, unapproved):
    client.force_login(gp)
    url = reverse("reporting:period_confirm", args=[quarter.pk, "lock"])
    assert client.post(url, {"unapproved": "6"}).status_code == 302
    quarter.refresh_from_db()
    assert quarter.state == State.LOCKED


@pytest.mark.parametrize("posted", [{}, {"unapproved": "5"}, {"unapproved": "x"}])
def test_nothing_is_locked_if_the_values_not_approved_changed_or_were_not_shown(
    client, gp, quarter, unapproved, posted
):
    client.force_login(gp)
    url = reverse("reporting:period_confirm", args=[quarter.pk, "lock"])
    response = client.post(url, posted)
    assert response.status_code == 400
    body = response.content.decode()
    assert "6 values in 2025/26 Q3 are not approved now" in body
    assert "There is a problem" in body and 'name="unapproved" value="6"' in body
    quarter.refresh_from_db()
    assert quarter.state == State.NOT_OPEN


def test_the_lock_confirmation_takes_the_same_queries_for_few_and_many_kpis(
    client, gp, quarter, directorate, django_assert_max_num_queries
):
    from kpis.register.tests.factories import KpiFactory

    client.force_login(gp)
    url = reverse("reporting:period_confirm", args=[quarter.pk, "lock"])
    KpiFactory(directorate=directorate)
    client.get(url)
    with django_assert_max_num_queries(8) as few:
        client.get(url)
    for _ in range(20):
        KpiFactory(directorate=directorate)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "21 values are not approved" in client.get(url).content.decode()


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
