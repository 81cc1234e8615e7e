"""The reporting cycle's services: values, sign-off, targets and periods."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from kpis.register.models import Kpi
from kpis.register.tests.factories import KpiFactory
from kpis.reporting.models import Measurement, ReportingPeriod, Target
from kpis.reporting.policy import target_for
from kpis.reporting.services import (
    Entry,
    StaleEdit,
    measurement_approve,
    measurement_return,
    measurement_save,
    measurements_approve,
    period_close,
    period_lock,
    period_open,
    period_reopen,
    target_set,
)
from kpis.reporting.tests.factories import make_measurement, make_period, make_target
from pmf.roles import system_actor
from pmf.tests.factories import UserFactory

D = Decimal


@pytest.fixture
def period(db):
    return make_period()


@pytest.fixture
def kpi(owner, directorate):
    return KpiFactory(reference="169", lead_officer=owner, directorate=directorate)


def _save(kpi, period, by, *, version=None, submit=False, **entry):
    return measurement_save(
        kpi=kpi,
        period=period,
        by=by,
        entry=Entry(**entry),
        expected_version=version,
        submit=submit,
    )


def _reasons(measurement) -> list[str]:
    return list(
        Measurement.history.filter(id=measurement.pk)
        .order_by("history_date", "history_id")
        .values_list("history_change_reason", flat=True)
    )


def _errors(excinfo) -> dict:
    return excinfo.value.message_dict


# Who may enter and approve ---------------------------------------------------------------------


def test_the_lead_officer_delegates_and_gp_may_enter_but_nobody_else(
    kpi, owner, colleague, outsider, approver, gp
):
    kpi.delegates.add(colleague)
    assert owner.has_perm("kpis.enter_value", kpi)
    assert colleague.has_perm("kpis.enter_value", kpi)
    assert gp.has_perm("kpis.enter_value", kpi)
    assert not outsider.has_perm("kpis.enter_value", kpi)
    assert not approver.has_perm("kpis.enter_value", kpi)


def test_the_directorates_approvers_and_gp_may_approve(kpi, approver, gp, owner, other_directorate):
    stranger = UserFactory(username="other-approver", roles=["Directorate approver"])
    other_directorate.approvers.add(stranger)
    assert approver.has_perm("kpis.approve_value", kpi)
    assert gp.has_perm("kpis.approve_value", kpi)
    assert not owner.has_perm("kpis.approve_value", kpi)
    assert not stranger.has_perm("kpis.approve_value", kpi)


# Saving and submitting -------------------------------------------------------------------------


def test_it_saves_a_draft(kpi, period, owner):
    saved = _save(kpi, period, owner, value=D("72.5"), commentary="Up on last quarter")
    saved.refresh_from_db()
    assert saved.status == Measurement.Status.DRAFT
    assert saved.value == D("72.5")
    assert saved.version == 1
    assert saved.entered_by == owner
    assert saved.submitted_by is None
    assert _reasons(saved) == ["Saved as draft"]


def test_it_submits_a_value_for_sign_off(kpi, period, owner):
    make_target(kpi, 70)
    saved = _save(kpi, period, owner, value=D("72.5"), submit=True)
    assert saved.status == Measurement.Status.SUBMITTED
    assert saved.submitted_by == owner
    assert saved.submitted_at is not None
    assert saved.rating == "green"
    assert _reasons(saved) == ["Submitted"]


def test_a_draft_can_be_saved_again_then_submitted(kpi, period, owner):
    first = _save(kpi, period, owner, value=D("60"))
    second = _save(kpi, period, owner, version=first.version, value=D("61"), submit=True)
    assert second.pk == first.pk
    assert second.version == 2
    assert _reasons(second) == ["Saved as draft", "Submitted"]


def test_a_delegate_may_submit(kpi, period, colleague):
    kpi.delegates.add(colleague)
    saved = _save(kpi, period, colleague, value=D("50"), submit=True, action_plan="Plan")
    assert saved.submitted_by == colleague


def test_it_refuses_an_outsider(kpi, period, outsider):
    with pytest.raises(PermissionDenied):
        _save(kpi, period, outsider, value=D("50"))
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    ("value", "allows_outside", "ok"),
    [
        (D("0"), False, True),
        (D("100"), False, True),
        (D("100.01"), False, False),
        (D("-1"), False, False),
        (D("150"), True, True),
        (D("-20"), True, True),
    ],
)
def test_a_percentage_must_be_between_0_and_100_unless_the_kpi_allows_otherwise(
    period, owner, directorate, value, allows_outside, ok
):
    kpi = KpiFactory(
        lead_officer=owner,
        directorate=directorate,
        unit=Kpi.Unit.PERCENT,
        allows_values_outside_0_100=allows_outside,
    )
    if ok:
        assert _save(kpi, period, owner, value=value).value == value
    else:
        with pytest.raises(ValidationError) as excinfo:
            _save(kpi, period, owner, value=value)
        assert _errors(excinfo) == {"value": ["Enter a percentage between 0 and 100"]}
        assert not Measurement.objects.exists()


def test_a_count_must_be_a_whole_number(period, owner, directorate):
    kpi = KpiFactory(lead_officer=owner, directorate=directorate, unit=Kpi.Unit.COUNT)
    with pytest.raises(ValidationError) as excinfo:
        _save(kpi, period, owner, value=D("12.5"))
    assert _errors(excinfo) == {"value": ["Enter a whole number"]}
    with pytest.raises(ValidationError):
        _save(kpi, period, owner, value=D("-3"))
    assert _save(kpi, period, owner, value=D("12")).value == 12


def test_money_is_in_pounds_and_pence(period, owner, directorate):
    kpi = KpiFactory(lead_officer=owner, directorate=directorate, unit=Kpi.Unit.MONEY)
    with pytest.raises(ValidationError) as excinfo:
        _save(kpi, period, owner, value=D("1250.505"))
    assert "pounds and pence" in _errors(excinfo)["value"][0]
    assert _save(kpi, period, owner, value=D("1250.50")).value == D("1250.50")


def test_money_is_not_negative_unless_the_kpi_allows_values_outside_its_units_range(
    period, owner, directorate
):
    kpi = KpiFactory(lead_officer=owner, directorate=directorate, unit=Kpi.Unit.MONEY)
    with pytest.raises(ValidationError) as excinfo:
        _save(kpi, period, owner, value=D("-1250.50"))
    assert _errors(excinfo) == {"value": ["A money value cannot be negative"]}
    kpi.allows_values_outside_0_100 = True  # an overspend or underspend, say
    kpi.save()
    assert _save(kpi, period, owner, value=D("-1250.50")).value == D("-1250.50")


def test_not_available_needs_a_reason(kpi, period, owner):
    with pytest.raises(ValidationError) as excinfo:
        _save(kpi, period, owner, not_available=True)
    assert _errors(excinfo) == {"not_available_reason": ["Say why the value is not available"]}
    saved = _save(
        kpi, period, owner, not_available=True, not_available_reason="Survey delayed", submit=True
    )
    assert saved.not_available and saved.value is None
    assert saved.status == Measurement.Status.SUBMITTED


def test_not_available_cannot_also_have_a_value(kpi, period, owner):
    with pytest.raises(ValidationError) as excinfo:
        _save(kpi, period, owner, value=D("5"), not_available=True, not_available_reason="x")
    assert "value" in _errors(excinfo)


def test_a_blank_value_cannot_be_submitted(kpi, period, owner):
    with pytest.raises(ValidationError) as excinfo:
        _save(kpi, period, owner, commentary="Coming soon", submit=True)
    assert _errors(excinfo) == {"value": ["Enter a value, or say it is not available and why"]}
    assert not Measurement.objects.exists()


def test_a_blank_draft_is_allowed(kpi, period, owner):
    assert _save(kpi, period, owner, commentary="Waiting for the return").value is None


@pytest.mark.parametrize(("value", "label"), [(D("50"), "Red"), (D("75"), "Amber")])
def test_an_off_target_value_needs_an_action_plan_to_be_submitted(kpi, period, owner, value, label):
    make_target(kpi, 80)
    with pytest.raises(ValidationError) as excinfo:
        _save(kpi, period, owner, value=value, submit=True)
    assert _errors(excinfo) == {
        "action_plan": [f"This value is off target ({label}): enter an action plan"]
    }
    draft = _save(kpi, period, owner, value=value)  # a draft may wait for its plan
    assert draft.rating == label.lower()
    submitted = _save(
        kpi, period, owner, version=draft.version, value=value, action_plan="Recruit", submit=True
    )
    assert submitted.status == Measurement.Status.SUBMITTED


def test_an_on_target_value_needs_no_action_plan(kpi, period, owner):
    make_target(kpi, 80)
    assert _save(kpi, period, owner, value=D("80"), submit=True).rating == "green"


def test_numerator_and_denominator_compute_the_value(period, owner, directorate):
    kpi = KpiFactory(
        lead_officer=owner,
        directorate=directorate,
        unit=Kpi.Unit.PERCENT,
        numerator_label="Visits on time",
        denominator_label="All visits",
    )
    saved = _save(kpi, period, owner, numerator=D("45"), denominator=D("60"))
    assert saved.value == D("75")
    with pytest.raises(ValidationError) as excinfo:
        _save(kpi, period, owner, version=1, numerator=D("4"), denominator=D("0"))
    assert "denominator" in _errors(excinfo)


def test_a_rate_per_10000_is_computed_from_the_fraction(period, owner, directorate):
    kpi = KpiFactory(
        lead_officer=owner,
        directorate=directorate,
        unit=Kpi.Unit.RATE_PER_10000,
        numerator_label="Children in care",
        denominator_label="Children",
    )
    assert _save(kpi, period, owner, numerator=D("30"), denominator=D("6000")).value == 50


# Concurrency and repeats -----------------------------------------------------------------------


def test_a_stale_version_raises_stale_edit_with_the_newer_value(kpi, period, owner, colleague):
    kpi.delegates.add(colleague)
    first = _save(kpi, period, owner, value=D("60"))
    _save(kpi, period, colleague, version=first.version, value=D("65"))
    with pytest.raises(StaleEdit) as excinfo:
        _save(kpi, period, owner, version=first.version, value=D("70"))
    assert excinfo.value.current.value == D("65")
    assert excinfo.value.current.version == 2
    assert Measurement.objects.get().value == D("65")


def test_a_new_value_created_meanwhile_makes_the_form_stale(kpi, period, owner, colleague):
    kpi.delegates.add(colleague)
    _save(kpi, period, colleague, version=0, value=D("65"))
    with pytest.raises(StaleEdit):
        _save(kpi, period, owner, version=0, value=D("70"))


def test_the_same_submission_twice_makes_one_submission(kpi, period, owner):
    first = _save(kpi, period, owner, version=0, value=D("72"), submit=True)
    again = _save(kpi, period, owner, version=0, value=D("72"), submit=True)
    assert again.pk == first.pk
    assert again.version == first.version == 1
    assert Measurement.objects.count() == 1
    assert _reasons(first) == ["Submitted"]


def test_the_same_draft_twice_makes_one_history_record(kpi, period, owner):
    first = _save(kpi, period, owner, version=0, value=D("72"), commentary="Same")
    _save(kpi, period, owner, version=0, value=D("72"), commentary="Same")
    assert _reasons(first) == ["Saved as draft"]


# Period state ----------------------------------------------------------------------------------


def test_a_locked_periods_values_cannot_be_changed_by_anyone(kpi, owner, gp):
    locked = make_period(state=ReportingPeriod.State.LOCKED)
    stored = make_measurement(kpi, locked, 60, status=Measurement.Status.APPROVED)
    for user in (owner, gp, system_actor()):
        with pytest.raises(ValidationError, match="locked"):
            _save(kpi, locked, user, version=stored.version, value=D("99"))
    with pytest.raises(ValidationError, match="locked"):
        measurement_save(
            kpi=kpi,
            period=locked,
            by=gp,
            entry=Entry(value=D("99")),
            expected_version=stored.version,
            historic=True,
            authority="Outturn agreed by G&P",
        )
    stored.refresh_from_db()
    assert stored.value == 60 and stored.version == 1


def test_a_historic_value_records_who_loaded_it_when_and_on_what_authority(kpi, gp):
    closed = make_period(state=ReportingPeriod.State.CLOSED)
    with pytest.raises(ValidationError, match="Say on what authority"):
        measurement_save(
            kpi=kpi,
            period=closed,
            by=gp,
            entry=Entry(value=D("61")),
            expected_version=None,
            historic=True,
            authority="  ",
        )
    assert not Measurement.objects.exists()
    loaded = measurement_save(
        kpi=kpi,
        period=closed,
        by=gp,
        entry=Entry(value=D("61")),
        expected_version=None,
        historic=True,
        authority=" 2024/25 outturn from the finance system, agreed by G&P ",
    )
    loaded.refresh_from_db()
    assert loaded.status == Measurement.Status.APPROVED and loaded.is_historic_load
    assert loaded.historic_authority == "2024/25 outturn from the finance system, agreed by G&P"
    assert (loaded.loaded_by, loaded.approved_by) == (gp, gp)
    assert loaded.loaded_at == loaded.approved_at is not None


def test_a_locked_periods_values_cannot_be_approved_or_returned(kpi, owner, approver, gp):
    locked = make_period(state=ReportingPeriod.State.LOCKED)
    stored = make_measurement(
        kpi, locked, 60, status=Measurement.Status.SUBMITTED, submitted_by=owner
    )
    for user in (approver, gp):
        with pytest.raises(ValidationError):
            measurement_approve(measurement=stored, by=user, expected_version=1)
        with pytest.raises(ValidationError):
            measurement_return(measurement=stored, by=user, expected_version=1, reason="x")
    stored.refresh_from_db()
    assert stored.status == Measurement.Status.SUBMITTED


def test_officers_cannot_enter_into_a_period_that_is_not_open_but_gp_can(kpi, owner, gp):
    closed = make_period(state=ReportingPeriod.State.CLOSED)
    with pytest.raises(ValidationError, match="not open"):
        _save(kpi, closed, owner, value=D("50"))
    assert _save(kpi, closed, gp, value=D("50")).entered_by == gp


def test_officers_cannot_change_a_submitted_value_but_gp_can(kpi, period, owner, gp):
    submitted = _save(kpi, period, owner, value=D("72"), submit=True)
    with pytest.raises(ValidationError, match="submitted for sign-off"):
        _save(kpi, period, owner, version=submitted.version, value=D("73"))
    corrected = _save(kpi, period, gp, version=submitted.version, value=D("73"), submit=True)
    assert corrected.value == 73


def test_officers_cannot_change_an_approved_value(kpi, period, owner, approver):
    submitted = _save(kpi, period, owner, value=D("72"), submit=True)
    approved = measurement_approve(measurement=submitted, by=approver, expected_version=1)
    with pytest.raises(ValidationError):
        _save(kpi, period, owner, version=approved.version, value=D("73"), submit=True)


# Sign-off --------------------------------------------------------------------------------------


@pytest.fixture
def submitted(kpi, period, owner):
    return _save(kpi, period, owner, value=D("72"), commentary="Fine", submit=True)


def test_an_approver_approves_a_submitted_value(submitted, approver):
    approved = measurement_approve(
        measurement=submitted, by=approver, expected_version=submitted.version
    )
    assert approved.status == Measurement.Status.APPROVED
    assert approved.approved_by == approver and approved.approved_at is not None
    assert approved.version == submitted.version + 1
    assert _reasons(approved) == ["Submitted", "Approved"]


def test_approving_twice_records_one_approval(submitted, approver):
    measurement_approve(measurement=submitted, by=approver, expected_version=1)
    again = measurement_approve(measurement=submitted, by=approver, expected_version=1)
    assert again.status == Measurement.Status.APPROVED
    assert _reasons(again) == ["Submitted", "Approved"]


def test_returning_needs_a_reason(submitted, approver):
    with pytest.raises(ValidationError) as excinfo:
        measurement_return(measurement=submitted, by=approver, expected_version=1, reason="  ")
    assert _errors(excinfo) == {"reason": ["Say why you are returning it"]}
    submitted.refresh_from_db()
    assert submitted.status == Measurement.Status.SUBMITTED


def test_a_returned_value_carries_the_reason_and_can_be_corrected_and_resubmitted(
    submitted, approver, kpi, period, owner
):
    returned = measurement_return(
        measurement=submitted, by=approver, expected_version=1, reason="Check the denominator"
    )
    assert returned.status == Measurement.Status.RETURNED
    assert returned.returned_reason == "Check the denominator"
    assert _reasons(returned)[-1] == "Returned: Check the denominator"
    resubmitted = _save(kpi, period, owner, version=returned.version, value=D("71"), submit=True)
    assert resubmitted.status == Measurement.Status.SUBMITTED
    assert resubmitted.returned_reason == ""


def test_a_draft_cannot_be_approved(kpi, period, owner, approver):
    draft = _save(kpi, period, owner, value=D("72"))
    with pytest.raises(ValidationError, match="Only a submitted value"):
        measurement_approve(measurement=draft, by=approver, expected_version=draft.version)


def test_a_stale_approval_is_refused(submitted, approver, gp):
    measurement_return(measurement=submitted, by=gp, expected_version=1, reason="Wrong quarter")
    with pytest.raises(StaleEdit) as excinfo:
        measurement_approve(measurement=submitted, by=approver, expected_version=1)
    assert excinfo.value.current.status == Measurement.Status.RETURNED


def test_nobody_approves_their_own_submission_except_gp_in_the_service(kpi, period, approver, gp):
    approver.groups.add(Group.objects.get(name="Officer"))
    approver._pmf_group_names = None  # the role cache read by pmf.roles.group_names
    kpi.lead_officer = approver
    kpi.save()
    mine = _save(kpi, period, approver, value=D("72"), submit=True)
    with pytest.raises(PermissionDenied):
        measurement_approve(measurement=mine, by=approver, expected_version=mine.version)
    with pytest.raises(PermissionDenied):
        measurement_return(measurement=mine, by=approver, expected_version=mine.version, reason="x")
    # The service lets G&P sign off their own submission (the sign-off page does not).
    gp_own = _save(kpi, period, gp, version=mine.version, value=D("73"), submit=True)
    assert (
        measurement_approve(measurement=gp_own, by=gp, expected_version=gp_own.version).status
        == Measurement.Status.APPROVED
    )


def test_approvers_of_other_directorates_and_officers_are_refused(
    submitted, other_directorate, outsider, owner
):
    stranger = UserFactory(username="other-approver", roles=["Directorate approver"])
    other_directorate.approvers.add(stranger)
    for user in (stranger, outsider, owner):
        with pytest.raises(PermissionDenied):
            measurement_approve(measurement=submitted, by=user, expected_version=1)
        with pytest.raises(PermissionDenied):
            measurement_return(measurement=submitted, by=user, expected_version=1, reason="x")


# Targets ---------------------------------------------------------------------------------------


def test_gp_sets_and_changes_a_target_with_history(kpi, gp):
    target = target_set(kpi=kpi, financial_year=2025, by=gp, value=D("80"))
    same = target_set(kpi=kpi, financial_year=2025, by=gp, value=D("80"))
    changed = target_set(
        kpi=kpi, financial_year=2025, by=gp, value=D("85"), intervention_level=D("70")
    )
    assert same.pk == target.pk == changed.pk
    assert changed.value == 85 and changed.intervention_level == 70
    reasons = list(
        Target.history.order_by("history_date").values_list("history_change_reason", flat=True)
    )
    assert reasons == ["Target set", "Target changed"]


def test_only_gp_sets_targets(kpi, owner, approver):
    for user in (owner, approver):
        with pytest.raises(PermissionDenied):
            target_set(kpi=kpi, financial_year=2025, by=user, value=D("80"))


def test_a_contextual_kpi_has_no_target(owner, directorate, gp):
    kpi = KpiFactory(directorate=directorate, target_kind=Kpi.TargetKind.CONTEXTUAL)
    with pytest.raises(ValidationError):
        target_set(kpi=kpi, financial_year=2025, by=gp, value=D("80"))


def test_a_period_target_must_be_in_its_year_and_beats_the_annual_one(kpi, period, gp):
    with pytest.raises(ValidationError):
        target_set(kpi=kpi, financial_year=2024, by=gp, value=D("70"), period=period)
    annual = target_set(kpi=kpi, financial_year=2025, by=gp, value=D("80"))
    assert target_for(kpi, period) == annual
    quarterly = target_set(kpi=kpi, financial_year=2025, by=gp, value=D("75"), period=period)
    assert target_for(kpi, period) == quarterly
    other_quarter = make_period(number=3)
    assert target_for(kpi, other_quarter) == annual


# Periods ---------------------------------------------------------------------------------------


def test_gp_opens_closes_locks_and_reopens_a_period(gp):
    period = make_period(state=ReportingPeriod.State.NOT_OPEN)
    opened = period_open(
        period=period,
        by=gp,
        submission_deadline=datetime.date(2025, 10, 20),
        signoff_deadline=datetime.date(2025, 10, 31),
    )
    assert opened.is_open and opened.submission_deadline == datetime.date(2025, 10, 20)
    assert period_close(period=period, by=gp).state == ReportingPeriod.State.CLOSED
    assert period_lock(period=period, by=gp).is_locked
    with pytest.raises(ValidationError):
        period_reopen(period=period, by=gp, reason=" ")
    reopened = period_reopen(period=period, by=gp, reason="Correction agreed by SR&P")
    assert reopened.state == ReportingPeriod.State.CLOSED
    assert reopened.state_reason == "Correction agreed by SR&P"
    reasons = list(
        ReportingPeriod.history.order_by("history_date").values_list(
            "history_change_reason", flat=True
        )
    )
    assert reasons[-1] == "Reopened: Correction agreed by SR&P"


def test_sign_off_must_not_come_before_submission(gp):
    period = make_period(state=ReportingPeriod.State.NOT_OPEN)
    with pytest.raises(ValidationError):
        period_open(
            period=period,
            by=gp,
            submission_deadline=datetime.date(2025, 10, 20),
            signoff_deadline=datetime.date(2025, 10, 1),
        )


def test_a_locked_period_cannot_be_opened_or_closed_without_reopening(gp):
    period = make_period(state=ReportingPeriod.State.LOCKED)
    with pytest.raises(ValidationError):
        period_open(
            period=period,
            by=gp,
            submission_deadline=datetime.date(2025, 10, 20),
            signoff_deadline=datetime.date(2025, 10, 31),
        )
    with pytest.raises(ValidationError):
        period_close(period=period, by=gp)


def test_only_gp_runs_the_reporting_cycle(owner, approver):
    period = make_period(state=ReportingPeriod.State.OPEN)
    for user in (owner, approver):
        with pytest.raises(PermissionDenied):
            period_close(period=period, by=user)
        with pytest.raises(PermissionDenied):
            period_lock(period=period, by=user)
        with pytest.raises(PermissionDenied):
            period_reopen(period=period, by=user, reason="x")


def _submitted_values(count, owner, directorate, period):
    values = []
    for n in range(count):
        kpi = KpiFactory(reference=f"B{n}", lead_officer=owner, directorate=directorate)
        values.append(_save(kpi, period, owner, value=D("72"), commentary="Fine", submit=True))
    return values


@pytest.mark.parametrize("count", [2, 12])
def test_approving_several_at_once_is_each_approval_in_a_fixed_number_of_queries(
    count, owner, approver, directorate, period, django_assert_max_num_queries
):
    values = _submitted_values(count, owner, directorate, period)
    approver = type(approver).objects.get(pk=approver.pk)  # nothing about them read yet
    with django_assert_max_num_queries(7):
        approved = measurements_approve(items=[(v, v.version) for v in values], by=approver)
    for value in approved:
        assert value.status == Measurement.Status.APPROVED and value.approved_by == approver
        assert _reasons(value) == ["Submitted", "Approved"]
        assert value.history.first().history_user == approver
    assert measurements_approve(items=[(v, v.version - 1) for v in approved], by=approver)


def test_one_stale_value_approves_none_and_says_which(owner, approver, gp, directorate, period):
    first, second = _submitted_values(2, owner, directorate, period)
    _save(second.kpi, period, gp, version=second.version, value=D("73"), submit=True)
    with pytest.raises(StaleEdit) as refused:
        measurements_approve(items=[(first, first.version), (second, second.version)], by=approver)
    assert refused.value.measurement.pk == second.pk
    first.refresh_from_db()
    assert first.status == Measurement.Status.SUBMITTED
