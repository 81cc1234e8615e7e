"""A KPI's values over time, with who entered, submitted and approved each, and before/after."""

import datetime
from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from kpis.register.models import Kpi
from kpis.register.tests.factories import KpiFactory
from kpis.reporting import services
from kpis.reporting.models import ReportingPeriod
from kpis.reporting.selectors import kpi_value_history
from kpis.reporting.services import Entry, periods_create_for_year
from pmf.history import Change
from pmf.roles import system_actor


@pytest.fixture
def kpi(directorate, owner):
    # Its own data-quality threshold is wide enough that its fall from 82% to 60% is not queried.
    return KpiFactory(
        reference="169", directorate=directorate, lead_officer=owner, query_threshold=30
    )


def _quarter(year: int, number: int) -> ReportingPeriod:
    return ReportingPeriod.objects.get(kind="quarter", financial_year=year, number=number)


def _report(kpi, period, *, owner, approver, gp, value: str, commentary: str = "") -> None:
    services.period_open(
        period=period,
        by=gp,
        submission_deadline=period.ends_on + datetime.timedelta(days=20),
        signoff_deadline=period.ends_on + datetime.timedelta(days=30),
    )
    entry = Entry(value=Decimal(value), commentary=commentary, action_plan="Recover by Q4")
    draft = services.measurement_save(
        kpi=kpi, period=period, by=owner, entry=entry, expected_version=None
    )
    submitted = services.measurement_save(
        kpi=kpi, period=period, by=owner, entry=entry, expected_version=draft.version, submit=True
    )
    services.measurement_approve(
        measurement=submitted, by=approver, expected_version=submitted.version
    )


@pytest.fixture
def reported(kpi, owner, approver, gp):
    periods_create_for_year(financial_year=2025, by=system_actor())
    services.target_set(kpi=kpi, financial_year=2025, by=gp, value=Decimal("80"))
    _report(kpi, _quarter(2025, 1), owner=owner, approver=approver, gp=gp, value="82")
    _report(
        kpi,
        _quarter(2025, 2),
        owner=owner,
        approver=approver,
        gp=gp,
        value="60",
        commentary="Staff shortages <b>in</b> the team.",
    )
    return kpi


def test_it_lists_values_newest_first_with_target_rating_and_people(reported, owner, approver):
    history = kpi_value_history(reported, work_in_progress=True)
    rows = history["rows"]
    assert [row.period.label for row in rows] == ["2025/26 Q2", "2025/26 Q1"]
    latest = rows[0]
    assert latest.measurement.value == 60
    assert latest.target.value == 80
    assert latest.rating.label == "Red"
    assert latest.status_label == "Approved"
    assert latest.entered_by == owner.get_full_name()
    assert latest.submitted_by == owner.get_full_name()
    assert latest.approved_by == approver.get_full_name()
    assert rows[1].rating.label == "Green"


def test_a_per_period_target_beats_the_annual_one(reported, gp):
    services.target_set(
        kpi=reported, financial_year=2025, by=gp, value=Decimal("55"), period=_quarter(2025, 2)
    )
    rows = kpi_value_history(reported, work_in_progress=True)["rows"]
    assert rows[0].target.value == 55
    assert rows[1].target.value == 80


def test_changes_show_who_did_what_with_before_and_after(reported, owner, approver, gp):
    services.target_set(kpi=reported, financial_year=2025, by=gp, value=Decimal("85"))
    changes = kpi_value_history(reported, work_in_progress=True)["changes"]
    newest = changes[0]
    assert newest.scope == "Annual target 2025/26"
    assert newest.who == gp.get_full_name()
    assert Change("Target", "80", "85") in newest.changes
    approval = next(c for c in changes if c.reason == "Approved" and "Q2" in c.scope)
    assert approval.who == approver.get_full_name()
    assert Change("Status", "Submitted", "Approved") in approval.changes
    submitted = next(c for c in changes if c.reason == "Submitted" and "Q2" in c.scope)
    assert submitted.who == owner.get_full_name()
    assert Change("Status", "Draft", "Submitted") in submitted.changes
    first = next(c for c in changes if c.reason == "Saved as draft" and "Q2" in c.scope)
    assert Change("Value", "", "60") in first.changes


def test_it_uses_a_fixed_number_of_queries(kpi, owner, approver, gp, django_assert_num_queries):
    periods_create_for_year(financial_year=2024, by=system_actor())
    periods_create_for_year(financial_year=2025, by=system_actor())
    _report(kpi, _quarter(2024, 1), owner=owner, approver=approver, gp=gp, value="70")
    with django_assert_num_queries(4):
        kpi_value_history(kpi, work_in_progress=True)
    for year, number in [(2024, 2), (2024, 3), (2024, 4), (2025, 1), (2025, 2)]:
        _report(kpi, _quarter(year, number), owner=owner, approver=approver, gp=gp, value="70")
        services.target_set(
            kpi=kpi,
            financial_year=year,
            by=gp,
            value=Decimal(number),
            period=_quarter(year, number),
        )
    with django_assert_num_queries(4):
        history = kpi_value_history(kpi, work_in_progress=True)
    assert len(history["rows"]) == 6


def test_the_include_renders_an_accessible_escaped_table(reported):
    html = render_to_string(
        "kpis/reporting/includes/kpi_values.html",
        {"value_history": kpi_value_history(reported, work_in_progress=True)},
    )
    assert '<th scope="col" class="govuk-table__header">Period</th>' in html
    assert "<caption" in html
    assert '<strong class="govuk-tag govuk-tag--red">Red</strong>' in html
    assert "Staff shortages &lt;b&gt;in&lt;/b&gt; the team." in html
    assert "<b>in</b>" not in html
    assert "Approved:" in html and "Submitted:" in html
    assert "<del>" in html and "<ins>" in html


