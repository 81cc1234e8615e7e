"""Periods and dates written relative to the day the demo is loaded (see demo/README.md).

Anchors, from the load date `today`:

- `Q0` and `M0`: the quarter and the month that ended most recently (the demo leaves them open
  for entry); `Q-1`, `M-2` … count back from them.
- `Y0`: the financial year that Q0 belongs to; `Y-1`, `Y+1` … count from it.

Periods: `Y-1` (a financial year), `Y-1 Q3` (its third quarter), `Y-1 Oct` (its October; `Y-1 Jan`
is the January after, as in the product's labels `2025/26 Jan`), `Q-2`, `M-1`.

Dates: `<period> start` or `<period> end` (its first or last day), or `today`; then any number of
`+ 14d`, `- 3d`, `+ 8w` (days or weeks); then optionally a weekday (`thu`) meaning the first such
day on or after. For example `Q-1 end + 8w thu`, `Y-5 Mar end - 7d`.

Year numbers (a long-term target's year): `Y+2` is the calendar year that financial year starts
in.

In text, `{expr}` becomes a period's label (`{Y-1 Q2}` → "2025/26 Q2") or a date in words
(`{Y-5 Mar end - 7d}` → "24 March 2022"); `{expr:%B %Y}` formats a date ("March 2022").

Values and targets are written against `Y`: a year-to-date figure and its profiled target belong
to a quarter's place in its financial year, so the demo's years move a whole year at a time and
never slide against them. Meetings and other recent events count from Q0 and M0.
"""

import datetime
import re
from dataclasses import dataclass
from functools import cached_property

from kpis.reporting.periods import PeriodSpec, financial_year_of, period_spec

MONTHS = ("Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PER_YEAR = {"month": 12, "quarter": 4, "year": 1}
_OFFSET = r"[+-]\s*\d+"
_PERIOD = re.compile(
    rf"^(?:Y(?P<year>0|{_OFFSET})(?:\s+(?:Q(?P<quarter>[1-4])|(?P<month>[A-Za-z]{{3}})))?"
    rf"|(?P<anchor>[QM])(?P<back>0|-\s*\d+))$"
)
_DATE = re.compile(
    r"^(?:(?P<today>today)|(?P<period>.+?)\s+(?P<edge>start|end))"
    r"(?P<shifts>(?:\s*[+-]\s*\d+\s*[dw])*)"
    r"(?:\s+(?P<weekday>mon|tue|wed|thu|fri|sat|sun))?$"
)
_SHIFT = re.compile(r"([+-])\s*(\d+)\s*([dw])")
_TOKEN = re.compile(r"\{([^{}:]+)(?::([^{}]+))?\}")


def _key(spec: PeriodSpec) -> tuple[str, int, int]:
    return (spec.kind, spec.financial_year, spec.number)


def shift(spec: PeriodSpec, steps: int) -> PeriodSpec:
    """The period `steps` periods of the same kind after `spec` (before, if negative)."""
    per_year = PER_YEAR[spec.kind]
    index = spec.financial_year * per_year + spec.number - 1 + steps
    return period_spec(spec.kind, index // per_year, index % per_year + 1)


def latest_ended(kind: str, today: datetime.date) -> PeriodSpec:
    """The month or quarter that ended most recently before `today`."""
    year = financial_year_of(today)
    candidates = [
        period_spec(kind, y, n) for y in (year - 1, year) for n in range(1, PER_YEAR[kind] + 1)
    ]
    return max((p for p in candidates if p.ends_on < today), key=lambda p: p.ends_on)


def long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class DemoCalendar:
    """Resolves the demo's relative periods and dates against the day it is loaded."""

    today: datetime.date

    @cached_property
    def q0(self) -> PeriodSpec:
        return latest_ended("quarter", self.today)

    @cached_property
    def m0(self) -> PeriodSpec:
        return latest_ended("month", self.today)

    @property
    def y0(self) -> int:
        return self.q0.financial_year

    def period(self, text: str) -> PeriodSpec:
        """`Y-1 Q3`, `Y0 Oct`, `Y-2`, `Q-1`, `M0` → the period it names."""
        match = _PERIOD.match(text.strip())
        if not match:
            raise ValueError(f"“{text}” is not a demo period like Y-1 Q3, Y0 Oct, Y-2 or Q-1.")
        if match["anchor"]:
            steps = int(match["back"].replace(" ", ""))
            return shift(self.q0 if match["anchor"] == "Q" else self.m0, steps)
        year = self.y0 + int(match["year"].replace(" ", ""))
        if match["quarter"]:
            return period_spec("quarter", year, int(match["quarter"]))
        if match["month"]:
            month = match["month"].capitalize()
            if month not in MONTHS:
                raise ValueError(f"“{text}”: {match['month']} is not a month like Apr or Oct.")
            return period_spec("month", year, MONTHS.index(month) + 1)
        return period_spec("year", year, 1)

    def label(self, text: str) -> str:
        """The product's label of a relative period: `Y-1 Q3` → `2025/26 Q3`."""
        spec = self.period(text)
        year = f"{spec.financial_year}/{(spec.financial_year + 1) % 100:02d}"
        if spec.kind == "quarter":
            return f"{year} Q{spec.number}"
        if spec.kind == "month":
            return f"{year} {MONTHS[spec.number - 1]}"
        return year

    def date(self, text: str) -> datetime.date:
        """`Q-1 end + 8w thu`, `Y-5 start - 7d`, `today - 2d` → the date it names."""
        match = _DATE.match(text.strip())
        if not match:
            raise ValueError(f"“{text}” is not a demo date like Q-1 end + 14d or Y-5 start.")
        if match["today"]:
            day = self.today
        else:
            spec = self.period(match["period"])
            day = spec.starts_on if match["edge"] == "start" else spec.ends_on
        for sign, number, unit in _SHIFT.findall(match["shifts"]):
            days = int(number) * (7 if unit == "w" else 1)
            day += datetime.timedelta(days=days if sign == "+" else -days)
        if match["weekday"]:
            wanted = WEEKDAYS.index(match["weekday"])
            day += datetime.timedelta(days=(wanted - day.weekday()) % 7)
        return day

    def year(self, text: str) -> int:
        """`Y+2` → the calendar year that financial year starts in."""
        spec = self.period(text)
        if spec.kind != "year":
            raise ValueError(f"“{text}” is not a demo year like Y+2.")
        return spec.financial_year

    def text(self, text: str) -> str:
        """Text with every `{expr}` replaced by a period's label or a date in words."""
        return _TOKEN.sub(self._token, text)

    def _token(self, match: re.Match) -> str:
        expr, style = match[1].strip(), match[2]
        if _PERIOD.match(expr) and style is None:
            return self.label(expr)
        day = self.date(expr)
        return day.strftime(style) if style else long_date(day)

    def is_open_period(self, spec: PeriodSpec) -> bool:
        return _key(spec) in {_key(self.q0), _key(self.m0)}
