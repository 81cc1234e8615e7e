import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.files import read_files
from demo.loader import load_demo


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--today must be a date like 2026-11-23, not “{text}”.") from None


class Command(BaseCommand):
    help = (
        "Load the fictional demo council (demo/data): its structure, demo users, KPI register, "
        "three years of reporting history with the latest month and quarter open for entry, and "
        "its committees' meetings, proposals, action trackers and audit. Safe to run again: the "
        "same day it changes nothing; on a later day it adds what has happened since."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today",
            type=_date,
            default=None,
            help="Load the demo as if today were this date (YYYY-MM-DD); the default is the "
            "council's local date.",
        )

    def handle(self, *args, today: datetime.date | None, **options) -> None:
        summary = load_demo(today=today)
        for line in summary.lines():
            self.stdout.write(line)
        name = read_files().council["council"]["name"]
        self.stdout.write(self.style.SUCCESS(f"Loaded the {name} demo."))
