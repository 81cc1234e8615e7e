"""The demo council: `manage.py load_demo` and `kpis.demo.load_demo`."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.test import RequestFactory

from kpis import demo
from kpis.models import Committee, CommitteeMembership, Directorate, Kpi, Priority, Service
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
]


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    """Hashing 15 passwords with the production hasher on every load would dominate the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def loaded(db):
    return demo.load_demo()


def _row_counts() -> dict[str, int]:
    counts = {
        model.__name__: model.objects.count()
        for model in (Priority, Directorate, Service, Committee, User, Kpi, CommitteeMembership)
    }
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

    again = demo.load_demo()

    assert _row_counts() == before
    for label, tally in again.tallies.items():
        assert (tally.created, tally.updated) == (0, 0), label


@pytest.mark.django_db
def test_it_puts_back_a_changed_field_with_one_history_record(loaded):
    Kpi.objects.filter(reference="140").update(name="Renamed by hand")
    history_before = Kpi.history.count()

    summary = demo.load_demo()

    assert Kpi.objects.get(reference="140").name.startswith("Household waste sent for reuse")
    assert summary.tallies["KPIs"].updated == 1
    assert Kpi.history.count() == history_before + 1


@pytest.mark.django_db
def test_the_command_prints_a_line_per_model(db):
    out = StringIO()

    call_command("load_demo", stdout=out)

    output = out.getvalue()
    for label in ("Priorities", "Directorates", "Services", "Committees", "Users", "KPIs"):
        assert f"{label}: " in output
    assert f"KPIs: {Kpi.objects.count()} ({Kpi.objects.count()} created" in output
    assert "Committee memberships: " in output


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
