"""Journeys through the KPI register in a real browser, with axe on every page visited.

Mouse-free checks (Tab, Enter) cover the skip link, the KPI form and the GOV.UK error summary.
"""

import datetime
import re

import pytest
from playwright.sync_api import expect

from kpis.register import services
from kpis.register.models import Kpi, Service
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
    axe_violations,
    signed_in,
    submit,
    url,
)

pytestmark = pytest.mark.browser

REGISTER_HEADINGS = (
    "reference,name,directorate,service,level,perspective,metric_category,frequency,unit,"
    "direction,leading_or_lagging,target_kind,date_added\n"
)


@pytest.fixture
def council():
    """A small council: two directorates, services, ambitions, a committee and 12 KPIs."""
    place = DirectorateFactory(name="Place and Sustainability", short_name="P&S")
    children = DirectorateFactory(name="Children, Education and Families", short_name="CEF")
    waste = ServiceFactory(directorate=place, name="Waste")
    schools = ServiceFactory(directorate=children, name="Schools")
    net_zero = PriorityFactory(number=1, name="Net zero by 2045")
    PriorityFactory(number=2, name="Good schools for every child")
    committee = CommitteeFactory(
        name="Environment, Growth and Infrastructure Committee", short_name="EGI"
    )
    officer = UserFactory(
        username="officer", first_name="Olu", last_name="Adeyemi", roles=["Officer"]
    )
    KpiFactory(
        reference="169",
        name="Household waste sent for reuse, recycling or composting",
        description="The share of household waste that is reused or recycled.",
        directorate=place,
        service=waste,
        level=Kpi.Level.STRATEGIC,
        lead_officer=officer,
        priorities=[net_zero],
        committees=[committee],
    )
    for n, level in enumerate([Kpi.Level.STRATEGIC] * 2 + [Kpi.Level.OPERATIONAL] * 9):
        directorate, service = (place, waste) if n % 2 else (children, schools)
        KpiFactory(
            reference=f"{200 + n}",
            name=f"{'ABCDEFGHIJK'[10 - n]} indicator {n}",
            directorate=directorate,
            service=service,
            level=level,
        )
    return {"place": place, "waste": waste, "officer": officer, "committee": committee}


def _cells(page, column: int) -> list[str]:
    """The text of one column (1-based) of the register table's rows on this page."""
    return [
        text.strip()
        for text in page.locator(
            f"table.app-table tbody tr > :nth-child({column})"
        ).all_inner_texts()
    ]


def _summary_value(page, key: str):
    row = page.locator(".govuk-summary-list__row").filter(
        has=page.locator("dt", has_text=re.compile(rf"^\s*{re.escape(key)}\s*$"))
    )
    return row.locator("dd")


# --- Reading the register ---------------------------------------------------------------------


