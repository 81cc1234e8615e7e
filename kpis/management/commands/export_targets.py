from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kpis.reporting.io import targets_export, targets_export_csv, targets_export_xlsx
from kpis.reporting.periods import parse_label

WRITERS = {".csv": targets_export_csv, ".xlsx": targets_export_xlsx}


class Command(BaseCommand):
    help = (
        "Write targets to a .csv or .xlsx file in the targets import format "
        "(docs/import-formats.md, Targets): import it unchanged and nothing changes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--year",
            metavar="2025/26",
            help="Only this financial year's targets (else every year).",
        )

    def handle(self, *args, path: Path, year: str | None, **options) -> None:
        writer = WRITERS.get(path.suffix.lower())
        if writer is None:
            raise CommandError(f"{path} must end in .csv or .xlsx.")
        financial_year = _year(year) if year else None
        try:
            path.write_bytes(writer(financial_year=financial_year))
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}") from error
        count = len(targets_export(financial_year=financial_year)[1])
        self.stdout.write(self.style.SUCCESS(f"Exported {count} targets to {path}."))


def _year(label: str) -> int:
    try:
        kind, financial_year, _ = parse_label(label)
    except ValueError as error:
        raise CommandError(str(error)) from error
    if kind != "year":
        raise CommandError(f"“{label}” is a period, not a financial year: write it like 2025/26.")
    return financial_year
