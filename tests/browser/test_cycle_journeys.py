"""The quarterly reporting cycle in a real browser, with axe-core on every page visited.

An officer enters and submits the quarter's values (a mistake first), the directorate approver
returns one and approves the rest, G&P follow completion and lock the period, and the entry form
is used from the keyboard alone. Every page, including each form showing its errors, goes through
`assert_accessible`.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kpis.register.models import Kpi
from kpis.register.tests.factories import DirectorateFactory, KpiFactory, ServiceFactory
from kpis.reporting.models import Measurement, ReportingPeriod
from kpis.reporting.services import Entry, measurement_approve, measurement_return, measurement_save
from kpis.reporting.tests.factories import make_measurement, make_period, make_target
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
    url,
)

pytestmark = pytest.mark.browser

QUARTER = "2026/27 Q2"


@pytest.fixture
def cycle(transactional_db):
    """A directorate with its approver, an officer leading three quarterly KPIs with targets,
    last quarter locked and reported, and this quarter (2026/27 Q2) open for entry."""
    today = timezone.localdate()
    place = DirectorateFactory(name="Place and Sustainability", short_name="P&S")
    waste = ServiceFactory(directorate=place, name="Waste")
    officer = UserFactory(
        username="officer", first_name="Olu", last_name="Adeyemi", roles=[Role.OFFICER]
    )
    approver = UserFactory(
        username="approver", first_name="Priya", last_name="Shah", roles=[Role.APPROVER]
    )
    place.approvers.add(approver)
    UserFactory(username="gp", first_name="Gwen", last_name="Price", roles=[Role.GP])
    common = {"directorate": place, "service": waste, "lead_officer": officer}
    recycling = KpiFactory(
        reference="169",
        name="Household waste sent for reuse, recycling or composting",
        unit=Kpi.Unit.PERCENT,
        direction=Kpi.Direction.HIGHER,
        **common,
    )
    missed = KpiFactory(
        reference="182",
        name="Missed bin collections",
        unit=Kpi.Unit.COUNT,
        direction=Kpi.Direction.LOWER,
        **common,
    )
    fly_tipping = KpiFactory(
        reference="191",
        name="Fly-tipping incidents cleared within two working days",
        unit=Kpi.Unit.PERCENT,
        direction=Kpi.Direction.HIGHER,
        **common,
    )
    for kpi, target, intervention in (
        (recycling, 50, 45),
        (missed, 120, 150),
        (fly_tipping, 90, 80),
    ):
        make_target(kpi, target, financial_year=2026, intervention=intervention)
    last = make_period("quarter", 2026, 1, state=ReportingPeriod.State.LOCKED)
    for kpi, value in ((recycling, "48.5"), (missed, "131"), (fly_tipping, "92")):
        make_measurement(kpi, last, value, status=Measurement.Status.APPROVED)
    period = make_period(
        "quarter",
        2026,
        2,
        submission_deadline=today + datetime.timedelta(days=7),
        signoff_deadline=today + datetime.timedelta(days=21),
    )
    assert period.label == QUARTER
    return {
        "period": period,
        "officer": officer,
        "approver": approver,
        "kpis": {"169": recycling, "182": missed, "191": fly_tipping},
    }


@pytest.fixture
def submitted(cycle):
    """The officer has submitted all three values for sign-off (through the service)."""
    for reference, value, commentary, plan in (
        ("169", "41.2", "Garden waste fell in the dry summer.", "Relaunch the garden waste offer."),
        ("182", "97", "Fewer missed bins after the new rounds.", ""),
        ("191", "93.5", "Steady.", ""),
    ):
        measurement_save(
            kpi=cycle["kpis"][reference],
            period=cycle["period"],
            by=cycle["officer"],
            entry=Entry(value=Decimal(value), commentary=commentary, action_plan=plan),
            expected_version=0,
            submit=True,
        )
    return cycle


def _block(page, cycle, reference: str):
    """One KPI's block on My KPIs: its heading, status, and its fields or read-only values."""
    return page.locator(f"#kpi-{cycle['period'].pk}-{cycle['kpis'][reference].pk}")


