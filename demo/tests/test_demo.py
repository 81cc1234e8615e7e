"""The demo council as loaded on TODAY: its register, reporting history and committees' work.

The demo is loaded once for the module (see `module_db` in the root conftest.py); every test reads
it, and anything a test changes is rolled back before the next.
"""

import copy
import datetime
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.test import RequestFactory

from committees.models import (
    ActionItem,
    ActionUpdate,
    Audit,
    AuditCheck,
    CommitteeDecision,
    CommitteeDetails,
    Meeting,
    Proposal,
    ProposalEvent,
)
from committees.selectors import meeting_proposals
from demo.loader import load_demo
from demo.relative import DemoCalendar
from demo.tests.helpers import (
    FILES,
    TODAY,
    State,
    Status,
    assert_eight_quarters_of_history,
    open_period,
    open_statuses,
    signed_off_counts,
)
from kpis.rating import Rating, trends
from kpis.register.models import Committee, CommitteeMembership, Directorate, Kpi, Priority, Service
from kpis.reporting.models import Measurement, RagPolicy, ReportingPeriod, Target
from kpis.reporting.periods import financial_year_of
from kpis.reporting.policy import target_for
from kpis.reporting.services import Entry, entry_errors, rate_entry, submission_errors
from pmf.models import User
from pmf.roles import Role
from reports.selectors import pack_data
from scorecards import selectors

README_PASSWORD = "demo-password-2026"
CALENDAR = DemoCalendar(TODAY)
OFF_TARGET = {Rating.AMBER.value, Rating.RED.value}
STORIES = FILES.council["kpis"]
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
COMMITTEE_MODELS = (
    CommitteeDetails,
    Meeting,
    Proposal,
    ProposalEvent,
    CommitteeDecision,
    ActionItem,
    ActionUpdate,
    Audit,
    AuditCheck,
)


@pytest.fixture(scope="module")
def loaded(module_db):
    """The demo as of TODAY, loaded once for this module (see `module_db`)."""
    return load_demo(today=TODAY)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded")]


def _row_counts() -> dict[str, int]:
    models = (Priority, Directorate, Service, Committee, User, Kpi, CommitteeMembership)
    models += (ReportingPeriod, Target, Measurement, *COMMITTEE_MODELS)
    counts = {model.__name__: model.objects.count() for model in models}
    counts.update({f"history {h.model.__name__}": h.count() for h in HISTORIES})
    counts["approvers"] = Directorate.approvers.through.objects.count()
    counts["kpi priorities"] = Kpi.priorities.through.objects.count()
    counts["user groups"] = User.groups.through.objects.count()
    return counts


def _values(**filters):
    return Measurement.objects.filter(**filters).select_related("kpi", "period")


def _locked_ratings(kpi: Kpi) -> list[str]:
    return list(
        kpi.measurements.filter(period__state=State.LOCKED)
        .order_by("period__starts_on")
        .values_list("rating", flat=True)
    )


def _with_target_rows() -> set[str]:
    return {row["reference"] for row in FILES.targets}


# The register ---------------------------------------------------------------------------------


def test_it_loads_the_demo_council(loaded):
    assert Directorate.objects.count() == 5
    assert Priority.objects.count() == 7
    assert Committee.objects.count() == 8
    assert 55 <= Kpi.objects.count() <= 65
    assert loaded.tallies["KPIs"].created == Kpi.objects.count()
    assert loaded.tallies["Committee memberships"].created == CommitteeMembership.objects.count()
    assert loaded.tallies["Values"].created == Measurement.objects.count()


def test_running_it_again_the_same_day_adds_no_rows_and_no_history():
    before = _row_counts()

    again = load_demo(today=TODAY)

    assert _row_counts() == before
    for label, tally in again.tallies.items():
        assert (tally.created, tally.updated) == (0, 0), label


