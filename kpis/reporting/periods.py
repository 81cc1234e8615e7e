"""The UK financial year (April to March) and its reporting periods, as plain date arithmetic."""

import datetime
import re
from dataclasses import dataclass

from pmf.spreadsheets import quoted

MONTHS_PER_QUARTER = 3
_LABEL = re.compile(
    r"^\s*(?P<start>\d{4})\s*/\s*(?P<end>\d{2})(?:\s+(?:Q(?P<quarter>[1-4])|(?P<month>[A-Za-z]{3})))?\s*$",
    re.IGNORECASE,
)
_MONTH_NUMBERS = {
    name: number
    for number, name in enumerate(
        ["apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", "jan", "feb", "mar"], 1
    )
}


@dataclass(frozen=True)
class PeriodSpec:
    kind: str  # "month", "quarter" or "year"
    financial_year: int
    number: int
    starts_on: datetime.date
    ends_on: datetime.date


def year_label(financial_year: int) -> str:
    """2025 → "2025/26", as the financial year is written in labels and files."""
    return f"{financial_year}/{(financial_year + 1) % 100:02d}"


def financial_year_of(day: datetime.date) -> int:
    """2025 for any day from 1 April 2025 to 31 March 2026."""
    return day.year if day.month >= 4 else day.year - 1


def _month_start(financial_year: int, month_number: int) -> datetime.date:
    calendar_month = (month_number + 2) % 12 + 1
    year = financial_year if calendar_month >= 4 else financial_year + 1
    return datetime.date(year, calendar_month, 1)


def _month_end(start: datetime.date) -> datetime.date:
    following = datetime.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


def period_spec(kind: str, financial_year: int, number: int) -> PeriodSpec:
    """Dates of a month (1 = April), quarter (1 = April to June) or the year (number 1)."""
    if kind == "month":
        if not 1 <= number <= 12:
            raise ValueError("A month's number is 1 (April) to 12 (March).")
        start = _month_start(financial_year, number)
        return PeriodSpec(kind, financial_year, number, start, _month_end(start))
    if kind == "quarter":
        if not 1 <= number <= 4:
            raise ValueError("A quarter's number is 1 to 4.")
        first = (number - 1) * MONTHS_PER_QUARTER + 1
        start = _month_start(financial_year, first)
        end = _month_end(_month_start(financial_year, first + 2))
        return PeriodSpec(kind, financial_year, number, start, end)
    if kind == "year":
        return PeriodSpec(
            kind,
            financial_year,
            1,
            datetime.date(financial_year, 4, 1),
            datetime.date(financial_year + 1, 3, 31),
        )
    raise ValueError(f"Unknown period kind {kind!r}.")


def periods_of_year(financial_year: int) -> list[PeriodSpec]:
    """Every month, quarter and the year itself of one financial year."""
    return (
        [period_spec("month", financial_year, n) for n in range(1, 13)]
        + [period_spec("quarter", financial_year, n) for n in range(1, 5)]
        + [period_spec("year", financial_year, 1)]
    )


def parse_label(label: str) -> tuple[str, int, int]:
    """`2025/26 Q3` → ("quarter", 2025, 3); `2025/26 Oct` → ("month", 2025, 7); `2025/26` → year."""
    match = _LABEL.match(label)
    if not match:
        raise ValueError(
            f"{quoted(label)} is not a period like 2025/26 Q3, 2025/26 Oct or 2025/26."
        )
    start = int(match["start"])
    if (start + 1) % 100 != int(match["end"]):
        raise ValueError(
            f"{quoted(label)}: a financial year runs from one year to the next, like 2025/26."
        )
    if match["quarter"]:
        return "quarter", start, int(match["quarter"])
    if match["month"]:
        month = match["month"].lower()
        if month not in _MONTH_NUMBERS:
            raise ValueError(f"{quoted(label)}: {match['month']} is not a month like Apr or Oct.")
        return "month", start, _MONTH_NUMBERS[month]
    return "year", start, 1


def previous_key(kind: str, financial_year: int, number: int) -> tuple[str, int, int]:
    """(kind, financial year, number) of the period before, of the same kind."""
    if kind == "year":
        return kind, financial_year - 1, 1
    if number == 1:
        return kind, financial_year - 1, 12 if kind == "month" else 4
    return kind, financial_year, number - 1


FREQUENCY_TO_KIND = {"monthly": "month", "quarterly": "quarter", "annual": "year"}