def _field_id(cycle, reference: str, field: str) -> str:
    return f"id_e{cycle['period'].pk}-{cycle['kpis'][reference].pk}-{field}"


def _status(page, reference: str):
    """The Status cell of a KPI's row in the My KPIs table."""
    row = page.locator("table.app-table tbody tr").filter(
        has=page.locator("th", has_text=re.compile(rf"^\s*{reference} "))
    )
    return row.locator("td").last


def _sign_out(page) -> None:
    page.context.clear_cookies()


def _focused(page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {
                tag: el.tagName.toLowerCase(),
                id: el.id,
                text: (el.innerText || "").trim(),
                href: el.getAttribute("href"),
            };
        }"""
    )


# --- 1. The officer enters and submits the quarter's values ----------------------------------


def test_an_officer_enters_and_submits_the_quarters_values_with_commentary_and_action_plans(
    page, live_server, cycle
):
    signed_in(page, live_server, "officer")
    follow(page, "My KPIs")
    expect(page).to_have_title(re.compile(r"^My KPIs this period"))
    expect(page.get_by_role("heading", level=2, name=QUARTER)).to_be_visible()
    expect(page.locator("table.app-table tbody tr")).to_have_count(3)
    for reference in ("169", "182", "191"):
        expect(_status(page, reference)).to_have_text("Not started")
    expect(_block(page, cycle, "169")).to_contain_text("Target for 2026/27 Q2")
    expect(_block(page, cycle, "169")).to_contain_text("48.5%")  # last quarter's value
    assert_accessible(page)

    # An off-target value submitted without an action plan: refused, nothing saved.
    recycling = _block(page, cycle, "169")
    recycling.get_by_label("Value (%)").fill("41.2")
    submit(page, "Submit for sign-off")
    expect(page).to_have_title(re.compile(r"^Error: My KPIs this period"))
    hrefs = assert_error_summary_focused_and_linked(page)
    assert hrefs == [f"#{_field_id(cycle, '169', 'action_plan')}"]
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "KPI 169: This value is off target (Red): enter an action plan"
    )
    recycling = _block(page, cycle, "169")
    expect(recycling.get_by_label("Value (%)")).to_have_value("41.2")
    expect(recycling.locator(".govuk-form-group--error")).to_have_count(1)
    expect(page.locator(f"#{_field_id(cycle, '169', 'action_plan')}_error")).to_contain_text(
        "enter an action plan"
    )
    assert not Measurement.objects.filter(period=cycle["period"]).exists()
    assert_accessible(page)

    # Every KPI's value, commentary and action plan, then submit them all.
    entries = {
        "169": (
            "41.2",
            "Value (%)",
            "Garden waste tonnage fell in the dry summer.",
            "Relaunch the garden waste offer in spring; Waste team, by April.",
        ),
        "182": (
            "97",
            "Value (a whole number)",
            "The new rounds bedded in.",
            "Keep the crews on the new rounds; review in Q3.",
        ),
        "191": (
            "93.5",
            "Value (%)",
            "Two extra crews since July.",
            "Keep the extra crews through the winter.",
        ),
    }
    for reference, (value, label, commentary, plan) in entries.items():
        block = _block(page, cycle, reference)
        block.get_by_label(label, exact=True).fill(value)
        block.get_by_label("Commentary", exact=True).fill(commentary)
        block.get_by_label("Action plan", exact=True).fill(plan)
    submit(page, "Submit for sign-off")

    expect(page).to_have_title(re.compile(r"^My KPIs this period"))
    expect(page.get_by_role("alert")).to_contain_text("KPI values saved: 3 submitted for sign-off.")
    for reference in entries:
        expect(_status(page, reference)).to_have_text("Submitted")
        block = _block(page, cycle, reference)
        expect(block.locator(".govuk-inset-text")).to_contain_text("Submitted for sign-off.")
        expect(block.locator("textarea, input[type=text]")).to_have_count(0)
    expect(_block(page, cycle, "169")).to_contain_text("Relaunch the garden waste offer")
    expect(page.get_by_role("button", name="Submit for sign-off")).to_have_count(0)
    stored = {
        m.kpi.reference: m
        for m in Measurement.objects.filter(period=cycle["period"]).select_related("kpi")
    }
    assert set(stored) == set(entries)
    for reference, (value, _, commentary, plan) in entries.items():
        measurement = stored[reference]
        assert measurement.status == Measurement.Status.SUBMITTED
        assert measurement.value == Decimal(value)
        assert measurement.commentary == commentary
        assert measurement.action_plan == plan
        assert measurement.submitted_by == cycle["officer"]
    assert stored["169"].rating == "red"
    assert_accessible(page)


# --- 2. The approver returns one value and approves the rest ----------------------------------


def test_the_approver_returns_one_value_with_a_reason_and_approves_the_rest(
    page, live_server, submitted
):
    cycle = submitted
    missed = Measurement.objects.get(kpi=cycle["kpis"]["182"], period=cycle["period"])
    signed_in(page, live_server, "approver")
    follow(page, "Approvals")
    expect(page).to_have_title(re.compile(r"^Values to sign off"))
    expect(page.get_by_role("heading", level=2)).to_contain_text(
        [f"Place and Sustainability: {QUARTER}"]
    )
    expect(page.locator(".govuk-summary-card")).to_have_count(3)
    card = page.locator(f"#measurement-{missed.pk}")
    expect(card).to_contain_text("Fewer missed bins after the new rounds.")
    expect(card).to_contain_text("by Olu Adeyemi")
    assert_accessible(page)

    # Returning without a reason is refused, with the reason's field marked.
    card.get_by_text("Return it to the officer").click()
    with page.expect_navigation():
        card.get_by_role("button", name="Return KPI 182 to the officer").click()
    expect(page).to_have_title(re.compile(r"^Error: Values to sign off"))
    hrefs = assert_error_summary_focused_and_linked(page)
    assert hrefs == [f"#return-{missed.pk}-reason"]
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why you are returning it")
    card = page.locator(f"#measurement-{missed.pk}")
    expect(card.locator("details")).to_have_attribute("open", "")
    expect(card.locator(".govuk-error-message")).to_contain_text("Say why you are returning it")
    missed.refresh_from_db()
    assert missed.status == Measurement.Status.SUBMITTED
    assert_accessible(page)

    reason = "The count leaves out the commercial rounds: add them and resubmit."
    card.get_by_label("Why are you returning KPI 182?").fill(reason)
    submit(page, "Return KPI 182 to the officer")
    expect(page).to_have_title(re.compile(r"^Values to sign off"))
    expect(page.get_by_role("alert")).to_contain_text(
        f"KPI 182 ({QUARTER}) returned to Olu Adeyemi."
    )
    expect(page.locator(".govuk-summary-card")).to_have_count(2)
    assert_accessible(page)

    submit(page, "Approve all 2 values shown")
    expect(page.get_by_role("alert")).to_contain_text("2 values approved.")
    expect(
        page.get_by_text("There are no submitted values waiting for your sign-off.")
    ).to_be_visible()
    statuses = dict(
        Measurement.objects.filter(period=cycle["period"]).values_list("kpi__reference", "status")
    )
    assert statuses == {"169": "approved", "182": "returned", "191": "approved"}
    assert_accessible(page)

    # The officer sees why it came back, and can change it again.
    _sign_out(page)
    signed_in(page, live_server, "officer")
    follow(page, "My KPIs")
    expect(_status(page, "182")).to_have_text("Returned")
    expect(_status(page, "169")).to_have_text("Approved")
    block = _block(page, cycle, "182")
    banner = block.get_by_role("region", name="Returned by your approver")
    expect(banner).to_contain_text(reason)
    expect(block.get_by_label("Value (a whole number)", exact=True)).to_have_value("97")
    expect(_block(page, cycle, "169").locator(".govuk-inset-text")).to_have_text("Approved.")
    assert_accessible(page)


# --- 3. G&P follow completion and lock the period ----------------------------------------------


@pytest.fixture
def signed_off(submitted):
    """Two values approved; KPI 182's value returned to the officer."""
    cycle = submitted
    for m in Measurement.objects.filter(period=cycle["period"]).select_related("kpi"):
        if m.kpi.reference == "182":
            measurement_return(
                measurement=m, by=cycle["approver"], expected_version=m.version, reason="Recount"
            )
        else:
            measurement_approve(measurement=m, by=cycle["approver"], expected_version=m.version)
    return cycle