def test_a_councillor_browses_filters_sorts_and_pages_the_register_then_reads_a_kpi(
    page, live_server, council, settings
):
    settings.REGISTER_PAGE_SIZE = 5
    gp = UserFactory(username="gp", roles=[Role.GP])
    kpi = Kpi.objects.get(reference="169")
    kpi.name = "Household waste reused, recycled or composted"
    services.kpi_save(
        kpi=kpi,
        by=gp,
        priorities=kpi.priorities.all(),
        committees=[council["committee"]],
        reason="Clearer name",
    )
    UserFactory(username="councillor", roles=[Role.VIEWER])

    signed_in(page, live_server, "councillor")
    page.goto(url(live_server, "kpis:register"))
    expect(page).to_have_title(re.compile(r"^KPI register"))
    expect(page.locator("table.app-table tbody tr")).to_have_count(5)
    expect(page.get_by_text("Showing 1 to 5 of 12")).to_be_visible()
    expect(page.get_by_role("link", name="Add a KPI")).to_have_count(0)
    assert_accessible(page)

    # Filter by level.
    page.get_by_label("Level", exact=True).select_option(label="Strategic")
    submit(page, "Apply filters")
    assert "level=strategic" in page.url
    assert _cells(page, 5) == ["Strategic"] * 3
    expect(page.get_by_label("Level", exact=True)).to_have_value("strategic")
    assert_accessible(page)

    # Filter by text.
    with page.expect_navigation():
        page.get_by_role("link", name="Clear filters").click()
    page.get_by_label("Search").fill("recycled")
    submit(page, "Apply filters")
    assert _cells(page, 1) == ["169"]
    page.get_by_label("Search").fill("no such indicator")
    submit(page, "Apply filters")
    expect(page.get_by_text("No KPIs match these filters.")).to_be_visible()
    assert_accessible(page)

    # Sort by the KPI's name, both ways.
    with page.expect_navigation():
        page.get_by_role("link", name="Clear filters").click()
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(r"^KPI\W+sort ascending$")).click()
    header = page.locator("table.app-table thead th").nth(1)
    expect(header).to_have_attribute("aria-sort", "ascending")
    names = _cells(page, 2)
    assert names == sorted(names) and names[0].startswith("A indicator")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(r"^KPI\W+sort descending$")).click()
    expect(header).to_have_attribute("aria-sort", "descending")
    names = _cells(page, 2)
    assert names == sorted(names, reverse=True)
    assert_accessible(page)

    # Page through, keeping the order.
    with page.expect_navigation():
        page.get_by_role("link", name="Next page").click()
    expect(page.get_by_text("Showing 6 to 10 of 12")).to_be_visible()
    expect(page.get_by_role("link", name="Page 2")).to_have_attribute("aria-current", "page")
    expect(header).to_have_attribute("aria-sort", "descending")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Page 3").click()
    expect(page.get_by_text("Showing 11 to 12 of 12")).to_be_visible()

    # Find a KPI, open it and read its register entry and history.
    page.get_by_label("Search").fill("169")
    submit(page, "Apply filters")
    with page.expect_navigation():
        page.get_by_role("link", name="Household waste reused, recycled or composted").click()
    expect(page).to_have_title(re.compile(r"^KPI 169: Household waste reused"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Household waste reused, recycled or composted"
    )
    expect(_summary_value(page, "Reference number")).to_have_text("169")
    expect(_summary_value(page, "Directorate")).to_have_text("Place and Sustainability")
    expect(_summary_value(page, "Service")).to_have_text("Waste")
    expect(_summary_value(page, "Level")).to_have_text("Strategic")
    expect(_summary_value(page, "Priorities and ambitions")).to_have_text(
        "Ambition 1: Net zero by 2045"
    )
    expect(_summary_value(page, "Committees")).to_have_text(
        "Environment, Growth and Infrastructure Committee"
    )
    expect(_summary_value(page, "Date added")).to_have_text("1 April 2024")
    history = page.locator("table.app-history tbody tr")
    expect(history.last).to_contain_text("Created")
    expect(history.first).to_contain_text("Clearer name")
    expect(history.first).to_contain_text("Name:")
    expect(history.first).to_contain_text("Household waste sent for reuse, recycling or composting")
    expect(history.first).to_contain_text(str(gp))
    expect(page.get_by_role("link", name="Edit KPI 169")).to_have_count(0)
    assert_accessible(page)

    # A page the councillor may not use says so, accessibly.
    response = page.goto(url(live_server, "kpis:create"))
    assert response.status == 403
    assert_accessible(page)


# --- Keeping the register (Governance and Performance) -----------------------------------------


def test_gp_adds_a_kpi_after_correcting_the_errors(page, live_server, council):
    UserFactory(username="gp", roles=[Role.GP])
    signed_in(page, live_server, "gp")
    page.goto(url(live_server, "kpis:register"))
    with page.expect_navigation():
        page.get_by_role("link", name="Add a KPI").click()
    expect(page).to_have_title(re.compile(r"^Add a KPI"))
    assert_accessible(page)

    page.get_by_label("Name", exact=True).fill("Contract waivers submitted late")
    submit(page, "Save KPI")
    expect(page).to_have_title(re.compile(r"^Error: Add a KPI"))
    hrefs = assert_error_summary_focused_and_linked(page)
    assert hrefs[0] == "#id_reference"
    expect(page.locator("#id_reference_error")).to_be_visible()
    # GOV.UK: each message says what to do about which field ("Enter the reference number").
    # Collected, not asserted at once, so that the rest of the journey still runs.
    problems = []
    messages = page.locator(".govuk-error-summary a").all_inner_texts()
    if len(set(messages)) < len(messages):
        problems.append(f"error messages that do not name their field: {messages}")
    if "reference" not in messages[0].lower():
        problems.append(f"the reference number's error does not name it: {messages[0]!r}")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Contract waivers submitted late")
    assert_accessible(page)

    page.get_by_label("Reference number", exact=True).fill("250")
    page.get_by_label("Directorate", exact=True).select_option(label="Place and Sustainability")
    page.get_by_label("Service", exact=True).select_option(label="Waste (P&S)")
    page.get_by_label("Ambition 1: Net zero by 2045").check()
    page.get_by_label("Environment, Growth and Infrastructure Committee").check()
    page.get_by_label("Level", exact=True).select_option(label="Corporate")
    page.get_by_label("Perspective", exact=True).select_option(label="Corporate (staff)")
    page.get_by_label("Metric category", exact=True).select_option(label="Local authority")
    page.get_by_label("Reporting frequency", exact=True).select_option(label="Quarterly")
    page.get_by_label("Unit", exact=True).select_option(label="Number")
    page.get_by_label("Direction for improvement", exact=True).select_option(
        label="Lower is better"
    )
    page.get_by_label("Leading or lagging", exact=True).select_option(label="Lagging")
    page.get_by_label("Target", exact=True).select_option(label="Annual target")
    page.get_by_label("Date added", exact=True).fill("2024-04-01")
    submit(page, "Save KPI")

    expect(page).to_have_title(re.compile(r"^KPI 250: Contract waivers submitted late"))
    expect(page.get_by_role("alert")).to_contain_text("KPI 250 added to the register.")
    expect(_summary_value(page, "Committees")).to_have_text(
        "Environment, Growth and Infrastructure Committee"
    )
    kpi = Kpi.objects.get(reference="250")
    assert kpi.directorate == council["place"]
    assert kpi.date_added == datetime.date(2024, 4, 1)
    assert_accessible(page)
    assert not problems, problems


def test_gp_edits_a_kpi_changing_only_its_name(page, live_server, council):
    UserFactory(username="gp", roles=[Role.GP])
    signed_in(page, live_server, "gp")
    page.goto(url(live_server, "kpis:detail", "169"))
    with page.expect_navigation():
        page.get_by_role("link", name="Edit KPI 169").click()
    expect(page).to_have_title(re.compile(r"^Edit KPI 169"))
    expect(page.get_by_label("Reference number", exact=True)).to_be_disabled()
    assert_accessible(page)
    # The form must show what is stored, or the user has to type it again to save. Collected,
    # not asserted at once, so that the rest of the journey still runs.
    problems = []
    date_added = page.get_by_label("Date added", exact=True)
    if date_added.input_value() != "2024-04-01":
        problems.append(
            f"the Date added field shows {date_added.input_value()!r}, not the stored 2024-04-01 "
            f"(the server sent value={date_added.get_attribute('value')!r})"
        )
        date_added.fill("2024-04-01")

    # A mistake first: the form comes back with its errors.
    page.get_by_label("Name", exact=True).fill("")
    submit(page, "Save KPI")
    if page.title().startswith("Error: Edit KPI 169"):
        assert_error_summary_focused_and_linked(page)
        assert_accessible(page)
    else:
        problems.append(f"an invalid edit answered {page.title()!r}, not the form with its errors")
        page.goto(url(live_server, "kpis:edit", "169"))
        page.get_by_label("Date added", exact=True).fill("2024-04-01")

    page.get_by_label("Name", exact=True).fill("Household waste reused, recycled or composted")
    submit(page, "Save KPI")
    expect(page).to_have_title(re.compile(r"^KPI 169: Household waste reused"))
    expect(page.get_by_role("alert")).to_contain_text("KPI 169 updated.")
    expect(page.locator("table.app-history tbody tr").first).to_contain_text("Name:")
    kpi = Kpi.objects.get(reference="169")
    assert kpi.name == "Household waste reused, recycled or composted"
    assert kpi.date_added == datetime.date(2024, 4, 1)
    assert kpi.lead_officer == council["officer"]
    assert_accessible(page)
    assert not problems, problems


def test_gp_suspends_a_kpi_with_a_reason_then_retires_it(page, live_server, council):
    UserFactory(username="gp", roles=[Role.GP])
    signed_in(page, live_server, "gp")
    page.goto(url(live_server, "kpis:detail", "169"))

    with page.expect_navigation():
        page.get_by_role("link", name="Suspend").click()
    expect(page).to_have_title(re.compile(r"^Suspend KPI 169"))
    assert_accessible(page)
    submit(page, "Suspend KPI")
    expect(page).to_have_title(re.compile(r"^Error: Suspend KPI 169"))
    assert_error_summary_focused_and_linked(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the reason")
    assert_accessible(page)
    page.get_by_label("Reason", exact=True).fill("The data source has been withdrawn.")
    submit(page, "Suspend KPI")
    expect(page.get_by_role("alert")).to_contain_text("KPI 169 suspended.")
    expect(page.locator(".govuk-inset-text")).to_have_text(
        "Suspended: The data source has been withdrawn."
    )
    expect(_summary_value(page, "Status")).to_have_text("Suspended")
    assert_accessible(page)

    with page.expect_navigation():
        page.get_by_role("link", name="Retire").click()
    expect(page).to_have_title(re.compile(r"^Retire KPI 169"))
    assert_accessible(page)
    page.get_by_label("Reason", exact=True).fill("Replaced by KPI 250.")
    page.get_by_label("Date it left the register").fill("2025-03-31")
    page.get_by_label("Decision that removed it").fill(
        "Strategy, Resources and Performance Committee, 27 March 2025"
    )
    submit(page, "Retire KPI")
    expect(page.get_by_role("alert")).to_contain_text("KPI 169 retired.")
    expect(page.locator(".govuk-inset-text")).to_contain_text(
        "Retired on 31 March 2025: Replaced by KPI 250."
    )
    expect(page.get_by_role("link", name="Retire")).to_have_count(0)
    kpi = Kpi.objects.get(reference="169")
    assert kpi.status == Kpi.Status.RETIRED
    assert kpi.date_removed == datetime.date(2025, 3, 31)
    assert not kpi.memberships.filter(ended_on__isnull=True).exists()
    assert_accessible(page)


def test_gp_adds_a_service_on_the_structure_page(page, live_server, council):
    UserFactory(username="gp", roles=[Role.GP])
    signed_in(page, live_server, "gp")
    page.goto(url(live_server, "kpis:register"))
    with page.expect_navigation():
        page.get_by_role("link", name="Directorates, services and priorities").click()
    expect(page).to_have_title(re.compile(r"^Directorates, services and priorities"))
    assert_accessible(page)

    with page.expect_navigation():
        page.get_by_role("link", name="Add a service").click()
    expect(page).to_have_title(re.compile(r"^Add a service"))
    assert_accessible(page)
    submit(page, "Save")
    assert_error_summary_focused_and_linked(page)
    assert_accessible(page)

    page.get_by_label("Directorate", exact=True).select_option(label="Place and Sustainability")
    page.get_by_label("Name", exact=True).fill("Parks and open spaces")
    submit(page, "Save")
    expect(page).to_have_title(re.compile(r"^Directorates, services and priorities"))
    expect(page.get_by_role("alert")).to_contain_text("Service “Parks and open spaces” saved.")
    service = Service.objects.get(name="Parks and open spaces")
    assert service.directorate == council["place"]
    expect(page.locator(f"#service-{service.pk}")).to_contain_text("Parks and open spaces")
    assert_accessible(page)


def test_gp_imports_a_bad_register_file_then_a_good_one(page, live_server, council):
    UserFactory(username="gp", roles=[Role.GP])
    signed_in(page, live_server, "gp")
    page.goto(url(live_server, "kpis:register"))
    with page.expect_navigation():
        page.get_by_role("link", name="Import a register file").click()
    expect(page).to_have_title(re.compile(r"^Import a register file"))
    assert_accessible(page)

    bad = REGISTER_HEADINGS + (
        "300,Library visits,Nowhere,,operational,residents,local_authority,quarterly,count,"
        "higher,lagging,annual,2024-04-01\n"
        "301,Library loans,P&S,,operational,residents,local_authority,quarterly,furlongs,"
        "higher,lagging,annual,2024-04-01\n"
    )
    page.get_by_label("Register file").set_input_files(
        {"name": "register.csv", "mimeType": "text/csv", "buffer": bad.encode()}
    )
    submit(page, "Import file")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The file was not imported")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_attribute("href", "#import-errors")
    problems = page.locator("#import-errors tbody tr")
    expect(problems).to_have_count(2)
    expect(problems.nth(0)).to_contain_text("Nowhere")
    expect(problems.nth(1)).to_contain_text("furlongs")
    assert not Kpi.objects.filter(reference__in=["300", "301"]).exists()
    assert_accessible(page)

    good = REGISTER_HEADINGS + (
        "300,Library visits,Place and Sustainability,Waste,operational,residents,"
        "local_authority,quarterly,count,higher,lagging,annual,2024-04-01\n"
        "301,Library loans,P&S,,operational,residents,local_authority,quarterly,count,"
        "higher,lagging,annual,01/04/2024\n"
    )
    page.get_by_label("Register file").set_input_files(
        {"name": "register.csv", "mimeType": "text/csv", "buffer": good.encode()}
    )
    submit(page, "Import file")
    expect(page.get_by_role("alert")).to_contain_text(
        "Imported register.csv: 2 added, 0 updated, 0 unchanged."
    )
    expect(_summary_value(page, "Added")).to_have_text("2: 300, 301")
    assert set(Kpi.objects.filter(reference__in=["300", "301"]).values_list("name", flat=True)) == {
        "Library visits",
        "Library loans",
    }
    assert_accessible(page)


# --- Signing in --------------------------------------------------------------------------------


def test_the_sign_in_page_shows_its_errors_accessibly(page, live_server):
    UserFactory(username="councillor", roles=[Role.VIEWER])
    page.goto(url(live_server, "login"))
    expect(page).to_have_title(re.compile(r"^Sign in"))
    assert_accessible(page)

    submit(page, "Sign in")
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    hrefs = assert_error_summary_focused_and_linked(page)
    assert hrefs == ["#id_username", "#id_password"]
    assert_accessible(page)

    page.get_by_label("Username").fill("councillor")
    page.get_by_label("Password").fill("not-the-password")
    submit(page, "Sign in")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter a correct username and password")
    expect(page.get_by_label("Password")).to_have_value("")
    assert_accessible(page)

    signed_in(page, live_server, "councillor")
    expect(page.get_by_role("button", name=re.compile("^Sign out"))).to_be_visible()


# --- Keyboard only -----------------------------------------------------------------------------


def _focused(page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {
                tag: el.tagName.toLowerCase(),
                id: el.id,
                type: el.getAttribute("type"),
                text: (el.innerText || "").trim(),
                className: el.className,
                href: el.getAttribute("href"),
            };
        }"""
    )


def _check_skip_link(page, url: str) -> None:
    page.goto(url)
    page.keyboard.press("Tab")
    first = _focused(page)
    assert first["text"] == "Skip to main content", (url, first)
    assert "govuk-skip-link" in first["className"]
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    assert page.url.endswith("#main-content")
    page.keyboard.press("Tab")
    # The next Tab stop is in main or after it, not back in the header.
    assert page.evaluate(
        """() => {
            const main = document.querySelector("main");
            const el = document.activeElement;
            return main.contains(el)
                || Boolean(main.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);
        }"""
    ), (url, _focused(page))


def test_the_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page, live_server, council):
    UserFactory(username="councillor", roles=[Role.VIEWER])
    _check_skip_link(page, url(live_server, "login"))
    signed_in(page, live_server, "councillor")
    for name, args in (("kpis:register", ()), ("kpis:detail", ("169",)), ("accessibility", ())):
        _check_skip_link(page, url(live_server, name, *args))


def test_the_kpi_form_works_from_the_keyboard_alone(page, live_server, council):
    UserFactory(username="gp", roles=[Role.GP])
    signed_in(page, live_server, "gp")
    page.goto(url(live_server, "kpis:create"))

    reached: list[str] = []
    for _ in range(200):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if focused["id"] and focused["id"] not in reached:
            reached.append(focused["id"])
        if focused["tag"] == "button" and focused["text"] == "Save KPI":
            break
    else:
        pytest.fail(f"Tab never reached the Save KPI button; it reached {reached}")
    form_fields = [
        element_id
        for element_id in page.locator("form[method=post] [id^=id_]").evaluate_all(
            "els => els.map(el => el.id)"
        )
        if not element_id.endswith(("_helptext", "_error", "-info"))  # -info: a character count
    ]
    missed = [element_id for element_id in form_fields if element_id not in reached]
    assert not missed, f"Tab skipped these fields: {missed}"
    assert reached.index("id_reference") < reached.index("id_name") < reached.index("id_date_added")

    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile(r"^Error: Add a KPI"))
    expect(page.locator(".govuk-error-summary")).to_be_focused()

    page.keyboard.press("Tab")
    first_link = _focused(page)
    assert first_link["tag"] == "a" and first_link["href"] == "#id_reference", first_link
    page.keyboard.press("Enter")
    expect(page.get_by_label("Reference number", exact=True)).to_be_focused()
    # GOV.UK Frontend scrolls the field's label into view with it.
    expect(page.locator("label[for=id_reference]")).to_be_in_viewport()
    assert_accessible(page)


# --- The checker itself ------------------------------------------------------------------------


def test_axe_runs_under_the_apps_content_security_policy(page, live_server):
    """A canary: axe must see a planted violation, or a clean result proves nothing."""
    response = page.goto(url(live_server, "accessibility"))
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend', "
        "'<img src=\"/static/nothing.png\">')"
    )
    assert "image-alt" in [violation["id"] for violation in axe_violations(page)]
