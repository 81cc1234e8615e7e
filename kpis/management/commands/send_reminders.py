"""Send the day's reminders: `manage.py send_reminders [--today YYYY-MM-DD]` (run it from cron)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from kpis.reporting.reminders import send_due_reminders


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--today must be a date like 2026-01-15, not “{text}”.") from error


class Command(BaseCommand):
    help = (
        "E-mail KPI owners whose values are due in REMINDER_DAYS_BEFORE days or overdue, and "
        "approvers what awaits their sign-off. Safe to run more than once a day."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--today", type=_date, default=None, help="Act as if today were this date (YYYY-MM-DD)."
        )

    def handle(self, *args, today: datetime.date | None = None, **options) -> None:
        sent = send_due_reminders(today=today)
        self.stdout.write(
            f"Sent {len(sent.reminders)} reminder(s); "
            f"{len(sent.already_sent)} already sent today; "
            f"{len(sent.no_email)} without an e-mail address."
        )
        for person in sent.no_email:
            self.stderr.write(f"No e-mail address for {person.get_username()}: not reminded.")
