"""Publish the packs scheduled for today: `manage.py publish_scheduled_packs [--today YYYY-MM-DD]`
(run it from cron early each day; running it again publishes nothing twice)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from reports.models import ScheduledPublication
from reports.scheduling import publish_due_packs


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--today must be a date like 2026-12-10, not “{text}”.") from error


class Command(BaseCommand):
    help = (
        "Publish every committee pack scheduled for its papers date by today, if it passes the "
        "readiness check (or was scheduled with a reason), and tell the clerks by e-mail."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--today", type=_date, default=None, help="Act as if today were this date (YYYY-MM-DD)."
        )

    def handle(self, *args, today: datetime.date | None = None, **options) -> None:
        done = publish_due_packs(today=today)
        for schedule in done:
            self.stdout.write(
                f"{schedule.meeting}: {schedule.get_status_display()}. {schedule.outcome}"
            )
        published = sum(1 for s in done if s.status == ScheduledPublication.Status.PUBLISHED)
        self.stdout.write(f"Published {published} of {len(done)} scheduled pack(s) due.")