def test_gp_follows_completion_then_locks_the_period_and_officers_can_no_longer_change_it(
    page, live_server, signed_off
):
    cycle = signed_off
    period = cycle["period"]
    signed_in(page, live_server, "gp")
    follow(page, "Reporting cycle")
    expect(page).to_have_title(re.compile(r"^Reporting periods"))
    row = page.locator("table.app-table tbody tr").filter(
        has=page.locator("th", has_text=re.compile(rf"^\s*{re.escape(QUARTER)}\s*$"))
    )
    expect(row.locator(".govuk-tag")).to_have_text("Open for entry")
    assert_accessible(page)

    # The year form with nothing in it shows its error.
    submit(page, "Create periods")
    expect(page).to_have_title(re.compile(r"^Error: Reporting periods"))
    assert_error_summary_focused_and_linked(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the year the financial year starts in"
    )
    assert_accessible(page)

    # Completion of the quarter.
    follow(page, f"Completion of {QUARTER}")
    expect(page).to_have_title(re.compile(rf"^Completion of {re.escape(QUARTER)}"))
    summary = page.locator("table.app-table").first.locator("tbody tr")
    expect(summary).to_have_count(1)
    expect(summary.locator("th")).to_have_text("Place and Sustainability")
    expect(summary).to_contain_text("67%")
    kpi_rows = page.locator("table.app-table").nth(1).locator("tbody tr")
    expect(kpi_rows).to_have_count(3)
    expect(kpi_rows.filter(has_text="182").locator(".govuk-tag").first).to_have_text("Returned")
    expect(kpi_rows.filter(has_text="169").locator(".govuk-tag").first).to_have_text("Approved")
    assert_accessible(page)
    sort_by(page, "Status")  # in the cycle's order: returned after approved
    expect(column_header(page, "Status")).to_have_attribute("aria-sort", "ascending")
    expect(kpi_rows.locator("th")).to_have_text(["169", "191", "182"])
    assert_accessible(page)

    # The year's targets, sorted by name.
    follow(page, "Back to reporting periods")
    follow(page, "Set targets")
    expect(page).to_have_title(re.compile(r"^Targets for "))
    assert_accessible(page)
    sort_by(page, "Name")
    expect(column_header(page, "Name")).to_have_attribute("aria-sort", "ascending")
    expect(page.locator("table.app-table tbody th")).to_have_text(["191", "169", "182"])
    assert_accessible(page)

    # Lock it, through the confirmation page.
    follow(page, "Back to reporting periods")
    follow(page, f"Lock {QUARTER}")
    expect(page).to_have_title(re.compile(rf"^Lock {re.escape(QUARTER)}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Lock {QUARTER}?")
    expect(page.locator(".govuk-warning-text")).to_contain_text("Nobody will be able to change")
    # It first lists the value not approved: KPI 182's, returned.
    expect(page.locator("#unapproved")).to_have_text("1 value is not approved")
    not_approved = page.get_by_role("table", name=f"Values not approved in {QUARTER}, by KPI")
    expect(not_approved.locator("tbody tr")).to_have_count(1)
    expect(not_approved.locator("tbody tr")).to_contain_text("182")
    expect(not_approved.locator(".govuk-tag")).to_have_text("Returned")
    assert_accessible(page)
    submit(page, f"Lock {QUARTER} with 1 value not approved")
    expect(page).to_have_title(re.compile(r"^Reporting periods"))
    expect(page.get_by_role("alert")).to_contain_text(f"{QUARTER} is locked.")
    expect(row.locator(".govuk-tag")).to_have_text("Locked")
    period.refresh_from_db()
    assert period.state == ReportingPeriod.State.LOCKED
    assert_accessible(page)

    # The officer's page no longer offers the quarter, and its value cannot be changed.
    _sign_out(page)
    signed_in(page, live_server, "officer")
    follow(page, "My KPIs")
    expect(page.get_by_text("You have nothing to report just now")).to_be_visible()
    expect(page.get_by_role("button", name="Submit for sign-off")).to_have_count(0)
    assert_accessible(page)

    edit_url = url(live_server, "entry:edit", period.pk, "182")
    page.goto(edit_url)
    expect(page.locator(".govuk-inset-text")).to_have_text(
        f"{QUARTER} is locked: its values can no longer be changed."
    )
    expect(page.locator("main textarea, main input[type=text]")).to_have_count(0)
    expect(page.get_by_role("button", name="Submit for sign-off")).to_have_count(0)
    assert_accessible(page)

    # A crafted POST (the form as it was before the lock) is refused and saves nothing.
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    prefix = f"e{period.pk}-{cycle['kpis']['182'].pk}"
    before = Measurement.objects.get(kpi=cycle["kpis"]["182"], period=period)
    response = page.request.post(
        edit_url,
        form={
            "csrfmiddlewaretoken": token,
            "action": "submit",
            f"{prefix}-version": str(before.version),
            f"{prefix}-value": "80",
            f"{prefix}-commentary": "Changed after the lock",
        },
        headers={"Referer": edit_url},
    )
    assert response.ok, response.status
    after = Measurement.objects.get(pk=before.pk)
    assert (after.value, after.version, after.status, after.commentary) == (
        before.value,
        before.version,
        before.status,
        before.commentary,
    )


# --- 4. The entry form from the keyboard alone -------------------------------------------------


def _tab_to(page, predicate, what: str, limit: int = 80) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if predicate(focused):
            return focused
    pytest.fail(f"Tab never reached {what}; last focus {_focused(page)}")


def test_the_entry_form_works_from_the_keyboard_alone(page, live_server, cycle):
    value_id = _field_id(cycle, "169", "value")
    commentary_id = _field_id(cycle, "169", "commentary")
    plan_id = _field_id(cycle, "169", "action_plan")
    signed_in(page, live_server, "officer")
    page.goto(url(live_server, "entry:my_kpis"))

    _tab_to(page, lambda f: f["id"] == value_id, "KPI 169's value")
    page.keyboard.type("41.2")
    _tab_to(page, lambda f: f["id"] == commentary_id, "KPI 169's commentary", limit=5)
    page.keyboard.type("Garden waste tonnage fell in the dry summer.")
    focused = _tab_to(page, lambda f: f["id"] == plan_id, "KPI 169's action plan", limit=2)
    assert focused["tag"] == "textarea"
    # Leave the action plan empty; on to the submit button (past the other KPIs' fields).
    _tab_to(
        page,
        lambda f: f["tag"] == "button" and f["text"] == "Submit for sign-off",
        "the Submit for sign-off button",
    )
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page).to_have_title(re.compile(r"^Error: My KPIs this period"))
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    page.keyboard.press("Tab")
    link = _focused(page)
    assert link["tag"] == "a" and link["href"] == f"#{plan_id}", link
    page.keyboard.press("Enter")
    expect(page.locator(f"#{plan_id}")).to_be_focused()
    expect(page.locator(f"label[for={plan_id}]")).to_be_in_viewport()
    assert_accessible(page)

    # Type the plan where focus now is, and submit again from the keyboard.
    page.keyboard.type("Relaunch the garden waste offer in spring.")
    _tab_to(
        page,
        lambda f: f["tag"] == "button" and f["text"] == "Submit for sign-off",
        "the Submit for sign-off button",
    )
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("KPI values saved: 1 submitted for sign-off.")
    expect(_status(page, "169")).to_have_text("Submitted")
    measurement = Measurement.objects.get(kpi=cycle["kpis"]["169"], period=cycle["period"])
    assert measurement.status == Measurement.Status.SUBMITTED
    assert measurement.value == Decimal("41.2")
    assert measurement.action_plan == "Relaunch the garden waste offer in spring."
    assert_accessible(page)


