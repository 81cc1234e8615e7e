"""Render a meeting's pack from live data to a file: `render_pack --meeting ID --format
pdf|html|docx --output PATH` (for automation; it publishes nothing, so the file is marked DRAFT
like any preview)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from committees.models import Meeting
from reports import rendering, selectors, word


class Command(BaseCommand):
    help = "Render a meeting's committee pack (live data) as PDF, HTML or Word to a file."

    def add_arguments(self, parser):
        parser.add_argument("--meeting", type=int, required=True, help="The meeting's id.")
        parser.add_argument("--format", choices=["pdf", "html", "docx"], default="pdf")
        parser.add_argument("--output", required=True, help="The file to write.")

    def handle(self, *args, meeting: int, format: str, output: str, **options):
        try:
            found = selectors.meeting_for_pack(meeting)
        except Meeting.DoesNotExist:
            raise CommandError(f"There is no meeting with id {meeting}.") from None
        try:
            data = selectors.pack_data(found)
        except ValueError as error:
            raise CommandError(str(error)) from None
        if format == "docx":
            content = word.render_docx(data, draft=True)
        else:
            html = rendering.render_html(data)
            content = html.encode() if format == "html" else rendering.html_to_pdf(html).pdf
        path = Path(output)
        path.write_bytes(content)
        self.stdout.write(f"Wrote {len(content):,} bytes to {path} ({format}).")
