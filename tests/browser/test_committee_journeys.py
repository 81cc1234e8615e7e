"""A proposal for a new KPI taken from draft to adoption in a real browser, each step by the
role that takes it, with axe-core on every page visited (each form also with its errors)."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from committees.models import Proposal
from committees.tests.factories import CommitteeDetailsFactory, MeetingFactory
from kpis.register.models import Kpi
from kpis.register.tests.factories import (
    CommitteeFactory,
    DirectorateFactory,
    KpiFactory,
    PriorityFactory,
    ServiceFactory,
)
from pmf.roles import Role
from pmf.tests.factories import UserFactory
from tests.browser.conftest import (
    assert_accessible,
    assert_error_summary_focused_and_linked,
    column_header,
    follow,
    signed_in,
    sort_by,
    submit,
)

pytestmark = pytest.mark.browser

NEW_KPI = "Residents satisfied with how the council runs things"
COMMITTEE = "Strategy, Resources and Performance Committee"


@pytest.fixture
def council(transactional_db):
    """A directorate with its director, a committee with its clerk and a meeting, and G&P."""
    resources = DirectorateFactory(name="Resources", short_name="RES")
    ServiceFactory(directorate=resources, name="Communications")
    PriorityFactory(number=1, name="A council that listens")
    committee = CommitteeFactory(name=COMMITTEE, short_name="SRP")
    KpiFactory(reference="169", name="Existing indicator", directorate=resources)
    UserFactory(username="gp", first_name="Gwen", last_name="Price", roles=[Role.GP])
    director = UserFactory(
        username="director", first_name="Dana", last_name="Reyes", roles=[Role.APPROVER]
    )
    resources.approvers.add(director)
    clerk = UserFactory(
        username="srp-clerk", first_name="Chris", last_name="Lake", roles=[Role.CLERK]
    )
    CommitteeDetailsFactory(committee=committee, clerks=[clerk])
    meeting = MeetingFactory(committee=committee, date=datetime.date(2026, 12, 10))
    return {"committee": committee, "meeting": meeting, "directorate": resources}


def _field(page, label: str):
    """A field by its label, which says "(optional)" when the field may be left blank."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \(optional\))?$"))


def _stage(page):
    return page.locator("main p", has_text="Stage:").locator(".govuk-tag")


def _summary_value(page, key: str):
    row = page.locator(".govuk-summary-list__row").filter(
        has=page.locator("dt", has_text=re.compile(rf"^\s*{re.escape(key)}\s*$"))
    )
    return row.locator("dd")


def _as(page, live_server, username: str, proposal_url: str) -> None:
    """Sign in afresh as `username` and open the proposal."""
    page.context.clear_cookies()
    signed_in(page, live_server, username)
    page.goto(proposal_url)
    expect(page).to_have_title(re.compile(r"^Proposal P\d{4}"))


def _step(page, title: str, button: str = "Save") -> None:
    """Open a step from the proposal page; submit it empty first, to see its errors."""
    follow(page, title)
    expect(page).to_have_title(re.compile(rf"^{re.escape(title)}: proposal P\d{{4}}"))
    assert_accessible(page)
    if button == "Save":
        submit(page, button)
        expect(page).to_have_title(re.compile(rf"^Error: {re.escape(title)}"))
        assert_error_summary_focused_and_linked(page)
        assert_accessible(page)


