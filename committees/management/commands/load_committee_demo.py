import datetime

from django.core.management.base import BaseCommand

from committees.demo import load_committee_demo


class Command(BaseCommand):
    help = (
        "Load the demo council's meetings, KPI proposals, action trackers and audit "
        "(after load_demo). Safe to repeat."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--today", type=datetime.date.fromisoformat, help="Pretend it is this day (YYYY-MM-DD)."
        )

    def handle(self, *args, **options) -> None:
        loaded = load_committee_demo(today=options["today"])
        for line in loaded.lines():
            self.stdout.write(line)
