import datetime

from django.core.management.base import BaseCommand, CommandError

from kpis.demo import COUNCIL_NAME, demo_loaded, load_demo


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--today must be a date like 2026-11-23, not “{text}”.") from None


class Command(BaseCommand):
    help = (
        f"Load the fictional demo council ({COUNCIL_NAME}): directorates, services, ambitions, "
        "committees, demo users, the KPI register, and three years of reporting history with "
        "the latest month and quarter open for entry. Safe to run again: the same day it changes "
        "nothing; on a later day it adds and locks the periods that have ended since."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--today",
            type=_date,
            default=None,
            help="Build the reporting calendar as if today were this date (YYYY-MM-DD); "
            "the default is the council's local date.",
        )

    def handle(self, *args, **options) -> None:
        summary = load_demo(today=options["today"])
        for line in summary.lines():
            self.stdout.write(line)
        # Higher apps (committees, …) add their part of the story; the register knows none of them.
        for _receiver, extra in demo_loaded.send(sender=self.__class__, today=options["today"]):
            for line in extra.lines():
                self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Loaded the {COUNCIL_NAME} demo."))