def test_gp_takes_a_proposal_for_a_new_kpi_from_draft_to_adoption(page, live_server, council):
    signed_in(page, live_server, "gp")
    follow(page, "Committees")
    assert_accessible(page)
    follow(page, "Proposals to add, remove or amend KPIs")
    expect(page).to_have_title(re.compile(r"^Proposals to change KPIs"))
    assert_accessible(page)

    # The draft: an empty form first, then the new KPI.
    follow(page, "Propose a new KPI")
    expect(page).to_have_title(re.compile(r"^Propose a KPI"))
    assert_accessible(page)
    submit(page, "Save")
    expect(page).to_have_title(re.compile(r"^Error: Propose a KPI"))
    assert_error_summary_focused_and_linked(page)
    assert_accessible(page)

    _field(page, "Directorate").select_option(label="Resources")
    _field(page, "KPI name").fill(NEW_KPI)
    _field(page, "Description").fill(
        "The share of residents in the annual survey who are satisfied."
    )
    _field(page, "Mapping to service").select_option(label="Communications (RES)")
    page.get_by_label("Ambition 1: A council that listens").check()
    _field(page, "Why the KPI matters").fill("Residents' view of the council.")
    _field(page, "Data source").fill("Annual residents' survey")
    _field(page, "Unit").select_option(label="Percentage (%)")
    _field(page, "Direction for improvement").select_option(label="Higher is better")
    _field(page, "Reporting frequency").select_option(label="Annual")
    _field(page, "Level").select_option(label="Strategic")
    _field(page, "Target approach").select_option(label="Annual target")
    page.get_by_label(COMMITTEE).check()
    _field(page, "Rationale for the proposal").fill(
        "The corporate plan commits us to listening to residents."
    )
    submit(page, "Save")
    expect(page).to_have_title(re.compile(r"^Proposal P\d{4}"))
    expect(page.get_by_role("alert")).to_contain_text("saved as a draft")
    expect(_stage(page)).to_have_text("Draft")
    proposal = Proposal.objects.get(name=NEW_KPI)
    proposal_url = page.url
    assert_accessible(page)

    # Quality check: every standard answered.
    _step(page, "Quality check")
    for group in page.locator("fieldset.govuk-fieldset").all():
        group.get_by_label("Yes", exact=True).check()
    page.locator("input[type=text]").first.fill("A national comparator exists (LGA survey).")
    submit(page, "Save")
    expect(page.get_by_role("alert")).to_contain_text("quality check recorded")
    expect(_stage(page)).to_have_text("Quality checked")
    assert_accessible(page)

    # Consultation.
    _step(page, "Record the consultation")
    _field(page, "Who the director decided to consult, and why").fill(
        "The Head of Communications and the committee chair, who use the survey."
    )
    _field(page, "Who was consulted and their responses").fill(
        "Head of Communications: supports it\nCommittee chair: asks for a ward breakdown"
    )
    submit(page, "Save")
    expect(_stage(page)).to_have_text("Consulted")
    expect(page.locator("main")).to_contain_text("asks for a ward breakdown")
    assert_accessible(page)

    # Equality impact assessment.
    _step(page, "Record the equality impact assessment")
    _field(page, "A positive impact").check()
    _field(page, "Summary of the assessment").fill(
        "The survey is offered in easy read and by telephone."
    )
    submit(page, "Save")
    expect(_stage(page)).to_have_text("Equality impact assessed")
    assert_accessible(page)
    # G&P could take the director's step too; this journey leaves it to the director.

    # The director (the directorate's approver) approves it.
    _as(page, live_server, "director", proposal_url)
    assert_accessible(page)
    _step(page, "Director's decision")
    _field(page, "Approve").check()
    submit(page, "Save")
    expect(_stage(page)).to_have_text("Approved by the director")
    expect(page.get_by_role("link", name="Record the committee's decision")).to_have_count(0)
    assert_accessible(page)

    # The committee's clerk records its decision at the meeting.
    _as(page, live_server, "srp-clerk", proposal_url)
    _step(page, "Record the committee's decision")
    _field(page, "Meeting").select_option(label=f"{COMMITTEE}, 10 December 2026")
    _field(page, "Agreed").check()
    _field(page, "Minute or note").fill("Minute 42: agreed unanimously.")
    submit(page, "Save")
    expect(_stage(page)).to_have_text("Agreed by the committee")
    expect(_summary_value(page, "Decision")).to_contain_text(
        f"{COMMITTEE}, 10 December 2026: proposal {proposal.reference} (add) agreed"
    )
    expect(page.get_by_role("link", name="Adopt: change the register and KPI sets")).to_have_count(
        0
    )
    assert_accessible(page)

    # G&P adopt it: the KPI joins the register.
    _as(page, live_server, "gp", proposal_url)
    _step(page, "Adopt: change the register and KPI sets", button="Adopt")
    submit(page, "Adopt")
    expect(_stage(page)).to_have_text("Adopted")
    proposal.refresh_from_db()
    assert proposal.stage == Proposal.Stage.ADOPTED
    kpi = proposal.kpi
    assert kpi is not None and kpi.reference == "170" and kpi.name == NEW_KPI
    assert kpi.directorate == council["directorate"]
    assert kpi.status == Kpi.Status.IN_DEVELOPMENT
    assert list(kpi.memberships.values_list("committee__short_name", "started_on")) == [
        ("SRP", proposal.effective_from)
    ]
    expect(_summary_value(page, "KPI number")).to_have_text("170")
    assert_accessible(page)

    # The list of proposals, sorted by stage, and the audit samples beside it.
    follow(page, "All proposals")
    sort_by(page, "Stage")
    expect(column_header(page, "Stage")).to_have_attribute("aria-sort", "ascending")
    row = page.locator("table.app-table tbody tr")
    expect(row.locator("th")).to_have_text(proposal.reference)
    expect(row.locator(".govuk-tag")).to_have_text("Adopted")
    assert_accessible(page)
    with page.expect_navigation():
        page.locator(".govuk-back-link", has_text="Committees").click()
    follow(page, "Quarterly audit samples")
    expect(page.get_by_role("table", name="Audits")).to_contain_text("No audits yet.")
    assert_accessible(page)

    follow(page, "KPI register")
    page.get_by_label("Search").fill("satisfied with how the council")
    submit(page, "Apply filters")
    rows = page.locator("table.app-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("170")
    expect(rows).to_contain_text(NEW_KPI)
    assert_accessible(page)
    follow(page, NEW_KPI)
    expect(page).to_have_title(re.compile(rf"^KPI 170: {re.escape(NEW_KPI)}"))
    # It joins the committee's set from the start of the next quarter, not today.
    expect(_summary_value(page, "Date added")).to_have_text(f"{proposal.effective_from:%-d %B %Y}")
    expect(_summary_value(page, "Status")).to_have_text("In development")
    assert_accessible(page)
