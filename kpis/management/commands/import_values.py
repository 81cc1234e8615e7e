from django.core.management.base import CommandParser

from kpis.management.importing import FileImportCommand
from kpis.reporting.io import values_import


class Command(FileImportCommand):
    help = (
        "Import KPI values from a values file (.csv or .xlsx), all or nothing. "
        "The format is in docs/import-formats.md (Values)."
    )
    what = "values"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--historic",
            action="store_true",
            help="Load historic values into closed periods, stored as approved "
            "(needs --authority).",
        )
        parser.add_argument(
            "--authority",
            default="",
            metavar="TEXT",
            help="For a historic load: on what authority the values are loaded, kept with each "
            'value, e.g. "2024/25 outturn from the finance system, agreed by G&P".',
        )

    def run(
        self, *, data, filename, by, apply, historic: bool = False, authority: str = "", **options
    ):
        return values_import(
            data=data,
            filename=filename,
            by=by,
            apply=apply,
            historic=historic,
            authority=authority,
        )