def test_it_puts_back_a_changed_field_with_one_history_record():
    Kpi.objects.filter(reference="140").update(name="Renamed by hand")
    history_before = Kpi.history.count()

    summary = load_demo(today=TODAY)

    assert Kpi.objects.get(reference="140").name.startswith("Household waste sent for reuse")
    assert summary.tallies["KPIs"].updated == 1
    assert Kpi.history.count() == history_before + 1


def test_every_role_has_a_demo_user_in_its_group():
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
    usernames = [spec["username"] for spec in FILES.council["users"]]
    demo_users = User.objects.filter(username__in=usernames)
    for role in Role:
        assert demo_users.filter(groups__name=role.value).exists(), role


def test_demo_users_have_fictional_council_details_and_no_admin():
    for user in User.objects.all():
        assert user.first_name and user.last_name and user.job_title, user.username
        assert user.email.endswith("@example.gov.uk"), user.username
        assert not user.is_staff and not user.is_superuser, user.username


def test_every_directorate_has_an_approver_services_and_kpis():
    approver = User.objects.get(username="approver")
    assert list(approver.approves_for.values_list("short_name", flat=True)) == ["P&S"]
    for directorate in Directorate.objects.all():
        assert 3 <= directorate.services.count() <= 6, directorate
        assert directorate.kpis.exists(), directorate
        assert directorate.approvers.filter(groups__name=Role.APPROVER.value).exists()


def test_the_register_covers_all_three_levels():
    for level in Kpi.Level:
        assert Kpi.objects.filter(level=level).count() >= 10, level
    for directorate in Directorate.objects.all():
        assert directorate.kpis.filter(level=Kpi.Level.STRATEGIC).exists(), directorate


def test_it_includes_the_named_corporate_kpis():
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


def test_every_kpi_passes_full_clean_and_has_a_lead_officer():
    for kpi in Kpi.objects.select_related("lead_officer"):
        kpi.full_clean()
        assert kpi.lead_officer is not None, kpi.reference
        assert kpi.lead_officer.groups.filter(name=Role.OFFICER.value).exists(), kpi.reference
        assert kpi.description and kpi.definition and kpi.calculation, kpi.reference
        assert kpi.rationale and kpi.data_source, kpi.reference


def test_strategic_kpis_link_to_ambitions_and_sit_with_the_strategic_committee():
    srp = Committee.objects.get(short_name="SRP")
    for kpi in Kpi.objects.filter(level=Kpi.Level.STRATEGIC):
        assert 1 <= kpi.priorities.count() <= 3, kpi.reference
        assert kpi.memberships.filter(committee=srp, ended_on__isnull=True).exists()
        if kpi.long_term_target is not None:
            assert 2028 <= kpi.long_term_target_year <= 2045, kpi.reference


def test_corporate_kpis_sit_with_audit_and_the_strategic_committee():
    for kpi in Kpi.objects.filter(level=Kpi.Level.CORPORATE).exclude(status=Kpi.Status.RETIRED):
        open_sets = set(
            kpi.memberships.filter(ended_on__isnull=True).values_list(
                "committee__short_name", flat=True
            )
        )
        assert {"SRP", "AA"} <= open_sets, kpi.reference


def test_committee_sets_grew_on_the_days_of_their_decisions():
    aa_joined = CommitteeMembership.objects.get(kpi__reference="160", committee__short_name="AA")
    assert aa_joined.started_on == datetime.date(2022, 5, 26)
    assert aa_joined.decision.startswith("Audit and Accounts Committee, 26 May 2022")
    srp_joined = CommitteeMembership.objects.get(kpi__reference="101", committee__short_name="SRP")
    assert srp_joined.started_on == datetime.date(2024, 4, 1)
    own = CommitteeMembership.objects.get(kpi__reference="101", committee__short_name="AH")
    assert own.started_on == Kpi.objects.get(reference="101").date_added


