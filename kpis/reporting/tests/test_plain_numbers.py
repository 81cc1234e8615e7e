"""Stored numbers are shown the way people write them: through pmf.formatting, never as 8E+1.

A DecimalField comes back from the database with its full scale (80.0000) and `normalize()` turns
that into exponent notation (8E+1). Pages write figures with the unit (80%); form inputs start
with the plain number a person would type (80, 72.5).
"""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from kpis.register.models import Kpi
from kpis.register.tests.factories import KpiFactory
from kpis.reporting.forms import RagPolicyForm, TargetForm
from kpis.reporting.io import targets_import
from kpis.reporting.models import RagPolicy, Target
from kpis.reporting.tests.factories import make_measurement, make_period, make_target

EXPONENT = re.compile(r"\d[eE][+-]?\d")


def _input_value(html: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    assert found, f"no input named {name}"
    value = re.search(r'value="([^"]*)"', found.group(0))
    return value.group(1) if value else ""


@pytest.fixture
def kpi(directorate, owner):
    return KpiFactory(reference="146", directorate=directorate, lead_officer=owner)


def test_the_target_form_starts_with_the_numbers_people_typed(client, gp, kpi):
    quarter = make_period("quarter", 2025, 1)
    make_target(kpi, "80", intervention="65")
    make_target(kpi, "72.5", period=quarter)
    client.force_login(gp)
    html = client.get(reverse("reporting:target_edit", args=["146", 2025])).content.decode()
    assert _input_value(html, "value") == "80"
    assert _input_value(html, "intervention_level") == "65"
    assert _input_value(html, f"period_{quarter.pk}") == "72.5"
    assert not EXPONENT.search(html)


def test_a_normalised_target_is_never_shown_in_exponent_notation(kpi):
    target = Target(kpi=kpi, financial_year=2025, value=Decimal("80.0000").normalize())
    target.intervention_level = Decimal("1000").normalize()
    assert str(target.value) == "8E+1"  # what str() would have shown
    form = TargetForm(kpi=kpi, periods=[], targets=[target])
    assert form["value"].value() == "80"
    assert form["intervention_level"].value() == "1000"
    assert str(target) == "146 target 2025: 80%"


def test_a_target_names_itself_in_the_kpis_unit(kpi):
    money = KpiFactory(reference="162", unit=Kpi.Unit.MONEY)
    assert str(make_target(kpi, "80")) == "146 target 2025: 80%"
    assert str(make_target(money, "2400000")) == "162 target 2025: £2,400,000"


def test_the_rag_policy_shows_its_numbers_plainly(client, gp, viewer):
    council = RagPolicy.current()
    council.amber_tolerance, council.blue_margin = Decimal("10.000"), Decimal("10.000")
    council.save()
    form = RagPolicyForm.for_policy(RagPolicy.current())
    assert form["amber_tolerance"].value() == "10"
    assert form["blue_margin"].value() == "10"  # Decimal("10.000").normalize() is 1E+1
    client.force_login(gp)
    html = client.get(reverse("reporting:rag_policy")).content.decode()
    assert _input_value(html, "blue_margin") == "10"
    client.force_login(viewer)
    html = client.get(reverse("reporting:rag_policy")).content.decode()
    assert '<dd class="govuk-summary-list__value">10</dd>' in html
    assert not EXPONENT.search(html)


def test_the_kpi_form_starts_with_plain_numbers(client, gp, kpi):
    kpi.long_term_target = Decimal("95.0000")
    kpi.rag_amber_tolerance = Decimal("2.500")
    kpi.save()
    client.force_login(gp)
    html = client.get(reverse("kpis:edit", args=["146"])).content.decode()
    assert _input_value(html, "long_term_target") == "95"
    assert _input_value(html, "rag_amber_tolerance") == "2.5"


def test_the_entry_form_starts_with_the_value_as_typed(client, owner, kpi):
    period = make_period("quarter", 2025, 2)
    make_measurement(kpi, period, "80.0000")
    client.force_login(owner)
    html = client.get(reverse("entry:edit", args=[period.pk, "146"])).content.decode()
    assert _input_value(html, f"e{period.pk}-{kpi.pk}-value") == "80"


def test_the_targets_preview_writes_each_target_as_a_figure(gp, kpi):
    data = b"reference,financial_year,value\n146,2025/26,8E+1\n"
    result = targets_import(data=data, filename="t.csv", by=gp, apply=False)
    assert result.ok
    assert result.rows[0].value == "80%"
