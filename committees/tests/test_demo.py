import datetime

import pytest

from committees.demo import load_committee_demo
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
from kpis.demo import load_demo

TODAY = datetime.date(2026, 11, 23)
MODELS = (
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
def demo(module_db):
    """Both demos as of TODAY, loaded once for this module (see `module_db`)."""
    load_demo(today=TODAY)
    return load_committee_demo(today=TODAY)


@pytest.mark.django_db
def test_the_demo_has_proposals_at_every_stage_and_the_189_story(demo):
    stages = set(Proposal.objects.values_list("stage", flat=True))
    assert stages == set(Proposal.Stage.values)
    replacing = Proposal.objects.filter(kpi__reference__in=["217", "218"], stage="adopted")
    assert replacing.count() == 2
    assert all("Replaces KPI 189" in p.rationale for p in replacing)
    assert Proposal.objects.get(kpi__reference="189").kind == "remove"
    additions = Proposal.objects.filter(kind="add", kpi__isnull=True)
    assert not additions.filter(service__isnull=True).exists()


@pytest.mark.django_db
def test_the_demo_has_two_years_of_meetings_and_an_audit(demo):
    srp = Meeting.objects.filter(committee__short_name="SRP", date__gte=datetime.date(2024, 11, 1))
    assert srp.count() >= 8
    assert Audit.objects.count() == 1
    assert AuditCheck.objects.filter(checked_at__isnull=False).exists()
    assert ActionUpdate.objects.exists()


@pytest.mark.django_db
def test_the_next_egi_meeting_has_the_149_replacement_to_decide(demo):
    meeting = (
        Meeting.objects.filter(committee__short_name="EGI", date__gte=TODAY)
        .order_by("date")
        .first()
    )
    rows = meeting_proposals(meeting)
    assert {row.proposal_word for row in rows} == {"Add", "Remove"}
    assert any(row.kpi_number == "149" for row in rows)


@pytest.mark.django_db
def test_a_second_run_changes_nothing(demo):
    before = {model.__name__: model.objects.count() for model in MODELS}
    loaded = load_committee_demo(today=TODAY)
    assert {model.__name__: model.objects.count() for model in MODELS} == before
    assert loaded.meetings == loaded.proposals == loaded.audits == loaded.updates == 0


def test_the_command_loads_after_the_register_demo(db):
    from io import StringIO

    from django.core.management import call_command

    load_demo(today=TODAY)
    out = StringIO()
    call_command("load_committee_demo", "--today", "2026-11-23", stdout=out)
    assert "Committees demo created:" in out.getvalue()
    assert Meeting.objects.exists()
