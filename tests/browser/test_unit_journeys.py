"""The council's units in a real browser, with axe on every page visited: G&P add a unit after
correcting their mistakes, change it, and measure a KPI in it; a councillor reads the units."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from kpis.register.models import Kpi, Unit
from kpis.register.tests.factories import DirectorateFactory, KpiFactory, ServiceFactory
from kpis.reporting.models import Measurement
from kpis.reporting.tests.factories import make_measurement, make_period
from pmf.roles import Role
from pmf.tests.factories import UserFactory
from tests.browser.conftest import (
    assert_accessible,
    assert_error_summary_focused_and_linked,
    follow,
    signed_in,
    submit,
    url,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def kpi():
    """KPI 141, in Number, with an approved value of 7154."""
    place = DirectorateFactory(name="Place and Sustainability", short_name="P&S")
    kpi = KpiFactory(
        reference="141",
        name="Electricity used in council buildings",
        directorate=place,
        service=ServiceFactory(directorate=place, name="Climate Change and Energy"),
        unit=Kpi.Unit.COUNT,
    )
    make_measurement(kpi, make_period(), Decimal(7154), status=Measurement.Status.APPROVED)
    return kpi


def test_gp_add_a_unit_after_correcting_it_then_measure_a_kpi_in_it(page, live_server, kpi):
    UserFactory(username="gp", roles=[Role.GP])
    signed_in(page, live_server, "gp")
    page.goto(url(live_server, "kpis:register"))
    follow(page, "Units")
    expect(page).to_have_title(re.compile(r"^Units"))
    expect(page.locator("#unit-tonnes_co2e")).to_contain_text("1,250.5 tCO2e")
    assert_accessible(page)

    follow(page, "Add a unit")
    expect(page).to_have_title(re.compile(r"^Add a unit"))
    assert_accessible(page)
    page.get_by_label("Code", exact=True).fill("MWh")
    page.get_by_label("Name", exact=True).fill("Megawatt hours")
    page.get_by_label("Other names (optional)", exact=True).fill("GBP")
    submit(page, "Save unit")
    expect(page).to_have_title(re.compile(r"^Error: Add a unit"))
    assert_error_summary_focused_and_linked(page)
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Use small letters, digits and underscores")
    expect(summary).to_contain_text("“GBP” already means Money (£).")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Megawatt hours")
    assert_accessible(page)

    page.get_by_label("Code", exact=True).fill("mwh")
    page.get_by_label("Suffix (optional)", exact=True).fill("MWh")
    page.get_by_label("Decimal places", exact=True).select_option("1")
    page.get_by_label("Lowest value allowed (optional)", exact=True).fill("0")
    page.get_by_label("Other names (optional)", exact=True).fill("megawatt-hours; MW h")
    submit(page, "Save unit")
    expect(page).to_have_title(re.compile(r"^Units"))
    expect(page.get_by_role("alert")).to_contain_text("Unit “Megawatt hours” saved.")
    expect(page.locator("#unit-mwh")).to_contain_text("1,250.5 MWh")
    expect(page.locator("#unit-mwh")).to_contain_text("0 or more")
    assert_accessible(page)

    follow(page, "Edit Megawatt hours")
    expect(page).to_have_title(re.compile(r"^Edit the unit Megawatt hours"))
    expect(page.get_by_label("Code", exact=True)).to_be_disabled()
    page.get_by_label("Decimal places", exact=True).select_option("0")
    submit(page, "Save unit")
    expect(page.locator("#unit-mwh")).to_contain_text("1,250 MWh")  # to 0 places, half to even
    history = page.locator("table.app-history tbody tr")
    expect(history.first).to_contain_text("Megawatt hours: Edited")
    expect(history.first).to_contain_text("Decimal places:")
    assert_accessible(page)
    assert Unit.objects.get(code="mwh").decimals == 0

    # A KPI measured in the new unit writes its figures that way, and may set its own places.
    page.goto(url(live_server, "kpis:edit", kpi.reference))
    page.get_by_label("Unit", exact=True).select_option(label="Megawatt hours")
    page.get_by_label("Decimal places (this KPI)", exact=True).select_option("2")
    submit(page, "Save KPI")
    expect(page).to_have_title(re.compile(r"^KPI 141"))
    expect(page.get_by_role("alert")).to_contain_text("KPI 141 updated.")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Megawatt hours")
    expect(page.get_by_role("cell", name="7,154.00 MWh")).to_be_visible()
    assert_accessible(page)


def test_a_councillor_reads_the_units_but_may_not_change_them(page, live_server):
    UserFactory(username="councillor", roles=[Role.VIEWER])
    signed_in(page, live_server, "councillor")
    page.goto(url(live_server, "kpis:units"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Units")
    expect(page.locator("#unit-money")).to_contain_text("£1,250.50")
    expect(page.get_by_role("link", name="Add a unit")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile(r"^Edit"))).to_have_count(0)
    assert_accessible(page)

    response = page.goto(url(live_server, "kpis:unit_edit", "money"))
    assert response.status == 403
    assert_accessible(page)
