"""How a figure is written, in one place: pages, exports, packs, charts and e-mails all call this,
so the same figure prints the same everywhere.

It follows the GOV.UK style guide for numbers and money: commas in thousands (1,250), no trailing
zeros (72.5, not 72.50), money as whole pounds or pounds and pence (£75, £75.50, never £75.5),
a minus before the pound sign (-£12.50) and the % sign without a space (72.5%). A unit keeps its
qualifier: 4.2 per 10,000, 12 days.

A unit is described by a `UnitStyle`; the register says which style each of its units has
(`kpis.register.units`), so this module knows nothing of KPIs.
"""

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# A calculated figure (a forecast, a projection) is a float: it is shown to this many decimal
# places, fewer for larger numbers, because its last digits mean nothing.
ESTIMATE_PLACES_SMALL = 2
ESTIMATE_PLACES_LARGE = 1
ESTIMATE_LARGE_FROM = 10

Number = Decimal | float | int


@dataclass(frozen=True)
class UnitStyle:
    """How a unit's figures are written.

    `prefix` and `suffix` go around the number ("£"; "%", " per 10,000"); `singular_suffix` is
    used for exactly 1 (" day"). `money` writes pence as two places or none. `decimals`, when set,
    fixes the decimal places (a council that reports a KPI to one place).
    """

    prefix: str = ""
    suffix: str = ""
    singular_suffix: str | None = None
    money: bool = False
    decimals: int | None = None


PLAIN = UnitStyle()
# A difference between two percentages: 32.5 percentage points, not 32.5%.
PERCENTAGE_POINTS = UnitStyle(suffix=" percentage points", singular_suffix=" percentage point")


def number_text(value: Number | None, *, decimals: int | None = None) -> str:
    """1234.5000 → "1,234.5"; with `decimals`, exactly that many places. Blank for no value.

    A float is a calculated figure and is rounded (see ESTIMATE_PLACES_*) unless `decimals` says.
    """
    number = _decimal(value, decimals)
    if number is None:
        return ""
    if decimals is None:
        number = _without_trailing_zeros(number)
    text = f"{number:,f}"
    return "0" if _is_negative_zero(text) else text


def input_text(value: Number | None) -> str:
    """A number as a person types it into a form or a spreadsheet cell: 80, 72.5, -12.5, 1250000.

    No thousands separators, units or trailing zeros, and never exponent notation (a stored
    80.0000 normalises to 8E+1, which no one types). Blank for no value.
    """
    if isinstance(value, float):  # as stored, not rounded like a calculated figure
        value = Decimal(repr(value)) if math.isfinite(value) else None
    number = _decimal(value, None)
    if number is None:
        return ""
    text = f"{_without_trailing_zeros(number):f}"
    return "0" if _is_negative_zero(text) else text


def format_value(value: Number | None, style: UnitStyle = PLAIN) -> str:
    """A figure as people read it: 72.5%, £1,250.50, -£12.50, 12 days, 4.2 per 10,000.

    A calculated amount of money (a float) is shown in whole pounds: its pence mean nothing.
    """
    decimals = style.decimals
    if style.money and decimals is None and isinstance(value, float):
        decimals = 0
    number = _decimal(value, decimals)
    if number is None:
        return ""
    if style.money and decimals is None:
        text = _money_text(number)
    else:
        text = number_text(number, decimals=decimals)
    sign = ""
    if text.startswith("-"):
        sign, text = "-", text[1:]
    suffix = style.suffix
    if style.singular_suffix is not None and number == 1:
        suffix = style.singular_suffix
    return f"{sign}{style.prefix}{text}{suffix}"


def format_percent(count: int, total: int) -> str:
    """A whole-number share, "25%"; "0%" of nothing."""
    return f"{round(100 * count / total) if total else 0}%"


def _decimal(value: Number | None, decimals: int | None) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        places = decimals if decimals is not None else _estimate_places(value)
        return Decimal(f"{value:.{places}f}")
    number = Decimal(value)
    if not number.is_finite():
        return None
    if decimals is not None:
        try:
            return number.quantize(Decimal(1).scaleb(-decimals))
        except InvalidOperation:  # more digits than the context holds: leave it as it is
            return number
    return number


def _estimate_places(value: float) -> int:
    if abs(value) >= ESTIMATE_LARGE_FROM:
        return ESTIMATE_PLACES_LARGE
    return ESTIMATE_PLACES_SMALL


def _money_text(number: Decimal) -> str:
    pounds = number.quantize(Decimal("0.01"))
    if pounds == pounds.to_integral_value():
        return number_text(pounds, decimals=0)
    return number_text(pounds, decimals=2)


def _without_trailing_zeros(number: Decimal) -> Decimal:
    number = number.normalize()
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return number


def _is_negative_zero(text: str) -> bool:
    return text.startswith("-") and not text.strip("-0.,")