def test_contextual_kpis_have_no_target():
    without_targets = (Kpi.Status.CONTEXTUAL, Kpi.Status.IN_DEVELOPMENT, Kpi.Status.BASELINE)
    for kpi in Kpi.objects.filter(status__in=without_targets):
        assert not kpi.targets.exists(), kpi.reference
        assert kpi.reference not in _with_target_rows(), kpi.reference
    for kpi in Kpi.objects.filter(status=Kpi.Status.CONTEXTUAL):
        assert kpi.target_kind == Kpi.TargetKind.CONTEXTUAL
        assert kpi.long_term_target is None


def test_suspended_kpis_say_why():
    suspended = Kpi.objects.filter(status=Kpi.Status.SUSPENDED)
    assert suspended.exists()
    for kpi in suspended:
        assert kpi.status_reason, kpi.reference


def test_retired_kpis_have_a_date_a_reason_and_closed_memberships():
    retired = Kpi.objects.filter(status=Kpi.Status.RETIRED)
    assert set(retired.values_list("reference", flat=True)) == {"111", "189"}
    for kpi in retired:
        assert kpi.date_removed and kpi.status_reason and kpi.removed_by_decision
        assert kpi.memberships.exists(), kpi.reference
        assert not kpi.memberships.filter(ended_on__isnull=True).exists()
        for membership in kpi.memberships.all():
            assert membership.ended_on == kpi.date_removed
            assert membership.end_decision == kpi.removed_by_decision


def test_kpi_189_is_replaced_by_217_and_218():
    old = Kpi.objects.get(reference="189")
    for reference in ("217", "218"):
        new = Kpi.objects.get(reference=reference)
        assert "189" in new.added_by_decision
        assert new.date_added > old.date_removed
        assert new.status == Kpi.Status.LIVE


def test_every_demo_user_can_sign_in_with_the_readme_password():
    assert FILES.council["council"]["password"] == README_PASSWORD
    validate_password(README_PASSWORD)
    request = RequestFactory().post("/sign-in/")
    for spec in FILES.council["users"]:
        user = authenticate(request, username=spec["username"], password=README_PASSWORD)
        assert user is not None and user.username == spec["username"]


def test_each_kpi_joined_the_register_on_the_day_it_was_adopted():
    for kpi in Kpi.objects.all():
        first = kpi.history.earliest("history_date")
        assert first.history_type == "+"
        assert first.history_date.date() == kpi.date_added, kpi.reference
        assert first.history_change_reason == "Imported from register.csv"
    retired = (
        Kpi.objects.get(reference="189").history.filter(status="retired").earliest("history_date")
    )
    assert retired.history_date.date() == Kpi.objects.get(reference="189").date_removed


# Reporting history ------------------------------------------------------------------------------


