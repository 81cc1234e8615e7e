"""What the import commands share: the file, --dry-run and --user, the actor, and the report."""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kpis.register.io import errors_to_show
from kpis.reporting.io import Outcome
from pmf.models import User
from pmf.roles import system_actor


class FileImportCommand(BaseCommand):
    """Subclasses say what they import (`what`: "values") and `run` the import."""

    what = ""
    user_help = (
        "Import as this person, with their permissions, and record them in the history "
        "(without it, as the system actor, with Governance and Performance's authority)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; save nothing."
        )
        parser.add_argument("--user", metavar="USERNAME", help=self.user_help)

    def run(self, *, data: bytes, filename: str, by: User, apply: bool, **options):
        raise NotImplementedError

    def handle(self, *args, path: Path, dry_run: bool, user: str | None, **options) -> None:
        by = _actor(user)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from error
        try:
            result = self.run(data=data, filename=path.name, by=by, apply=not dry_run, **options)
        except PermissionDenied as error:
            raise CommandError(str(error) or f"You cannot import {self.what}.") from error
        if not result.ok:
            shown, more = errors_to_show(result.errors)
            for error in shown:
                self.stderr.write(str(error))
            if more:
                self.stderr.write(f"… and {more:,} more.")
            count = len(result.errors)
            raise CommandError(f"{count} error{'s' if count != 1 else ''}: nothing was imported.")
        summary = ", ".join(
            f"{result.counts[outcome]} {outcome}"
            for outcome in (Outcome.NEW, Outcome.CHANGED, Outcome.UNCHANGED)
        )
        if dry_run:
            self.stdout.write(f"Dry run, nothing saved: {summary}.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {path.name}: {summary}."))


def _actor(username: str | None) -> User:
    if not username:
        return system_actor()
    found = User.objects.filter(username=username, is_active=True).first()
    if found is None:
        raise CommandError(f"There is no active user called {username}.")
    return found
