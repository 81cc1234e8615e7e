"""Reminders: owners before the deadline and when overdue, approvers' digest, idempotent runs."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from kpis.register.tests.factories import KpiFactory
from kpis.reporting import reminders
from kpis.reporting.models import Measurement, Reminder, ReportingPeriod
from pmf.tests.factories import UserFactory

Status = Measurement.Status
Kind = Reminder.Kind


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


@pytest.fixture
def kpis(period, directorate, owner, colleague, approver):
    delegate = UserFactory(username="delegate", roles=["Officer"])
    made = {}
    for reference, lead, status in [
        ("101", owner, None),
        ("102", owner, Status.DRAFT),
        ("103", colleague, Status.SUBMITTED),
        ("104", colleague, Status.APPROVED),
        ("105", colleague, Status.RETURNED),
    ]:
        kpi = KpiFactory(reference=reference, directorate=directorate, lead_officer=lead)
        if status:
            Measurement.objects.create(kpi=kpi, period=period, status=status, value=10)
        made[reference] = kpi
    made["101"].delegates.add(delegate)
    KpiFactory(reference="900", directorate=directorate, lead_officer=owner, frequency="annual")
    return made


def _run(day: str) -> str:
    out = StringIO()
    call_command("send_reminders", "--today", day, stdout=out, stderr=StringIO())
    return out.getvalue()


def _to(kind: str) -> dict[str, mail.EmailMessage]:
    return {message.to[0].split("@")[0]: message for message in _messages_of(kind)}


def _messages_of(kind: str) -> list:
    subjects = {
        Kind.BEFORE_DEADLINE: "due by",
        Kind.OVERDUE: "Overdue:",
        Kind.APPROVER_DIGEST: "your sign-off",
    }
    return [m for m in mail.outbox if subjects[kind] in m.subject]


def test_owners_are_warned_days_before_the_deadline(kpis, period):
    _run("2026-01-17")
    warned = _to(Kind.BEFORE_DEADLINE)
    assert sorted(warned) == ["colleague", "delegate", "owner"]
    assert warned["owner"].subject == "2025/26 Q3: 2 KPI values due by 20 January 2026"
    body = warned["owner"].body
    assert "KPI 101" in body and "KPI 102" in body and "20 January 2026" in body
    assert "KPI 900" not in body  # an annual KPI is not due in a quarter
    assert "KPI 105" in warned["colleague"].body  # returned: back with its owner
    assert "KPI 103" not in warned["colleague"].body and "KPI 104" not in warned["colleague"].body
    assert warned["delegate"].body.count("- KPI") == 1
    recorded = Reminder.objects.get(kind=Kind.BEFORE_DEADLINE, recipient__username="owner")
    assert recorded.period == period
    assert recorded.sent_by is None
    assert sorted(k.reference for k in recorded.kpis.all()) == ["101", "102"]


def test_nothing_goes_to_owners_on_other_days_before_the_deadline(kpis):
    _run("2026-01-16")
    assert not _messages_of(Kind.BEFORE_DEADLINE)
    _run("2026-01-20")
    assert not _messages_of(Kind.BEFORE_DEADLINE) and not _messages_of(Kind.OVERDUE)


def test_the_days_before_come_from_the_setting(kpis, settings):
    settings.REMINDER_DAYS_BEFORE = 5
    _run("2026-01-17")
    assert not _messages_of(Kind.BEFORE_DEADLINE)
    _run("2026-01-15")
    assert len(_messages_of(Kind.BEFORE_DEADLINE)) == 3


def test_owners_are_chased_after_the_deadline(kpis):
    _run("2026-01-21")
    overdue = _to(Kind.OVERDUE)
    assert sorted(overdue) == ["colleague", "delegate", "owner"]
    assert overdue["owner"].subject == (
        "Overdue: 2 KPI values for 2025/26 Q3 were due on 20 January 2026"
    )
    assert "These values are overdue" in overdue["owner"].body
    assert Reminder.objects.filter(kind=Kind.OVERDUE).count() == 3


def test_approvers_get_a_digest_of_what_awaits_them(kpis, approver):
    _run("2026-01-10")
    digest = _to(Kind.APPROVER_DIGEST)
    assert list(digest) == ["approver"]
    assert digest["approver"].subject == "1 KPI value for 2025/26 Q3 awaits your sign-off"
    assert "KPI 103" in digest["approver"].body and "31 January 2026" in digest["approver"].body
    recorded = Reminder.objects.get(kind=Kind.APPROVER_DIGEST)
    assert recorded.recipient == approver
    assert [k.reference for k in recorded.kpis.all()] == ["103"]


def test_running_twice_in_a_day_sends_nothing_new(kpis):
    output = _run("2026-01-21")
    assert "Sent 4 reminder(s)" in output
    sent = len(mail.outbox)
    output = _run("2026-01-21")
    assert len(mail.outbox) == sent
    assert Reminder.objects.count() == 4
    assert "Sent 0 reminder(s); 4 already sent today" in output


def test_periods_that_are_not_open_are_left_alone(kpis, period):
    period.state = ReportingPeriod.State.CLOSED
    period.save()
    _run("2026-01-21")
    assert not mail.outbox
    assert not Reminder.objects.exists()


def test_people_without_an_e_mail_address_are_reported_not_recorded(kpis, owner):
    owner.email = ""
    owner.save()
    err = StringIO()
    call_command("send_reminders", "--today", "2026-01-21", stdout=StringIO(), stderr=err)
    assert "No e-mail address for owner" in err.getvalue()
    assert "owner" not in _to(Kind.OVERDUE)
    assert not Reminder.objects.filter(recipient=owner).exists()


def test_a_bad_date_is_refused(db):
    with pytest.raises(CommandError, match="--today must be a date"):
        call_command("send_reminders", "--today", "21/01/2026")


def test_only_gp_can_chase(kpis, period, owner, approver, gp):
    with pytest.raises(reminders.PermissionDenied):
        reminders.chase(period=period, kpis=[kpis["101"]], by=approver)
    sent = reminders.chase(period=period, kpis=[kpis["101"]], by=gp)
    assert sorted(r.recipient.username for r in sent.reminders) == ["delegate", "owner"]
    assert mail.outbox[0].subject.startswith("Please enter 1 KPI value for 2025/26 Q3")