class TestHistory:
    def test_it_makes_the_periods_of_three_years_before_this_one_and_this_one(self):
        assert ReportingPeriod.objects.count() == 4 * 17
        years = set(ReportingPeriod.objects.values_list("financial_year", flat=True))
        assert years == {2023, 2024, 2025, 2026}

    def test_the_latest_quarter_and_month_are_open_and_everything_before_locked(self):
        quarter, month = open_period("quarter"), open_period("month")
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
        assert_eight_quarters_of_history()
        quarterly = Kpi.objects.filter(status=Kpi.Status.LIVE, frequency="quarterly")
        counts = signed_off_counts()
        assert all(counts[kpi.reference] >= 9 for kpi in quarterly.filter(targets__isnull=False))

    def test_kpis_with_targets_have_one_for_every_year_since_adoption_as_the_file_says(self):
        files = {
            (row["reference"], CALENDAR.period(row["financial_year"]).financial_year): row
            for row in FILES.targets
            if not row["period"]
        }
        for kpi in Kpi.objects.all():
            years = set(
                kpi.targets.filter(period__isnull=True).values_list("financial_year", flat=True)
            )
            if kpi.reference not in _with_target_rows():
                assert not years, kpi.reference
                continue
            adopted = financial_year_of(kpi.date_added)
            assert years == set(range(max(2023, adopted), 2027)), kpi.reference
            for target in kpi.targets.filter(period__isnull=True):
                row = files[(kpi.reference, target.financial_year)]
                assert target.value == Decimal(row["value"]), kpi.reference

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

    def test_the_kpis_tell_the_stories_the_council_file_gives_them(self):
        """As the product flags them: each KPI's assessment in the last locked quarter."""
        told = {story: set() for story in ("red", "declining", "improving")}
        for reference, story in STORIES.items():
            told.get(story["story"], set()).add(reference)
        red, declining, improving = set(), set(), set()
        last_locked = (
            ReportingPeriod.objects.filter(kind="quarter", state=State.LOCKED)
            .order_by("-starts_on")
            .first()
        )
        for kpi in Kpi.objects.filter(status=Kpi.Status.LIVE, frequency="quarterly"):
            assessed = selectors.kpi_performance(kpi, upto=last_locked).row.assessment
            if assessed.consistently_red:
                red.add(kpi.reference)
            if assessed.green_but_declining:
                declining.add(kpi.reference)
            ratings = _locked_ratings(kpi)
            if ratings and ratings[0] in OFF_TARGET and ratings[-1] == Rating.GREEN.value:
                improving.add(kpi.reference)
        assert {"161", "183"} <= red & told["red"]
        assert declining & told["declining"] & {"109", "163", "219"}
        assert improving & told["improving"]

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
            assert value.status == Status.APPROVED
            assert value.approved_at.date() > value.period.ends_on
            if value.is_historic_load:  # before the KPI was adopted: loaded by G&P
                assert value.period.ends_on < value.kpi.date_added
                assert value.entered_by == value.approved_by == value.loaded_by == gp
                assert value.loaded_at == value.approved_at
                assert value.historic_authority == FILES.council["cycle"]["historic_authority"]
                assert value.version == 1
                continue
            assert value.version == 3  # imported, submitted, approved
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
        for reference, story in STORIES.items():
            kpi = Kpi.objects.get(reference=reference)
            if "suspended" in story:
                suspended_on = CALENDAR.date(story["suspended"])
                assert kpi.status == Kpi.Status.SUSPENDED
                assert kpi.measurements.count() >= 4, reference
                assert not kpi.measurements.filter(period__ends_on__gte=suspended_on)
                assert kpi.history.latest("history_date").history_date.date() == suspended_on
            if kpi.date_removed:
                assert not kpi.measurements.filter(period__ends_on__gt=kpi.date_removed)

    def test_one_value_is_not_available_with_a_reason(self):
        (value,) = _values(not_available=True)
        assert value.value is None and value.not_available_reason
        assert value.rating == Rating.NOT_REPORTED.value
        assert value.status == Status.APPROVED

    def test_the_open_period_has_a_realistic_mix_of_progress(self):
        found = open_statuses()
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
        quarter = open_period("quarter")
        assert {Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.RETURNED} <= set(
            quarter.measurements.values_list("status", flat=True)
        )

    def test_the_open_period_holds_what_each_kpis_plan_says(self):
        for reference, story in STORIES.items():
            plan = story.get("open_period")
            if plan is None:
                continue
            status = plan if isinstance(plan, str) else plan["status"]
            kpi = Kpi.objects.get(reference=reference)
            kind = {"monthly": "month", "quarterly": "quarter"}[kpi.frequency]
            stored = kpi.measurements.filter(period=open_period(kind)).first()
            assert (stored.status if stored else "missing") == status, reference

    def test_the_officer_has_kpis_not_started_a_draft_and_a_returned_value(self):
        officer = User.objects.get(username="officer")
        quarter = open_period("quarter")
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