# --- Targets in bulk, and a KPI whose status stops its entry ---------------------------------

TARGET_HEADINGS = "reference,financial_year,period,value,intervention_level,note\n"


def test_gp_import_a_years_targets_from_a_file_seeing_every_row_first(
    page, live_server, cycle, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    signed_in(page, live_server, "gp")
    page.goto(url(live_server, "reporting:targets") + "?year=2026")
    follow(page, "Import targets from a file")
    expect(page).to_have_title(re.compile(r"^Import targets"))
    assert_accessible(page)

    bad = TARGET_HEADINGS + "169,2026/27,,55,48,\n182,2026/27,2026/27 Oct,100,,\n"
    page.get_by_label("Targets file").set_input_files(
        {"name": "targets.csv", "mimeType": "text/csv", "buffer": bad.encode()}
    )
    submit(page, "Check file")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The file was not imported")
    expect(summary).to_be_focused()
    expect(page.locator("#import-errors tbody tr")).to_have_count(1)
    expect(page.locator("#import-errors")).to_contain_text("no reporting period 2026/27 Oct")
    assert_accessible(page)

    good = TARGET_HEADINGS + "169,2026/27,,55,48,Raised\n182,2026/27,2026/27 Q2,110,140,\n"
    page.get_by_label("Targets file").set_input_files(
        {"name": "targets.csv", "mimeType": "text/csv", "buffer": good.encode()}
    )
    submit(page, "Check file")
    rows = page.locator("#import-rows tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("55%, intervention level 48%")
    expect(rows.nth(0)).to_contain_text("Changed")
    expect(rows.nth(1)).to_contain_text("110, intervention level 140")
    assert_accessible(page)
    assert cycle["kpis"]["169"].targets.get(period=None).value == 50  # not yet

    submit(page, "Confirm import")
    expect(page.get_by_role("alert")).to_contain_text("1 new, 1 changed, 0 unchanged")
    assert cycle["kpis"]["169"].targets.get(period=None).value == 55


def test_the_officer_sees_why_a_suspended_kpi_has_no_form(page, live_server, cycle):
    Kpi.objects.filter(reference="191").update(
        status=Kpi.Status.SUSPENDED, status_reason="The contractor's data feed is being replaced."
    )
    signed_in(page, live_server, "officer")
    page.goto(url(live_server, "entry:my_kpis"))
    expect(_status(page, "191")).to_have_text("Suspended")
    block = _block(page, cycle, "191")
    expect(block).to_contain_text("KPI 191 is suspended, so its values are not collected.")
    expect(block.get_by_role("textbox")).to_have_count(0)
    expect(_block(page, cycle, "169").get_by_role("textbox").first).to_be_visible()


# --- 5. A value far from last quarter's is queried before it goes to the approver ---------------


def test_a_value_far_from_last_quarters_is_confirmed_and_explained_before_it_is_submitted(
    page, live_server, cycle
):
    query = "This is 69.5% lower than 2026/27 Q1 (131)."
    confirm_id = _field_id(cycle, "182", "query_confirmed")
    explanation_id = _field_id(cycle, "182", "query_explanation")
    signed_in(page, live_server, "officer")
    page.goto(url(live_server, "entry:edit", cycle["period"].pk, "182"))
    page.get_by_label("Value (a whole number)", exact=True).fill("40")
    page.get_by_label("Commentary", exact=True).fill("The new rounds bedded in.")
    submit(page, "Submit for sign-off")

    # Held: the query in the error summary, linked to the confirmation; nothing saved.
    expect(page).to_have_title(re.compile(r"^Error: KPI 182"))
    hrefs = assert_error_summary_focused_and_linked(page)
    assert hrefs == [f"#{confirm_id}"]
    expect(page.locator(".govuk-error-summary")).to_contain_text(f"KPI 182: {query}")
    expect(page.locator(f"#{confirm_id}_error")).to_contain_text("confirm it is right")
    expect(page.get_by_label("Value (a whole number)", exact=True)).to_have_value("40")
    expect(page.get_by_label("Why is it so different?")).to_be_hidden()
    assert not Measurement.objects.filter(period=cycle["period"]).exists()
    assert_accessible(page)

    # Ticking reveals the explanation; submitting without one asks for it.
    page.get_by_label("I have checked this value and it is right").check()
    expect(page.get_by_label("Why is it so different?")).to_be_visible()
    submit(page, "Submit for sign-off")
    hrefs = assert_error_summary_focused_and_linked(page)
    assert hrefs == [f"#{explanation_id}"]
    expect(page.locator(f"#{explanation_id}_error")).to_contain_text("Explain why the value")
    expect(page.locator(".govuk-warning-text")).to_contain_text(query)
    expect(page.get_by_label("I have checked this value and it is right")).to_be_checked()
    assert_accessible(page)

    explanation = "Two new crews started on the rural rounds in July."
    page.get_by_label("Why is it so different?").fill(explanation)
    submit(page, "Submit for sign-off")
    expect(page.get_by_role("alert")).to_contain_text("KPI values saved: 1 submitted for sign-off.")
    read_only = page.locator(".govuk-summary-list").last  # the submitted value, read-only
    expect(read_only).to_contain_text(query)
    expect(read_only).to_contain_text(explanation)
    stored = Measurement.objects.get(kpi=cycle["kpis"]["182"], period=cycle["period"])
    assert stored.status == Measurement.Status.SUBMITTED
    assert (stored.data_query, stored.query_explanation) == (query, explanation)
    assert_accessible(page)

    # The approver sees the query and the explanation beside the value.
    _sign_out(page)
    signed_in(page, live_server, "approver")
    follow(page, "Approvals")
    card = page.locator(f"#measurement-{stored.pk}")
    expect(card.get_by_text("Queried", exact=True)).to_be_visible()
    expect(card).to_contain_text(query)
    expect(card).to_contain_text(explanation)
    assert_accessible(page)


def test_the_commentary_counts_characters_and_too_many_are_refused_on_the_page(
    page, live_server, cycle
):
    signed_in(page, live_server, "officer")
    follow(page, "My KPIs")
    recycling = _block(page, cycle, "169")
    commentary = recycling.get_by_label("Commentary", exact=True)
    field_id = _field_id(cycle, "169", "commentary")
    count = page.locator(f"#{field_id} ~ .govuk-character-count__status")
    expect(count).to_have_text("You have 5,000 characters remaining")

    commentary.fill("x" * 5010)

    expect(count).to_have_text("You have 10 characters too many")
    assert commentary.input_value() == "x" * 5010  # not cut short: the count says so instead
    assert_accessible(page)
    recycling.get_by_label("Value (%)").fill("55")
    submit(page, "Save as draft")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "KPI 169: Commentary must be 5,000 characters or less"
    )
    assert not Measurement.objects.filter(period=cycle["period"]).exists()
    assert_accessible(page)
