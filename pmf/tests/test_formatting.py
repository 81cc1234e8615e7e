from decimal import Decimal

import pytest
from django.template import Context, Template

from pmf.formatting import (
    PLAIN,
    UnitStyle,
    format_percent,
    format_value,
    input_text,
    number_text,
)

MONEY = UnitStyle(prefix="£", money=True)
PERCENT = UnitStyle(suffix="%")
DAYS = UnitStyle(suffix=" days", singular_suffix=" day")
RATE = UnitStyle(suffix=" per 10,000")


@pytest.mark.parametrize(
    ("value", "style", "text"),
    [
        (Decimal("1250.50"), MONEY, "£1,250.50"),
        (Decimal("1250.5"), MONEY, "£1,250.50"),  # pence in full, never £1,250.5
        (Decimal("1250.0000"), MONEY, "£1,250"),  # no .00 on whole pounds
        (Decimal("-12.5"), MONEY, "-£12.50"),  # the minus before the pound sign
        (Decimal("8000000"), MONEY, "£8,000,000"),
        (684123.456, MONEY, "£684,123"),  # a calculated amount: whole pounds
        (Decimal("72.5000"), PERCENT, "72.5%"),
        (Decimal("80.0000"), PERCENT, "80%"),  # never 8E+1
        (102.41, PERCENT, "102.4%"),
        (9.876, PERCENT, "9.88%"),
        (Decimal("4.2"), RATE, "4.2 per 10,000"),  # the qualifier stays
        (Decimal("1"), DAYS, "1 day"),
        (Decimal("12"), DAYS, "12 days"),
        (Decimal("1234567.25"), PLAIN, "1,234,567.25"),
        (Decimal("-0.0"), PLAIN, "0"),
        (Decimal("72.456"), UnitStyle(suffix="%", decimals=1), "72.5%"),
        (None, MONEY, ""),
        (float("nan"), PLAIN, ""),
    ],
)
def test_a_figure_is_written_the_govuk_way(value, style, text):
    assert format_value(value, style) == text


def test_plain_numbers_and_shares():
    assert number_text(Decimal("95.0000")) == "95"
    assert number_text(Decimal("12.3"), decimals=2) == "12.30"
    assert format_percent(1, 3) == "33%"
    assert format_percent(0, 0) == "0%"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("80.0000"), "80"),
        (Decimal("80.0000").normalize(), "80"),  # 8E+1
        (Decimal("72.5000"), "72.5"),
        (Decimal("1E+6"), "1000000"),  # no thousands separator in an input
        (Decimal("0.0001"), "0.0001"),
        (Decimal("-12.50"), "-12.5"),
        (Decimal("-0.000"), "0"),
        (72.25, "72.25"),  # a stored float as stored, not rounded like an estimate
        (None, ""),
        (float("inf"), ""),
    ],
)
def test_a_number_for_an_input_is_what_people_type(value, text):
    assert input_text(value) == text


class Measured:
    unit_style = MONEY


def test_the_template_filters_write_the_same():
    template = Template("{% load figures %}{{ value|figure:kpi }} / {{ value|number }}")
    rendered = template.render(Context({"value": Decimal("1250.5"), "kpi": Measured()}))
    assert rendered == "£1,250.50 / 1,250.5"
