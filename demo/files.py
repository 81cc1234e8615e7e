"""The demo's data files (demo/data), read and resolved against the day the demo is loaded.

`council.toml` is read with the standard library's `tomllib`; the CSV files are the product's own
register, targets and values formats with relative periods and dates (demo/relative.py), which
`resolved_*` turn into real ones before the rows are fed to the importers.
"""

import csv
import datetime
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from demo.relative import DemoCalendar
from kpis.register.io import HEADERS as REGISTER_HEADERS
from kpis.reporting.io import COLUMNS as VALUE_HEADERS
from kpis.reporting.io import TARGET_COLUMNS as TARGET_HEADERS
from pmf.spreadsheets import write_csv

DATA = Path(__file__).resolve().parent / "data"
Row = dict[str, str]


@dataclass(frozen=True)
class DemoFiles:
    council: dict[str, Any]
    register: list[Row]
    targets: list[Row]
    values: list[Row]


def read_files(folder: Path = DATA) -> DemoFiles:
    with (folder / "council.toml").open("rb") as file:
        council = tomllib.load(file)
    return DemoFiles(
        council=council,
        register=_read_csv(folder / "register.csv"),
        targets=_read_csv(folder / "targets.csv"),
        values=_read_csv(folder / "values.csv"),
    )


def _read_csv(path: Path) -> list[Row]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def raise_unless_ok(result: Any, what: str) -> None:
    """The demo's files must import cleanly: a row the product refuses is a bug in the files."""
    if not result.ok:
        problems = "\n".join(str(error) for error in result.errors[:20])
        raise RuntimeError(f"The demo's {what} does not import:\n{problems}")


def as_csv(rows: list[Row], headers: tuple[str, ...] | list[str]) -> bytes:
    """Rows as a CSV file for an importer, in its column order."""
    return write_csv(list(headers), [[row.get(header, "") for header in headers] for row in rows])


REGISTER_DATES = ("date_added", "date_removed")


def resolved_register_row(row: Row, calendar: DemoCalendar) -> Row:
    """A register.csv row as the register import reads it: real dates, years and text."""
    resolved = {header: calendar.text(row[header]) for header in REGISTER_HEADERS}
    for header in REGISTER_DATES:
        if row[header]:
            resolved[header] = calendar.date(row[header]).isoformat()
    if row["long_term_target_year"]:
        resolved["long_term_target_year"] = str(calendar.year(row["long_term_target_year"]))
    return resolved


def adoption_date(row: Row, calendar: DemoCalendar) -> datetime.date:
    return calendar.date(row["date_added"])


def resolved_target_row(row: Row, calendar: DemoCalendar) -> Row:
    resolved = {header: row[header] for header in TARGET_HEADERS}
    resolved["financial_year"] = calendar.label(row["financial_year"])
    resolved["period"] = calendar.label(row["period"]) if row["period"] else ""
    resolved["note"] = calendar.text(row["note"])
    return resolved


VALUE_TEXTS = (
    "not_available_reason",
    "commentary",
    "action_plan",
    "data_quality_note",
    "query_explanation",
)


def resolved_value_row(row: Row, calendar: DemoCalendar) -> Row:
    resolved = {header: row[header] for header in VALUE_HEADERS}
    resolved["period"] = calendar.label(row["period"])
    for header in VALUE_TEXTS:
        resolved[header] = calendar.text(row[header])
    return resolved
