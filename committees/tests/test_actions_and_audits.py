"""Action trackers and the quarterly audit sample."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from committees import services
from committees.models import ActionItem, ActionUpdate, Audit, AuditCheck
from committees.tests.factories import ActionItemFactory
from kpis.register.tests.factories import CommitteeFactory, KpiFactory
from kpis.reporting.models import ReportingPeriod
from pmf.tests.table_helpers import aria_sort, row_headers

D = datetime.date


# --- action trackers --------------------------------------------------------------------------


def test_an_update_records_progress_and_moves_the_status(committee, committee_clerk):
    item = ActionItemFactory(committee=committee)
    services.action_update_add(
        item=item,
        by=committee_clerk,
        written_on=D(2022, 6, 1),
        status="in_progress",
        text="Framework almost complete",
    )
    services.action_update_add(
        item=item, by=committee_clerk, written_on=D(2022, 9, 1), status="achieved", text="Done"
    )
    item.refresh_from_db()
    assert item.status == "achieved"
    assert [u.text for u in item.updates.all()] == ["Done", "Framework almost complete"]


@pytest.mark.parametrize("who", ["clerk", "owner", "approver", "viewer"])
def test_only_gp_and_the_committees_clerk_update_the_tracker(request, who, committee):
    item = ActionItemFactory(committee=committee)
    with pytest.raises(PermissionDenied):
        services.action_update_add(
            item=item,
            by=request.getfixturevalue(who),
            written_on=D(2022, 6, 1),
            status="achieved",
            text="x",
        )
    assert not ActionUpdate.objects.exists()


def test_the_tracker_page_shows_the_2022_columns(client, viewer, committee):
    item = ActionItemFactory(committee=committee, reference="F.9")
    ActionUpdate.objects.create(
        item=item, written_on=D(2022, 6, 1), status="in_progress", text="Testing", by=viewer
    )
    client.force_login(viewer)
    body = client.get(reverse("committees:actions", args=[committee.pk])).content.decode()
    for text in (
        "Ref.",
        "Action",
        "Milestone",
        "Lead officer(s)",
        "Success criteria",
        "Baseline",
        "Achieved",
        "Update",
        "F.9",
        "Testing",
    ):
        assert text in body, text
    assert reverse("committees:action_create", args=[committee.pk]) not in body


@pytest.mark.parametrize("count", [2, 15])
def test_the_tracker_is_a_fixed_number_of_queries(
    client, viewer, committee, count, django_assert_max_num_queries
):
    for _ in range(count):
        item = ActionItemFactory(committee=committee)
        ActionUpdate.objects.create(
            item=item, written_on=D(2022, 6, 1), status="in_progress", text="x", by=viewer
        )
    client.force_login(viewer)
    with django_assert_max_num_queries(6):
        client.get(reverse("committees:actions", args=[committee.pk]))


def test_the_clerk_adds_an_action_and_an_update_by_form(client, committee, committee_clerk):
    client.force_login(committee_clerk)
    response = client.post(
        reverse("committees:action_create", args=[committee.pk]),
        {
            "reference": "F.12",
            "action": "Review decision making on spending",
            "status": "not_started",
        },
    )
    assert response.status_code == 302
    item = ActionItem.objects.get()
    response = client.post(
        reverse("committees:action_update", args=[item.pk]),
        {"written_on": "2022-06-01", "status": "in_progress", "text": "Criteria drafted"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "in_progress"


def test_a_duplicate_action_reference_is_refused_with_an_error(client, committee, gp):
    ActionItemFactory(committee=committee, reference="F.9")
    client.force_login(gp)
    response = client.post(
        reverse("committees:action_create", args=[committee.pk]),
        {"reference": "F.9", "action": "Again", "status": "not_started"},
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert ActionItem.objects.count() == 1


def test_a_clerk_of_another_committee_cannot_edit_the_tracker(
    client, committee, other_committee, committee_clerk
):
    item = ActionItemFactory(committee=other_committee)
    client.force_login(committee_clerk)
    url = reverse("committees:action_edit", args=[item.pk])
    assert (
        client.post(url, {"reference": "X", "action": "x", "status": "achieved"}).status_code == 403
    )
    item.refresh_from_db()
    assert item.status == "not_started"


# --- the audit sample -------------------------------------------------------------------------


@pytest.fixture
def locked_quarter(db):
    return ReportingPeriod.objects.create(
        kind="quarter",
        financial_year=2025,
        number=1,
        starts_on=D(2025, 4, 1),
        ends_on=D(2025, 6, 30),
        state=ReportingPeriod.State.LOCKED,
    )


def test_the_same_seed_draws_the_same_sample():
    ids = list(range(1, 40))
    first = services.draw_sample(ids, seed=20250630, size=3)
    assert first == services.draw_sample(list(reversed(ids)), seed=20250630, size=3)
    assert len(first) == 3
    assert services.draw_sample(ids, seed=1, size=3) != services.draw_sample(ids, seed=2, size=3)
    assert services.draw_sample([5, 6], seed=1, size=3) == [5, 6]


def test_a_draw_is_reproducible_from_its_recorded_seed(committee, gp, locked_quarter, settings):
    settings.AUDIT_SAMPLE_SIZE = 4
    kpis = [KpiFactory(committees=[committee], date_added=D(2024, 4, 1)) for _ in range(12)]
    KpiFactory(committees=[committee], date_added=D(2025, 7, 1))  # joined after the quarter
    audit = services.audit_draw(committee=committee, period=locked_quarter, by=gp)
    sampled = sorted(audit.checks.values_list("kpi_id", flat=True))
    assert audit.sample_size == 4 and len(sampled) == 4
    assert set(sampled) <= {kpi.pk for kpi in kpis}
    assert sampled == services.draw_sample([k.pk for k in kpis], seed=audit.seed, size=4)


def test_the_sample_size_defaults_to_three(committee, gp, locked_quarter, settings):
    del settings.AUDIT_SAMPLE_SIZE
    for _ in range(5):
        KpiFactory(committees=[committee], date_added=D(2024, 4, 1))
    audit = services.audit_draw(committee=committee, period=locked_quarter, by=gp)
    assert audit.checks.count() == 3


def test_an_unlocked_period_cannot_be_audited(committee, gp, locked_quarter):
    locked_quarter.state = ReportingPeriod.State.CLOSED
    locked_quarter.save()
    with pytest.raises(ValidationError, match="locked"):
        services.audit_draw(committee=committee, period=locked_quarter, by=gp)


def test_a_committee_is_audited_once_a_quarter(committee, gp, locked_quarter):
    services.audit_draw(committee=committee, period=locked_quarter, by=gp, seed=7)
    with pytest.raises(ValidationError, match="already"):
        services.audit_draw(committee=committee, period=locked_quarter, by=gp)


@pytest.mark.parametrize("who", ["owner", "approver", "clerk", "viewer"])
def test_only_gp_audit(request, who, committee, locked_quarter):
    with pytest.raises(PermissionDenied):
        services.audit_draw(
            committee=committee, period=locked_quarter, by=request.getfixturevalue(who)
        )


def test_gp_draw_every_committees_sample_from_the_page(client, gp, locked_quarter):
    committees = [CommitteeFactory() for _ in range(3)]
    for committee in committees:
        for _ in range(4):
            KpiFactory(committees=[committee], date_added=D(2024, 4, 1))
    client.force_login(gp)
    response = client.post(reverse("committees:audits"), {"period": locked_quarter.pk})
    assert response.status_code == 302
    assert Audit.objects.count() == 3
    assert AuditCheck.objects.count() == 9


def test_a_viewer_reads_audits_but_cannot_draw(client, viewer, locked_quarter):
    client.force_login(viewer)
    assert client.get(reverse("committees:audits")).status_code == 200
    response = client.post(reverse("committees:audits"), {"period": locked_quarter.pk})
    assert response.status_code == 403
    assert not Audit.objects.exists()


def test_gp_record_the_checks_and_past_audits_show_per_kpi(
    client, gp, viewer, committee, locked_quarter
):
    kpi = KpiFactory(committees=[committee], date_added=D(2024, 4, 1))
    audit = services.audit_draw(committee=committee, period=locked_quarter, by=gp, seed=3)
    check = audit.checks.get()
    client.force_login(gp)
    url = reverse("committees:audit_check", args=[check.pk])
    response = client.post(url, {"findings": "x"})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    response = client.post(
        url,
        {
            "accurately_calculated": "yes",
            "accurately_reported": "no",
            "remedial_action": "na",
            "still_relevant": "yes",
            "findings": "Q1 value reported before sign-off",
            "follow_up": "Remind the data owner of the deadline",
        },
    )
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.checked_by == gp and check.accurately_reported == "no"
    client.force_login(viewer)
    body = client.get(reverse("committees:kpi_audits", args=[kpi.reference])).content.decode()
    assert "Q1 value reported before sign-off" in body
    assert "2025/26 Q1" in body


def _audit(committee, period, by, *, sampled: int) -> Audit:
    audit = Audit.objects.create(
        committee=committee, period=period, seed=1, sample_size=sampled, drawn_by=by
    )
    for _ in range(sampled):
        AuditCheck.objects.create(audit=audit, kpi=KpiFactory())
    return audit


def _quarter(year: int) -> ReportingPeriod:
    return ReportingPeriod.objects.create(
        kind="quarter",
        financial_year=year,
        number=1,
        starts_on=D(year, 4, 1),
        ends_on=D(year, 6, 30),
        state=ReportingPeriod.State.LOCKED,
    )


def test_the_audit_list_sorts_by_a_column(client, viewer, gp, committee):
    _audit(committee, _quarter(2023), gp, sampled=3)
    _audit(committee, _quarter(2024), gp, sampled=1)
    _audit(CommitteeFactory(name="Audit and Accounts"), _quarter(2022), gp, sampled=2)
    client.force_login(viewer)
    url = reverse("committees:audits")
    html = client.get(url).content.decode()
    assert [cell.split()[0] for cell in row_headers(html)] == ["2024/25", "2023/24", "2022/23"]
    assert aria_sort(html, "Quarter") == "descending"
    html = client.get(url, {"sort": "-sampled"}).content.decode()
    assert [cell.split()[0] for cell in row_headers(html)] == ["2023/24", "2022/23", "2024/25"]
    assert aria_sort(html, "KPIs sampled") == "descending"
    html = client.get(url, {"sort": "committee"}).content.decode()
    assert row_headers(html)[0] == "2022/23 Q1 Audit and Accounts"
    assert "Showing 3" in html


@pytest.mark.parametrize("count", [2, 55])
def test_the_audit_list_is_a_fixed_number_of_queries(
    client, viewer, gp, committee, count, django_assert_max_num_queries
):
    for n in range(count):
        _audit(committee, _quarter(1990 + n), gp, sampled=2)
    client.force_login(viewer)
    for sort in ("", "-sampled", "drawn_by"):
        with django_assert_max_num_queries(5):
            response = client.get(reverse("committees:audits"), {"sort": sort, "page": 2})
    assert response.context["table"].paginator.count == count