class TestHistoryIsDatedWhenItHappened:
    """Each record's history carries the day it describes, not the day the demo was loaded."""

    def test_an_approved_value_was_signed_off_in_its_periods_sign_off_window(self):
        values = _values(status=Status.APPROVED, is_historic_load=False, period__state=State.LOCKED)
        assert values.count() > 500
        for value in values:
            approval = value.history.get(history_change_reason="Approved")
            assert approval.history_date == value.approved_at
            assert approval.history_user_id == value.approved_by_id
            day = approval.history_date.date()
            assert value.period.ends_on < day <= value.period.signoff_deadline, value
            assert day < TODAY - datetime.timedelta(days=14)

    def test_a_values_history_is_its_cycle_import_submission_sign_off(self):
        value = (
            _values(kpi__reference="101", period__state=State.LOCKED, is_historic_load=False)
            .order_by("period__starts_on")
            .first()
        )
        records = list(value.history.order_by("history_date"))
        assert [r.history_change_reason for r in records] == [
            f"Imported from returns {value.period.ends_on:%Y-%m-%d}.csv",
            "Submitted",
            "Approved",
        ]
        assert [r.history_user.username for r in records] == ["gp", "officer3", "approver-ahc"]
        assert records[0].history_date.date() == value.period.ends_on + datetime.timedelta(days=5)

    def test_a_historic_load_is_dated_the_day_its_kpi_was_adopted(self):
        for value in _values(is_historic_load=True):
            record = value.history.get()
            assert record.history_date.date() == value.kpi.date_added
            assert record.history_change_reason.startswith("Historic load from historic ")

    def test_periods_were_set_up_before_their_year_and_went_round_the_cycle(self):
        cycle = ["Created", "Opened for entry", "Closed for entry", "Locked"]
        for period in ReportingPeriod.objects.filter(state=State.LOCKED):
            records = list(period.history.order_by("history_date", "history_id"))
            assert records[0].history_date.date() == datetime.date(period.financial_year, 3, 1)
            reasons = [record.history_change_reason for record in records]
            assert reasons[:4] == cycle, period.label
            for reopened, locked in zip(reasons[4::2], reasons[5::2], strict=True):
                assert reopened.startswith("Reopened: Historic load of figures"), period.label
                assert locked == "Locked", period.label
            assert records[-1].history_date.date() <= TODAY


def test_every_history_record_is_dated_no_later_than_the_load():
    for history in HISTORIES:
        latest = history.order_by("-history_date").first()
        assert latest.history_date.date() <= TODAY, history.model.__name__


# Committees ------------------------------------------------------------------------------------


def test_the_demo_has_proposals_at_every_stage_and_the_189_story():
    stages = set(Proposal.objects.values_list("stage", flat=True))
    assert stages == set(Proposal.Stage.values)
    replacing = Proposal.objects.filter(kpi__reference__in=["217", "218"], stage="adopted")
    assert replacing.count() == 2
    assert all("Replaces KPI 189" in p.rationale for p in replacing)
    assert Proposal.objects.get(kpi__reference="189").kind == "remove"
    additions = Proposal.objects.filter(kind="add", kpi__isnull=True)
    assert not additions.filter(service__isnull=True).exists()


def test_proposals_went_through_each_step_on_its_day():
    removal = Proposal.objects.get(kpi__reference="189")
    events = list(removal.events.order_by("at"))
    assert [e.stage for e in events] == [
        "draft",
        "quality_checked",
        "consulted",
        "equality_assessed",
        "director_approved",
        "committee_agreed",
        "adopted",
    ]
    assert events[-2].at.date() == datetime.date(2022, 3, 24)
    assert removal.raised_at.date() == datetime.date(2022, 1, 13)  # 70 days before
    assert removal.history.earliest("history_date").history_date.date() == removal.raised_at.date()


