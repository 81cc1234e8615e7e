"""A value is entered by its unit's rules, as the council keeps them in the Units table: its
range, whole numbers, pounds and pence, and the multiplier of a value worked out from a fraction."""

from decimal import Decimal

import pytest

from kpis.register import services
from kpis.register.models import Unit
from kpis.register.tests.factories import KpiFactory
from kpis.reporting.forms import EntryForm
from kpis.reporting.services import Entry, computed_value, entry_errors

pytestmark = pytest.mark.django_db


def _unit(by, **fields) -> Unit:
    return services.unit_save(unit=Unit(**fields), by=by)


def test_a_value_is_entered_by_its_units_rules(gp):
    _unit(gp, code="stars", name="Star rating", whole_numbers=True, lowest=1, highest=5)
    stars = KpiFactory.build(unit="stars")
    tonnes = KpiFactory.build(unit="tonnes_co2e")

    assert entry_errors(stars, Entry(value=Decimal(6))) == {
        "value": "Enter a star rating between 1 and 5"
    }
    assert entry_errors(stars, Entry(value=Decimal("2.5"))) == {"value": "Enter a whole number"}
    assert entry_errors(stars, Entry(value=Decimal(4))) == {}
    assert entry_errors(tonnes, Entry(value=Decimal(-1))) == {
        "value": "A tonnes CO2e value cannot be negative"
    }
    tonnes.allows_values_outside_0_100 = True
    assert entry_errors(tonnes, Entry(value=Decimal(-1))) == {}
    assert EntryForm(kpi=tonnes).fields["value"].label == "Value (tCO2e)"
    assert EntryForm(kpi=stars).fields["value"].label == "Value (a whole number)"


def test_a_value_worked_out_from_a_fraction_uses_the_units_multiplier(gp):
    _unit(gp, code="rate_1m", name="Rate per million", suffix="per million", rate_per=1_000_000)
    kpi = KpiFactory.build(unit="rate_1m")
    entry = Entry(numerator=Decimal(3), denominator=Decimal(200_000))

    assert computed_value(kpi, entry) == Decimal("15.0000")
    assert kpi.value_text(computed_value(kpi, entry)) == "15 per million"
