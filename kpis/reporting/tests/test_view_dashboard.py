"""The completion dashboard: counts by directorate and status, overdue values, chasing owners."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from kpis.register.models import Kpi
from kpis.register.tests.factories import DirectorateFactory, KpiFactory
from kpis.reporting.models import Measurement, Reminder, ReportingPeriod
from pmf.tests.factories import UserFactory
from pmf.tests.table_helpers import aria_sort

Status = Measurement.Status


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """The tests run on 10 January 2026, before the deadlines below (unless they move on)."""
    monkeypatch.setattr(
        "django.utils.timezone.localdate", lambda *args, **kwargs: datetime.date(2026, 1, 10)
    )


@pytest.fixture
def period(db):
    return ReportingPeriod.objects.create(
        kind="quarter",
        financial_year=2025,
        number=3,
        starts_on=datetime.date(2025, 10, 1),
        ends_on=datetime.date(2025, 12, 31),
        state=ReportingPeriod.State.OPEN,
        submission_deadline=datetime.date(2026, 1, 20),
        signoff_deadline=datetime.date(2026, 1, 31),
    )


def _kpi(directorate, owner, value_status: str | None, period, **kwargs) -> Kpi:
    kpi = KpiFactory(directorate=directorate, lead_officer=owner, **kwargs)
    if value_status:
        Measurement.objects.create(kpi=kpi, period=period, status=value_status, value=50)
    return kpi


@pytest.fixture
def mix(period, directorate, other_directorate, owner, colleague):
    kpis = {
        "not_started": _kpi(directorate, owner, None, period, reference="101"),
        "draft": _kpi(directorate, owner, Status.DRAFT, period, reference="102"),
        "submitted": _kpi(directorate, colleague, Status.SUBMITTED, period, reference="103"),
        "approved": _kpi(directorate, colleague, Status.APPROVED, period, reference="104"),
        "returned": _kpi(other_directorate, owner, Status.RETURNED, period, reference="201"),
        "other": _kpi(other_directorate, colleague, None, period, reference="202"),
    }
    # Not counted: a monthly KPI, a suspended one and a retired one.
    _kpi(directorate, owner, None, period, reference="901", frequency="monthly")
    _kpi(directorate, owner, None, period, reference="902", status="suspended")
    _kpi(
        directorate,
        owner,
        None,
        period,
        reference="903",
        status="retired",
        date_removed=datetime.date(2025, 1, 1),
    )
    return kpis


def _url(period, **query) -> str:
    url = reverse("reporting:dashboard", args=[period.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _rows(response) -> list:
    """The dashboard rows on the page shown, in their order."""
    return [row.record for row in response.context["table"].paginated_rows]


def test_it_counts_values_by_directorate_and_status(client, gp, period, mix, directorate):
    client.force_login(gp)
    response = client.get(_url(period))
    assert response.status_code == 200
    summaries = {s.name: s for s in response.context["summaries"]}
    place = summaries["Place and Sustainability"]
    assert place.ordered_counts == [1, 1, 1, 1, 0]
    assert place.total == 4
    assert place.percent_complete == 25
    children = summaries["Children, Education and Families"]
    assert children.ordered_counts == [1, 0, 0, 0, 1]
    assert response.context["totals"].total == 6
    references = [row.reference for row in _rows(response)]
    assert references == ["201", "202", "101", "102", "103", "104"]
    html = response.content.decode()
    for word in ("Not started", "Draft", "Submitted", "Approved", "Returned"):
        assert f">{word}</strong>" in html
    assert "901" not in references and "902" not in references and "903" not in references


def test_it_highlights_overdue_values_with_a_word(client, gp, period, mix, monkeypatch):
    client.force_login(gp)
    assert "Overdue</strong>" not in client.get(_url(period)).content.decode()
    monkeypatch.setattr(
        "django.utils.timezone.localdate", lambda *args, **kwargs: datetime.date(2026, 1, 25)
    )
    response = client.get(_url(period))
    rows = {row.reference: row for row in _rows(response)}
    assert rows["101"].submission_overdue and rows["102"].submission_overdue
    assert rows["201"].submission_overdue
    assert not rows["103"].is_overdue and not rows["104"].is_overdue
    assert response.content.decode().count(">Overdue</strong>") == 4
    monkeypatch.setattr(
        "django.utils.timezone.localdate", lambda *args, **kwargs: datetime.date(2026, 2, 2)
    )
    response = client.get(_url(period, status="overdue"))
    rows = {row.reference: row for row in _rows(response)}
    assert rows["103"].signoff_overdue
    assert "104" not in rows
    assert "Sign-off overdue</strong>" in response.content.decode()


def test_it_filters_rows_by_directorate_and_status(client, gp, period, mix, other_directorate):
    client.force_login(gp)
    response = client.get(_url(period, directorate=other_directorate.pk))
    assert [row.reference for row in _rows(response)] == ["201", "202"]
    assert len(response.context["summaries"]) == 2  # counts stay whole
    response = client.get(_url(period, status="draft"))
    assert [row.reference for row in _rows(response)] == ["102"]
    response = client.get(_url(period, status="nonsense", directorate="x"))
    assert len(_rows(response)) == 6


@pytest.mark.parametrize("count", [5, 200])
def test_it_uses_a_fixed_number_of_queries(
    client, gp, period, directorate, owner, count, django_assert_max_num_queries
):
    directorates = [directorate, DirectorateFactory(name="Finance", short_name="F&R")]
    users = [owner, UserFactory(username="someone", roles=["Officer"])]
    statuses = [None, Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.RETURNED]
    for n in range(count):
        kpi = _kpi(directorates[n % 2], users[n % 2], statuses[n % 5], period)
        if n % 7 == 0:
            reminder = Reminder.objects.create(kind="chase", period=period, recipient=owner)
            reminder.kpis.add(kpi)
    client.force_login(gp)
    client.get(_url(period))  # the session and groups
    with django_assert_max_num_queries(9):
        response = client.get(_url(period))
    assert response.context["totals"].total == count
    assert len(_rows(response)) == min(count, 100)
    assert response.context["table"].paginator.count == count
    with django_assert_max_num_queries(9):  # sorting is done on the rows already read
        response = client.get(_url(period, sort="-last_reminded", page=2))
    assert len(_rows(response)) == (count - 100 if count > 100 else count)


def test_rows_come_a_hundred_a_page_keeping_the_filters(client, gp, period, directorate, owner):
    for _ in range(130):
        _kpi(directorate, owner, None, period)
    client.force_login(gp)
    html = client.get(_url(period, status="not_started")).content.decode()
    assert "130 KPIs, showing 1 to 100" in html
    assert "?status=not_started&amp;page=2" in html
    response = client.get(_url(period, status="not_started", page=2))
    assert len(_rows(response)) == 30
    html = client.get(_url(period, status="not_started", sort="-reference")).content.decode()
    assert "?status=not_started&amp;sort=-reference&amp;page=2" in html


def test_sorting_by_a_column_reorders_the_rows_and_says_so(client, gp, period, mix):
    client.force_login(gp)
    response = client.get(_url(period))
    assert aria_sort(response.content.decode(), "Directorate") == "ascending"
    response = client.get(_url(period, sort="-status"))
    assert [row.reference for row in _rows(response)] == ["201", "104", "103", "102", "202", "101"]
    html = response.content.decode()
    assert aria_sort(html, "Status") == "descending"
    assert aria_sort(html, "Directorate") == "none"
    response = client.get(_url(period, sort="name", status="not_started"))
    names = [row.name for row in _rows(response)]
    assert names == sorted(names) and len(names) == 2


def test_gp_chases_the_owners_of_one_kpi(client, gp, period, mix, owner):
    kpi = mix["not_started"]
    kpi.delegates.add(UserFactory(username="delegate", roles=["Officer"]))
    client.force_login(gp)
    response = client.post(
        reverse("reporting:chase", args=[period.pk]),
        {"kpi": kpi.pk, "status": "draft", "sort": "-name", "page": "1"},
    )
    assert response.status_code == 302
    assert response.url == _url(period, status="draft", sort="-name", page=1)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "delegate@example.gov.uk",
        "owner@example.gov.uk",
    ]
    assert "KPI 101" in mail.outbox[0].body
    reminders = Reminder.objects.filter(kind=Reminder.Kind.CHASE)
    assert reminders.count() == 2
    assert all(r.sent_by == gp and list(r.kpis.all()) == [kpi] for r in reminders)
    page = client.get(_url(period)).content.decode()
    assert "Sent 2 reminder e-mails." in page
    rows = {row.reference: row for row in _rows(client.get(_url(period)))}
    assert rows["101"].last_reminded is not None
    assert rows["102"].last_reminded is None


def test_chasing_twice_the_same_day_sends_once(client, gp, period, mix):
    client.force_login(gp)
    url = reverse("reporting:chase", args=[period.pk])
    client.post(url, {"kpi": mix["not_started"].pk})
    client.post(url, {"kpi": mix["not_started"].pk})
    assert len(mail.outbox) == 1
    client.post(url, {"kpi": mix["draft"].pk})  # another KPI of the same owner still goes
    assert len(mail.outbox) == 2


def test_gp_chases_everything_not_started_or_overdue_in_a_directorate(
    client, gp, period, mix, directorate, monkeypatch
):
    client.force_login(gp)
    url = reverse("reporting:chase", args=[period.pk])
    client.post(url, {"chase_directorate": directorate.pk})
    assert len(mail.outbox) == 1  # before the deadline: only the not-started KPI 101
    assert "KPI 101" in mail.outbox[0].body and "KPI 102" not in mail.outbox[0].body
    mail.outbox.clear()
    Reminder.objects.all().delete()
    monkeypatch.setattr(
        "django.utils.timezone.localdate", lambda *args, **kwargs: datetime.date(2026, 1, 25)
    )
    client.post(url, {"chase_directorate": directorate.pk})
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "KPI 101" in body and "KPI 102" in body  # the draft is now overdue
    assert "KPI 103" not in body and "KPI 201" not in body


def test_approvers_see_their_own_directorate_read_only(
    client, approver, period, mix, other_directorate
):
    client.force_login(approver)
    response = client.get(_url(period))
    assert response.status_code == 200
    assert [s.name for s in response.context["summaries"]] == ["Place and Sustainability"]
    assert {row.reference for row in _rows(response)} == {"101", "102", "103", "104"}
    assert "Chase" not in response.content.decode()
    assert client.get(_url(period, directorate=other_directorate.pk)).status_code == 403
    response = client.post(reverse("reporting:chase", args=[period.pk]), {"kpi": mix["draft"].pk})
    assert response.status_code == 403
    assert not mail.outbox


def test_others_are_refused(client, period, mix, owner, outsider, clerk, viewer):
    approver_elsewhere = UserFactory(username="approver2", roles=["Directorate approver"])
    for user in (owner, outsider, clerk, viewer, approver_elsewhere):
        client.force_login(user)
        assert client.get(_url(period)).status_code == 403
        chase = reverse("reporting:chase", args=[period.pk])
        assert client.post(chase, {"kpi": mix["draft"].pk}).status_code == 403
    assert not mail.outbox
    assert not Reminder.objects.exists()


def test_chasing_a_closed_period_is_refused(client, gp, period, mix):
    period.state = ReportingPeriod.State.CLOSED
    period.save()
    client.force_login(gp)
    assert "Chase" not in client.get(_url(period)).content.decode()
    response = client.post(
        reverse("reporting:chase", args=[period.pk]), {"kpi": mix["draft"].pk}, follow=True
    )
    assert "is not open for entry" in response.content.decode()
    assert not mail.outbox


def test_a_historic_value_says_when_and_by_whom_it_was_loaded(client, gp, directorate, owner):
    from decimal import Decimal

    from kpis.reporting.services import Entry, measurement_save
    from pmf import clock

    closed = ReportingPeriod.objects.create(
        kind="quarter",
        financial_year=2024,
        number=4,
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 3, 31),
        state=ReportingPeriod.State.CLOSED,
    )
    kpi = KpiFactory(reference="301", directorate=directorate, lead_officer=owner)
    loading = datetime.datetime(2025, 12, 2, 10, 0, tzinfo=datetime.UTC)
    with clock.frozen(loading):
        measurement_save(
            kpi=kpi,
            period=closed,
            by=gp,
            entry=Entry(value=Decimal("61")),
            expected_version=None,
            historic=True,
            authority="2024/25 outturn, agreed by G&P",
        )
    client.force_login(gp)
    body = client.get(reverse("reporting:dashboard", args=[closed.pk])).content.decode()
    assert f"Loaded 2 Dec 2025 as historic data by {gp.get_full_name()}" in body