def test_values_far_from_earlier_ones_were_queried_and_explained_when_submitted():
    """KPI 238's charge points grew fast in Y-1: each quarter was queried against the same
    quarter the year before, and its lead officer confirmed and explained it (values.csv)."""
    queried = _values().exclude(data_query="").order_by("period__starts_on")
    assert [(m.kpi.reference, m.period.label) for m in queried] == [
        ("238", CALENDAR.label(f"Y-1 Q{number}")) for number in (1, 2, 3, 4)
    ]
    first = queried[0]
    year_before = CALENDAR.label("Y-2 Q1")
    assert first.data_query == f"This is 61% higher than {year_before} (51.3 per 100,000)."
    assert first.query_explanation.startswith("Checked against the DfT charging device statistics")
    assert year_before in first.query_explanation  # its {Y-2 Q1} resolved
    for value in queried:
        assert value.status == Status.APPROVED and value.query_explanation
        assert value.history.filter(history_change_reason="Submitted").exclude(data_query="")
    assert not _values(kpi__reference="220").exclude(data_query="").exists()
    assert Kpi.objects.get(reference="220").query_threshold == 100


def test_the_demo_has_two_years_of_meetings_and_an_audit():
    srp = Meeting.objects.filter(committee__short_name="SRP", date__gte=datetime.date(2024, 11, 1))
    assert srp.count() >= 8
    assert Audit.objects.count() == 1
    assert AuditCheck.objects.filter(checked_at__isnull=False).exists()
    assert ActionUpdate.objects.exists()
    for meeting in Meeting.objects.all():
        held = Meeting.Status.HELD if meeting.date < TODAY else Meeting.Status.SCHEDULED
        assert meeting.status == held, meeting


def test_meetings_fall_after_the_sign_off_deadline_of_the_quarter_they_consider():
    meetings = Meeting.objects.filter(period__isnull=False).select_related("period", "committee")
    assert meetings.count() == 8 * 8
    for meeting in meetings:
        period = meeting.period
        assert period.signoff_deadline < meeting.papers_published_on < meeting.date, meeting
    # The open quarter's deadlines count from today: its meetings come after them, in the order
    # the committees consider its report, each on its own weekday.
    open_quarter = open_period("quarter")
    upcoming = list(meetings.filter(period=open_quarter).order_by("date"))
    assert all(meeting.date > TODAY for meeting in upcoming)
    order = [meeting.committee.short_name for meeting in upcoming]
    assert order.index("SRP") < order.index("AA")
    weekdays = {c["short_name"]: c["meets"].split()[-1] for c in FILES.council["committees"]}
    for meeting in upcoming:
        assert f"{meeting.date:%a}".lower() == weekdays[meeting.committee.short_name]


def test_each_committees_latest_meeting_held_has_its_pack_published_on_the_papers_date():
    from reports.models import PackVersion

    for committee in Committee.objects.all():
        held = committee.meetings.filter(status=Meeting.Status.HELD, period__isnull=False)
        latest = held.order_by("-date").first()
        version = PackVersion.objects.get(meeting__committee=committee)
        assert version.meeting == latest, committee.short_name
        assert version.published_at.date() == latest.papers_published_on
        assert version.was_ready and version.readiness["ready"], version.readiness
        assert version.published_by.username == "clerk"
        as_at = datetime.datetime.fromisoformat(version.data["data_as_at"])
        assert as_at <= version.published_at
        assert "DRAFT" not in version.html


def test_a_pack_holds_no_action_update_written_after_its_meeting():
    from reports.models import PackVersion

    version = PackVersion.objects.get(meeting__committee__short_name="SRP")
    written_since = ActionUpdate.objects.filter(
        item__committee__short_name="SRP", written_on__gt=version.meeting.date
    )
    assert written_since.exists()  # the tracker was updated after the meeting …
    for update in written_since:
        assert f"{update.written_on:%-d %B %Y}" not in version.html  # … not in its pack
    updates = {action["update_on"] for action in version.data["actions"]}
    assert updates and all(
        datetime.datetime.strptime(day, "%d %B %Y").date() <= version.meeting.date
        for day in updates
    )


def test_the_next_egi_meeting_has_the_149_replacement_to_decide():
    meeting = (
        Meeting.objects.filter(committee__short_name="EGI", date__gte=TODAY)
        .order_by("date")
        .first()
    )
    rows = meeting_proposals(meeting)
    assert {row.proposal_word for row in rows} == {"Add", "Remove"}
    assert any(row.kpi_number == "149" for row in rows)