def test_a_contextual_kpi_says_so_instead_of_a_target(directorate, owner, approver, gp):
    periods_create_for_year(financial_year=2025, by=system_actor())
    contextual = KpiFactory(
        reference="C1",
        directorate=directorate,
        lead_officer=owner,
        target_kind=Kpi.TargetKind.CONTEXTUAL,
    )
    _report(contextual, _quarter(2025, 1), owner=owner, approver=approver, gp=gp, value="12")
    history = kpi_value_history(contextual, work_in_progress=True)
    assert history["is_contextual"]
    html = render_to_string("kpis/reporting/includes/kpi_values.html", {"value_history": history})
    assert "Contextual" in html


def test_a_kpi_without_values_says_so(kpi):
    html = render_to_string(
        "kpis/reporting/includes/kpi_values.html",
        {"value_history": kpi_value_history(kpi, work_in_progress=True)},
    )
    assert "No values have been entered yet." in html


# What readers see -------------------------------------------------------------------------------


@pytest.fixture
def in_progress(reported, owner, approver, gp):
    """Beside the approved Q1 and Q2: Q3 submitted (provisional), Q4 returned, and the year's
    last month a draft."""
    q3, q4 = _quarter(2025, 3), _quarter(2025, 4)
    for period in (q3, q4):
        services.period_open(
            period=period,
            by=gp,
            submission_deadline=period.ends_on + datetime.timedelta(days=20),
            signoff_deadline=period.ends_on + datetime.timedelta(days=30),
        )
    entry = Entry(value=Decimal("81"), commentary="Submitted figure, checked.")
    services.measurement_save(
        kpi=reported, period=q3, by=owner, entry=entry, expected_version=None, submit=True
    )
    wrong = Entry(value=Decimal("70"), commentary="DRAFT-ONLY commentary", action_plan="Fix it")
    sent = services.measurement_save(
        kpi=reported, period=q4, by=owner, entry=wrong, expected_version=None, submit=True
    )
    services.measurement_return(
        measurement=sent, by=approver, expected_version=sent.version, reason="RETURN-REASON-X"
    )
    return reported


def test_readers_see_approved_and_provisional_values_only(in_progress):
    history = kpi_value_history(in_progress, work_in_progress=False)
    assert [(row.period.label, row.status_label) for row in history["rows"]] == [
        ("2025/26 Q3", "Submitted"),
        ("2025/26 Q2", "Approved"),
        ("2025/26 Q1", "Approved"),
    ]
    assert history["rows"][0].provisional_note == "Provisional: submitted, not yet approved"
    assert history["rows"][1].provisional_note == ""
    html = render_to_string(
        "kpis/reporting/includes/kpi_values.html",
        {"value_history": history, "work_in_progress": False},
    )
    assert "Provisional: submitted, not yet approved" in html
    for hidden in ("DRAFT-ONLY", "RETURN-REASON-X", "Returned", "Saved as draft", "2025/26 Q4"):
        assert hidden not in html, hidden


def test_readers_see_only_changes_that_left_a_value_reported(in_progress, owner):
    changes = kpi_value_history(in_progress, work_in_progress=False)["changes"]
    reasons = {(entry.scope, entry.reason) for entry in changes if entry.scope.startswith("Value")}
    assert reasons == {
        ("Value for 2025/26 Q1", "Submitted"),
        ("Value for 2025/26 Q1", "Approved"),
        ("Value for 2025/26 Q2", "Submitted"),
        ("Value for 2025/26 Q2", "Approved"),
        ("Value for 2025/26 Q3", "Submitted"),
    }
    submitted = next(e for e in changes if e.scope == "Value for 2025/26 Q3")
    assert Change("Value", "", "81") in submitted.changes  # its first reported version
    fields = {change.field for entry in changes for change in entry.changes}
    assert "Reason returned" not in fields


def test_those_who_work_on_the_values_see_every_value_and_why_it_was_returned(in_progress):
    history = kpi_value_history(in_progress, work_in_progress=True)
    assert [row.status_label for row in history["rows"]][:2] == ["Returned", "Submitted"]
    returned = next(e for e in history["changes"] if e.reason.startswith("Returned"))
    assert Change("Reason returned", "", "RETURN-REASON-X") in returned.changes


def test_readers_history_takes_the_same_queries(in_progress, django_assert_num_queries):
    with django_assert_num_queries(4):
        kpi_value_history(in_progress, work_in_progress=False)


def test_a_historic_load_says_when_by_whom_and_on_what_authority_it_was_loaded(kpi, gp):
    periods_create_for_year(financial_year=2024, by=system_actor())
    services.period_close(period=_quarter(2024, 4), by=gp)
    services.measurement_save(
        kpi=kpi,
        period=_quarter(2024, 4),
        by=gp,
        entry=Entry(value=Decimal("77")),
        expected_version=None,
        historic=True,
        authority="2024/25 outturn from the finance system, agreed by G&P",
    )
    loaded = kpi.measurements.get()
    html = render_to_string(
        "kpis/reporting/includes/kpi_values.html",
        {"value_history": kpi_value_history(kpi, work_in_progress=False)},
    )
    when = f"{loaded.loaded_at:%-d %b %Y}"
    assert f"Loaded {when} as historic data by {gp.get_full_name()}" in html
    assert "Authority: 2024/25 outturn from the finance system, agreed by G&amp;P" in html
    assert "last saved" not in html
    assert "Approved:" not in html  # approved by its loading, said once
