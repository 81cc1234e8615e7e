"""The demo council: `manage.py load_demo` and `kpis.demo.load_demo`."""

import copy
import datetime
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.test import RequestFactory

from kpis import demo
from kpis.rating import Rating, trends
from kpis.register.models import Committee, CommitteeMembership, Directorate, Kpi, Priority, Service
from kpis.reporting.models import Measurement, RagPolicy, ReportingPeriod, Target
from kpis.reporting.periods import financial_year_of
from kpis.reporting.policy import target_for
from kpis.reporting.services import Entry, entry_errors, rate_entry, submission_errors
from pmf.models import User
from pmf.roles import Role

README_PASSWORD = "demo-password-2026"

HISTORIES = [
    Priority.history,
    Directorate.history,
    Service.history,
    Committee.history,
    Kpi.history,
    CommitteeMembership.history,
    ReportingPeriod.history,
    Target.history,
    Measurement.history,
]
# A Monday in 2026/27 Q3: 2026/27 Q2 (July to September) and October 2026 are open.
TODAY = datetime.date(2026, 11, 23)
Status = Measurement.Status
State = ReportingPeriod.State
OFF_TARGET = {Rating.AMBER.value, Rating.RED.value}


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    """Hashing 15 passwords with the production hasher on every load would dominate the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def loaded(module_db):
    """The demo as of TODAY, loaded once for this module (see `module_db`)."""
    return demo.load_demo(today=TODAY)


def _row_counts() -> dict[str, int]:
    models = (Priority, Directorate, Service, Committee, User, Kpi, CommitteeMembership)
    models += (ReportingPeriod, Target, Measurement)
    counts = {model.__name__: model.objects.count() for model in models}
    counts.update({history.model.__name__: history.count() for history in HISTORIES})
    counts["approvers"] = Directorate.approvers.through.objects.count()
    counts["kpi priorities"] = Kpi.priorities.through.objects.count()
    counts["user groups"] = User.groups.through.objects.count()
    return counts


@pytest.mark.django_db
def test_it_loads_the_demo_council(loaded):
    assert Directorate.objects.count() == 5
    assert Priority.objects.count() == 7
    assert Committee.objects.count() == 8
    assert 55 <= Kpi.objects.count() <= 65
    assert loaded.tallies["KPIs"].created == Kpi.objects.count()
    assert loaded.tallies["Committee memberships"].created == CommitteeMembership.objects.count()


@pytest.mark.django_db
def test_running_it_twice_adds_no_rows_and_no_history(loaded):
    before = _row_counts()

    again = demo.load_demo(today=TODAY)

    assert _row_counts() == before
    for label, tally in again.tallies.items():
        assert (tally.created, tally.updated) == (0, 0), label


@pytest.mark.django_db
def test_it_puts_back_a_changed_field_with_one_history_record(loaded):
    Kpi.objects.filter(reference="140").update(name="Renamed by hand")
    history_before = Kpi.history.count()

    summary = demo.load_demo(today=TODAY)

    assert Kpi.objects.get(reference="140").name.startswith("Household waste sent for reuse")
    assert summary.tallies["KPIs"].updated == 1
    assert Kpi.history.count() == history_before + 1


@pytest.mark.django_db
def test_every_role_has_a_demo_user_in_its_group(loaded):
    expected = {
        "officer": Role.OFFICER,
        "officer2": Role.OFFICER,
        "approver": Role.APPROVER,
        "gp": Role.GP,
        "clerk": Role.CLERK,
        "councillor": Role.VIEWER,
    }
    for username, role in expected.items():
        user = User.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [role.value], username
    demo_users = User.objects.filter(username__in=[spec.username for spec in demo.USERS])
    for role in Role:
        assert demo_users.filter(groups__name=role.value).exists(), role


@pytest.mark.django_db
def test_demo_users_have_fictional_council_details_and_no_admin(loaded):
    for user in User.objects.all():
        assert user.first_name and user.last_name and user.job_title, user.username
        assert user.email.endswith("@example.gov.uk"), user.username
        assert not user.is_staff and not user.is_superuser, user.username


@pytest.mark.django_db
def test_every_directorate_has_an_approver_services_and_kpis(loaded):
    approver = User.objects.get(username="approver")
    assert list(approver.approves_for.values_list("short_name", flat=True)) == ["P&S"]
    for directorate in Directorate.objects.all():
        assert 3 <= directorate.services.count() <= 6, directorate
        assert directorate.kpis.exists(), directorate
        assert directorate.approvers.filter(groups__name=Role.APPROVER.value).exists()


@pytest.mark.django_db
def test_the_register_covers_all_three_levels(loaded):
    for level in Kpi.Level:
        assert Kpi.objects.filter(level=level).count() >= 10, level
    for directorate in Directorate.objects.all():
        assert directorate.kpis.filter(level=Kpi.Level.STRATEGIC).exists(), directorate


@pytest.mark.django_db
def test_it_includes_the_named_corporate_kpis(loaded):
    expected = {
        "182": ("Freedom of Information", Kpi.Unit.PERCENT, Kpi.Direction.HIGHER),
        "183": ("Subject access", Kpi.Unit.PERCENT, Kpi.Direction.HIGHER),
        "169": ("Contract waivers", Kpi.Unit.COUNT, Kpi.Direction.LOWER),
        "218": ("Website accessibility", Kpi.Unit.PERCENT, Kpi.Direction.HIGHER),
        "163": ("sickness", Kpi.Unit.DAYS, Kpi.Direction.LOWER),
        "160": ("invoices paid within 30 days", Kpi.Unit.PERCENT, Kpi.Direction.HIGHER),
        "162": ("Agency staff spend", Kpi.Unit.MONEY, Kpi.Direction.LOWER),
        "166": ("complaints responded to within 10", Kpi.Unit.PERCENT, Kpi.Direction.HIGHER),
    }
    for reference, (words, unit, direction) in expected.items():
        kpi = Kpi.objects.get(reference=reference)
        assert kpi.level == Kpi.Level.CORPORATE, reference
        assert words.lower() in kpi.name.lower(), reference
        assert (kpi.unit, kpi.direction) == (unit, direction), reference


@pytest.mark.django_db
def test_every_kpi_passes_full_clean_and_has_a_lead_officer(loaded):
    for kpi in Kpi.objects.select_related("lead_officer"):
        kpi.full_clean()
        assert kpi.lead_officer is not None, kpi.reference
        assert kpi.lead_officer.groups.filter(name=Role.OFFICER.value).exists(), kpi.reference
        assert kpi.description and kpi.definition and kpi.calculation, kpi.reference
        assert kpi.rationale and kpi.data_source, kpi.reference


@pytest.mark.django_db
def test_strategic_kpis_link_to_ambitions_and_sit_with_the_strategic_committee(loaded):
    srp = Committee.objects.get(short_name="SRP")
    for kpi in Kpi.objects.filter(level=Kpi.Level.STRATEGIC):
        assert 1 <= kpi.priorities.count() <= 3, kpi.reference
        assert kpi.memberships.filter(committee=srp, ended_on__isnull=True).exists()
        if kpi.long_term_target is not None:
            assert 2028 <= kpi.long_term_target_year <= 2045, kpi.reference


@pytest.mark.django_db
def test_corporate_kpis_sit_with_audit_and_the_strategic_committee(loaded):
    for kpi in Kpi.objects.filter(level=Kpi.Level.CORPORATE).exclude(status=Kpi.Status.RETIRED):
        open_sets = set(
            kpi.memberships.filter(ended_on__isnull=True).values_list(
                "committee__short_name", flat=True
            )
        )
        assert {"SRP", "AA"} <= open_sets, kpi.reference


@pytest.mark.django_db
def test_contextual_kpis_have_no_target(loaded):
    for kpi in Kpi.objects.filter(status=Kpi.Status.CONTEXTUAL):
        assert kpi.target_kind == Kpi.TargetKind.CONTEXTUAL
        assert kpi.long_term_target is None
    for spec in demo.KPIS:
        if spec.status in (Kpi.Status.CONTEXTUAL, Kpi.Status.IN_DEVELOPMENT, Kpi.Status.BASELINE):
            assert spec.target is None, spec.reference


@pytest.mark.django_db
def test_suspended_kpis_say_why(loaded):
    suspended = Kpi.objects.filter(status=Kpi.Status.SUSPENDED)
    assert suspended.exists()
    for kpi in suspended:
        assert kpi.status_reason, kpi.reference


@pytest.mark.django_db
def test_retired_kpis_have_a_date_a_reason_and_closed_memberships(loaded):
    retired = Kpi.objects.filter(status=Kpi.Status.RETIRED)
    assert set(retired.values_list("reference", flat=True)) == {"111", "189"}
    for kpi in retired:
        assert kpi.date_removed and kpi.status_reason and kpi.removed_by_decision
        assert not kpi.memberships.filter(ended_on__isnull=True).exists()
        for membership in kpi.memberships.all():
            assert membership.ended_on == kpi.date_removed
            assert membership.end_decision == kpi.removed_by_decision


@pytest.mark.django_db
def test_kpi_189_is_replaced_by_217_and_218(loaded):
    old = Kpi.objects.get(reference="189")
    for reference in ("217", "218"):
        new = Kpi.objects.get(reference=reference)
        assert "189" in new.added_by_decision
        assert new.date_added > old.date_removed
        assert new.status == Kpi.Status.LIVE


@pytest.mark.django_db
def test_every_demo_user_can_sign_in_with_the_readme_password(loaded):
    assert demo.DEMO_PASSWORD == README_PASSWORD
    validate_password(README_PASSWORD)
    request = RequestFactory().post("/sign-in/")
    for spec in demo.USERS:
        user = authenticate(request, username=spec.username, password=README_PASSWORD)
        assert user is not None and user.username == spec.username


# --------------------------------------------------------------------------------------------
# Reporting history
# --------------------------------------------------------------------------------------------


def _values(**filters):
    return Measurement.objects.filter(**filters).select_related("kpi", "period")


def _open_period(kind: str) -> ReportingPeriod:
    return ReportingPeriod.objects.get(kind=kind, state=State.OPEN)


def _locked_ratings(kpi: Kpi) -> list[str]:
    return list(
        kpi.measurements.filter(period__state=State.LOCKED)
        .order_by("period__starts_on")
        .values_list("rating", flat=True)
    )


def _signed_off_counts() -> dict[str, int]:
    """Approved values in locked periods by KPI reference."""
    return Counter(
        Measurement.objects.filter(status=Status.APPROVED, period__state=State.LOCKED).values_list(
            "kpi__reference", flat=True
        )
    )


MINIMUM_HISTORY = {"quarterly": 8, "monthly": 24, "annual": 3}


def _assert_eight_quarters_of_history() -> None:
    counts = _signed_off_counts()
    kpis = Kpi.objects.filter(status=Kpi.Status.LIVE, targets__isnull=False).distinct()
    assert kpis.count() >= 40
    for kpi in kpis:
        assert counts[kpi.reference] >= MINIMUM_HISTORY[kpi.frequency], kpi.reference


def _open_statuses() -> Counter:
    """What the open quarter and month hold for every KPI that reports in them."""
    found = Counter()
    for kind, frequency in (("quarter", "quarterly"), ("month", "monthly")):
        period = _open_period(kind)
        entered = dict(period.measurements.values_list("kpi_id", "status"))
        for kpi in Kpi.objects.filter(frequency=frequency).exclude(
            status__in=[Kpi.Status.SUSPENDED, Kpi.Status.RETIRED]
        ):
            found[entered.get(kpi.pk, "missing")] += 1
    return found


@pytest.mark.django_db
@pytest.mark.usefixtures("loaded")
class TestHistory:
    def test_it_makes_the_periods_of_three_years_before_this_one_and_this_one(self):
        assert ReportingPeriod.objects.count() == 4 * 17
        years = set(ReportingPeriod.objects.values_list("financial_year", flat=True))
        assert years == {2023, 2024, 2025, 2026}

    def test_the_latest_quarter_and_month_are_open_and_everything_before_locked(self):
        quarter, month = _open_period("quarter"), _open_period("month")
        assert quarter.label == "2026/27 Q2"
        assert (quarter.submission_deadline, quarter.signoff_deadline) == (
            TODAY + datetime.timedelta(days=7),
            TODAY + datetime.timedelta(days=14),
        )
        assert month.label == "2026/27 Oct"
        assert month.submission_deadline < TODAY <= month.signoff_deadline  # overdue values
        for period in ReportingPeriod.objects.exclude(pk__in=[quarter.pk, month.pk]):
            expected = State.LOCKED if period.ends_on < TODAY else State.NOT_OPEN
            assert period.state == expected, period.label
            if expected == State.LOCKED:
                assert period.submission_deadline <= period.signoff_deadline, period.label
        assert not ReportingPeriod.objects.filter(kind="year", state=State.OPEN).exists()

    def test_every_live_kpi_with_a_target_has_at_least_eight_quarters_of_history(self):
        _assert_eight_quarters_of_history()
        quarterly = Kpi.objects.filter(status=Kpi.Status.LIVE, frequency="quarterly")
        counts = _signed_off_counts()
        assert all(counts[kpi.reference] >= 9 for kpi in quarterly.filter(targets__isnull=False))

    def test_kpis_with_targets_have_one_for_every_year_and_the_others_none(self):
        for spec in demo.KPIS:
            kpi = Kpi.objects.get(reference=spec.reference)
            years = set(
                kpi.targets.filter(period__isnull=True).values_list("financial_year", flat=True)
            )
            if spec.target is None or spec.status == Kpi.Status.CONTEXTUAL:
                assert not years, spec.reference
                continue
            adopted = financial_year_of((spec.added or demo.REGISTER_2021).on)
            assert years == set(range(max(2023, adopted), 2027)), spec.reference
            assert kpi.targets.get(financial_year=2024, period=None).value == Decimal(
                str(spec.target)
            ), spec.reference

    def test_targets_step_towards_the_long_term_target_and_some_have_intervention_levels(self):
        kpi = Kpi.objects.get(reference="101")  # 75% in 2024/25, 85% by 2028
        steps = [t.value for t in kpi.targets.filter(period=None).order_by("financial_year")]
        assert steps == sorted(steps) and steps[-1] < kpi.long_term_target
        hdc = Target.objects.filter(intervention_level__isnull=False)
        assert hdc.values("kpi").distinct().count() >= 3
        for target in hdc.select_related("kpi"):
            assert target.kpi.rag_use_intervention_levels is True
            assert target.intervention_level < target.value  # higher is better for all four

    def test_year_to_date_totals_have_targets_profiled_through_the_year(self):
        kpi = Kpi.objects.get(reference="162")  # agency spend, year to date
        annual = kpi.targets.get(financial_year=2025, period=None).value
        quarters = kpi.targets.filter(financial_year=2025, period__isnull=False)
        profile = sorted(t.value for t in quarters)
        assert profile == [annual / 4, annual / 2, annual * 3 / 4, annual]

    def test_ratings_include_red_amber_and_green_in_the_last_locked_quarter(self):
        last = (
            ReportingPeriod.objects.filter(kind="quarter", state=State.LOCKED)
            .order_by("-starts_on")
            .first()
        )
        ratings = Counter(last.measurements.values_list("rating", flat=True))
        for rating in (Rating.GREEN, Rating.AMBER, Rating.RED):
            assert ratings[rating.value] >= 2, ratings
        assert ratings[Rating.GREEN.value] > ratings[Rating.RED.value]

    def test_some_kpis_are_consistently_red_and_some_green_but_declining(self):
        red, declining = set(), set()
        for kpi in Kpi.objects.filter(status=Kpi.Status.LIVE, frequency="quarterly"):
            if trends.consistently_red(_locked_ratings(kpi), run=3):
                red.add(kpi.reference)
            values = list(
                kpi.measurements.filter(period__state=State.LOCKED)
                .order_by("period__starts_on")
                .values_list("value", "rating")
            )
            trend = trends.trend([value for value, _ in values], direction=kpi.direction)
            if values and trends.green_but_declining(values[-1][1], trend):
                declining.add(kpi.reference)
        assert {"161", "183"} <= red
        assert declining & {"109", "163", "219"}

    def test_every_value_is_rated_by_the_products_rating_path(self):
        council = RagPolicy.current()
        targets = {}
        for target in Target.objects.all():
            targets.setdefault(target.kpi_id, []).append(target)
        for value in _values():
            kpi = value.kpi
            if kpi.status in (Kpi.Status.SUSPENDED, Kpi.Status.RETIRED):
                kpi = copy.copy(kpi)  # rated when it was still live
                kpi.status = Kpi.Status.LIVE
            target = target_for(kpi, value.period, targets.get(kpi.pk, []))
            expected = rate_entry(
                kpi, value.value, target, not_available=value.not_available, council=council
            )
            assert value.rating == expected.value, (kpi.reference, value.period.label)

    def test_every_value_respects_its_unit(self):
        for value in _values():
            entry = Entry(
                value=value.value,
                numerator=value.numerator,
                denominator=value.denominator,
                not_available=value.not_available,
                not_available_reason=value.not_available_reason,
            )
            assert entry_errors(value.kpi, entry) == {}, (value.kpi.reference, value.period)
            if value.numerator is not None:
                ratio = value.numerator / value.denominator * 100
                assert abs(ratio - value.value) <= Decimal("0.05"), value.kpi.reference
            value.full_clean(
                exclude=["kpi", "period", "entered_by", "submitted_by", "approved_by"],
                validate_unique=False,
                validate_constraints=False,
            )

    def test_submitted_and_approved_values_meet_the_submission_rules(self):
        for value in _values(status__in=[Status.SUBMITTED, Status.APPROVED, Status.RETURNED]):
            entry = Entry(
                value=value.value,
                not_available=value.not_available,
                action_plan=value.action_plan,
            )
            assert submission_errors(value.kpi, entry, Rating(value.rating)) == {}
            assert len(value.commentary) > 40, (value.kpi.reference, value.period.label)
            if value.rating in OFF_TARGET:
                assert value.action_plan, (value.kpi.reference, value.period.label)
            else:
                assert not value.action_plan, (value.kpi.reference, value.period.label)

    def test_commentary_varies_with_performance(self):
        commentary = set(_values(status=Status.APPROVED).values_list("commentary", flat=True))
        assert len(commentary) > 0.9 * _values(status=Status.APPROVED).count()
        red = _values(kpi__reference="183", period__state=State.LOCKED).last()
        assert "deep-dive" in red.commentary and "Audit and Accounts" in red.action_plan

    def test_past_values_are_entered_by_the_lead_and_approved_by_the_directorate(self):
        gp = User.objects.get(username="gp")
        past = _values(period__state=State.LOCKED).select_related("kpi__directorate")
        approvers = {d.pk: set(d.approvers.all()) for d in Directorate.objects.all()}
        for value in past:
            assert value.status == Status.APPROVED and value.version == 1
            assert value.approved_at.date() > value.period.ends_on
            if value.is_historic_load:  # before the KPI was adopted: loaded by G&P
                assert value.period.ends_on < value.kpi.date_added
                assert value.entered_by == value.approved_by == gp
                continue
            assert value.entered_by_id == value.submitted_by_id == value.kpi.lead_officer_id
            assert value.approved_by in approvers[value.kpi.directorate_id]
            assert value.submitted_at < value.approved_at
        assert past.filter(is_historic_load=True).exists()

    def test_kpis_without_targets_have_values_rated_by_their_status(self):
        expected = {
            Kpi.Status.CONTEXTUAL: Rating.CONTEXTUAL,
            Kpi.Status.BASELINE: Rating.BASELINE,
            Kpi.Status.IN_DEVELOPMENT: Rating.IN_DEVELOPMENT,
        }
        for status, rating in expected.items():
            for kpi in Kpi.objects.filter(status=status):
                assert not kpi.targets.exists(), kpi.reference
                ratings = set(kpi.measurements.values_list("rating", flat=True))
                assert ratings == {rating.value}, kpi.reference

    def test_suspended_kpis_stop_at_suspension_and_retired_ones_at_removal(self):
        for spec in demo.KPIS:
            kpi = Kpi.objects.get(reference=spec.reference)
            if spec.suspended_on:
                assert kpi.measurements.count() >= 4, spec.reference
                assert not kpi.measurements.filter(period__ends_on__gte=spec.suspended_on)
            if kpi.date_removed:
                assert not kpi.measurements.filter(period__ends_on__gt=kpi.date_removed)

    def test_one_value_is_not_available_with_a_reason(self):
        (value,) = _values(not_available=True)
        assert value.value is None and value.not_available_reason
        assert value.rating == Rating.NOT_REPORTED.value
        assert value.status == Status.APPROVED

    def test_the_open_period_has_a_realistic_mix_of_progress(self):
        found = _open_statuses()
        total = sum(found.values())
        for status, share in (
            ("missing", 0.30),
            (Status.DRAFT, 0.20),
            (Status.SUBMITTED, 0.25),
            (Status.APPROVED, 0.20),
        ):
            assert abs(found[status] / total - share) < 0.08, found
        assert found[Status.RETURNED] >= 2
        for value in _values(status=Status.RETURNED):
            assert value.returned_reason and value.submitted_by == value.kpi.lead_officer
        quarter = _open_period("quarter")
        assert {Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.RETURNED} <= set(
            quarter.measurements.values_list("status", flat=True)
        )

    def test_the_officer_has_kpis_not_started_a_draft_and_a_returned_value(self):
        officer = User.objects.get(username="officer")
        quarter = _open_period("quarter")
        mine = Kpi.objects.filter(
            lead_officer=officer, frequency="quarterly", status__in=["live", "baseline"]
        )
        entered = dict(quarter.measurements.filter(kpi__in=mine).values_list("kpi_id", "status"))
        assert mine.count() - len(entered) >= 2  # not started
        assert Status.DRAFT in entered.values()
        assert Status.RETURNED in entered.values()

    def test_the_approver_has_officers_submissions_to_sign_off(self):
        approver = User.objects.get(username="approver")
        waiting = _values(
            status=Status.SUBMITTED,
            period__state=State.OPEN,
            kpi__directorate__in=approver.approves_for.all(),
        )
        assert waiting.count() >= 3
        for value in waiting:
            assert value.submitted_by != approver
            assert value.submitted_by.groups.filter(name=Role.OFFICER.value).exists()

    def test_every_period_target_and_value_has_one_created_history_record(self):
        for model in (ReportingPeriod, Target, Measurement):
            records = model.history.all()
            assert records.count() == model.objects.count(), model.__name__
            assert set(records.values_list("history_type", flat=True)) == {"+"}
            assert set(records.values_list("history_change_reason", flat=True)) == {"Demo history"}
        record = Measurement.history.filter(status=Status.APPROVED, is_historic_load=False)[0]
        assert record.history_user_id == record.approved_by_id
        assert record.history_date == record.approved_at