# Scorecards on the demo ---------------------------------------------------------------------------


def _first_quarter_rows(*references: str) -> dict[str, selectors.Row]:
    """This year's first quarter on the organisational scorecard and on each KPI's page."""
    q1 = ReportingPeriod.objects.get(kind="quarter", financial_year=CALENDAR.y0, number=1)
    card = selectors.scorecard(kind="organisation", period=q1)
    on_card = {row.reference: row for row in card.rows}
    rows = {}
    for reference in references:
        page = selectors.kpi_performance(Kpi.objects.get(reference=reference), upto=q1).row
        if reference in on_card:
            assert on_card[reference].assessment == page.assessment, reference
        rows[reference] = page
    return rows


def test_year_to_date_totals_read_like_for_like_in_their_first_quarter():
    """Admissions (103) restart every April: Q1 is compared with last year's Q1, not Q4, and the
    year is projected at Q1's pace; social value (250) is in development: no trend or forecast."""
    rows = _first_quarter_rows("103", "250", "162", "126", "242")
    admissions = rows["103"]
    last_year_q1 = f"{CALENDAR.y0 - 1}/{CALENDAR.y0 % 100:02d} Q1"
    assert admissions.current == Decimal("124.9")
    assert (admissions.previous, admissions.previous_label) == (Decimal("124.8"), last_year_q1)
    assert admissions.comparison == f"compared with {last_year_q1}, the same quarter last year"
    assert admissions.change is trends.Change.DECLINED  # lower is better; 124.9 > 124.8
    # Each of the last four quarters lower than the same quarter a year before (Q4 by 50), not
    # the fall from last year's Q4 (488.8) to this Q1 that the April reset makes.
    assert admissions.trend is trends.Trend.IMPROVING
    assert admissions.year_end == pytest.approx(4 * 124.9)  # not 124.9
    assert admissions.year_end_text.startswith("Projected year-end: 499.6 per 100,000")
    assert admissions.forecast >= 124.9  # a running total is never forecast below the banked
    social_value = rows["250"]
    assert social_value.previous_label == last_year_q1
    assert social_value.change is trends.Change.NOT_COMPARABLE  # it began in last year's Q3
    assert social_value.trend is trends.Trend.NOT_ASSESSED
    assert social_value.forecast is None and social_value.year_end is None
    assert social_value.forecast_or_why_not == "No forecast: the KPI is in development"
    for reference in ("162", "126", "242"):
        row = rows[reference]
        assert row.previous_label == last_year_q1, reference
        assert row.forecast is None or row.forecast >= float(row.current), reference


def test_a_red_run_reads_the_same_on_the_scorecard_the_kpi_page_and_the_pack():
    """KPI 183 has been red since the demo's history began: every surface counts the quarters
    assessed and says there may be more, though its chart shows twelve."""
    q0 = open_period("quarter")
    kpi = Kpi.objects.get(reference="183")
    meeting = Meeting.objects.filter(
        period=q0, committee__memberships__kpi=kpi, committee__memberships__ended_on=None
    ).first()
    flag = "Deep-dive candidate: red for 8 or more periods"
    card = selectors.scorecard(kind="committee", committee=meeting.committee, period=q0)
    assert next(row for row in card.rows if row.reference == "183").flags == [flag]
    page = selectors.kpi_performance(kpi, upto=q0).row
    assert page.flags == [flag]
    assert [point.rating for point in page.points].count(Rating.RED) == 12  # the chart's twelve
    pack = pack_data(meeting)
    in_pack = next(row for row in pack["appendix"] if row["reference"] == "183")
    assert in_pack["flags"] == [flag]
    commentary = Measurement.objects.get(kpi=kpi, period=q0).commentary
    assert "Off target for 8 or more quarters in a row" in commentary
