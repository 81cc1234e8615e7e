from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kpis.reporting.io import Outcome, targets_import
from pmf.models import User
from pmf.roles import system_actor


class Command(BaseCommand):
    help = (
        "Import KPI targets from a targets file (.csv or .xlsx), all or nothing. "
        "The format is in docs/import-formats.md (Targets)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; save nothing."
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="Import as this person, who must be in Governance and Performance, and record "
            "them in the history (without it, as the system actor).",
        )

    def handle(self, *args, path: Path, dry_run: bool, user: str | None, **options) -> None:
        by = system_actor()
        if user:
            by = User.objects.filter(username=user, is_active=True).first()
            if by is None:
                raise CommandError(f"There is no active user called {user}.")
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from error
        try:
            result = targets_import(data=data, filename=path.name, by=by, apply=not dry_run)
        except PermissionDenied as error:
            raise CommandError(str(error) or "You cannot import targets.") from error
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            count = len(result.errors)
            raise CommandError(f"{count} error{'s' if count != 1 else ''}: nothing was imported.")
        counts = result.counts
        summary = ", ".join(
            f"{counts[outcome]} {outcome}"
            for outcome in (Outcome.NEW, Outcome.CHANGED, Outcome.UNCHANGED)
        )
        if dry_run:
            self.stdout.write(f"Dry run, nothing saved: {summary}.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {path.name}: {summary}."))
