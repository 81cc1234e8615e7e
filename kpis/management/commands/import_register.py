from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kpis.register.io import errors_to_show, register_import
from pmf.roles import system_actor


class Command(BaseCommand):
    help = (
        "Create or update KPIs from a register file (.csv or .xlsx), all or nothing. "
        "The format is in docs/import-formats.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; save nothing."
        )

    def handle(self, *args, path: Path, dry_run: bool, **options) -> None:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from error
        result = register_import(
            data=data, filename=path.name, by=system_actor(), apply=not dry_run
        )
        if not result.ok:
            shown, more = errors_to_show(result.errors)
            for error in shown:
                self.stderr.write(str(error))
            if more:
                self.stderr.write(f"… and {more:,} more.")
            raise CommandError(f"{len(result.errors)} errors: nothing was imported.")
        summary = (
            f"{len(result.created)} created, {len(result.updated)} updated, "
            f"{len(result.unchanged)} unchanged."
        )
        if dry_run:
            self.stdout.write(f"Dry run, nothing saved: {summary}")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {path.name}: {summary}"))
