"""Write a scorecard to a file.

manage.py export_scorecard --scorecard organisation --period "2025/26 Q2" --format csv --output F
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scorecards import exports, selectors


class Command(BaseCommand):
    help = "Write a balanced scorecard for one period to a CSV or XLSX file."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--scorecard",
            required=True,
            help="organisation, directorate:<short name> or committee:<short name>",
        )
        parser.add_argument("--period", required=True, help='For example "2025/26 Q2".')
        parser.add_argument("--format", required=True, choices=["csv", "xlsx"], dest="file_format")
        parser.add_argument("--output", required=True, help="The file to write.")

    def handle(self, *args, scorecard: str, period: str, file_format: str, output: str, **options):
        try:
            kind, directorate, committee = selectors.resolve_spec(scorecard)
            reporting_period = selectors.period_by_label(period)
        except ValueError as error:
            raise CommandError(str(error)) from error
        card = selectors.scorecard(
            kind=kind, period=reporting_period, directorate=directorate, committee=committee
        )
        content, _, _ = exports.export(card, file_format)
        path = Path(output)
        try:
            path.write_bytes(content)
        except OSError as error:
            raise CommandError(f"Could not write {path}: {error.strerror}") from error
        self.stdout.write(
            f"Wrote {card.title} for {card.period.label} ({len(card.rows)} KPIs) to {path}."
        )
