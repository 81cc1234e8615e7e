from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kpis.register.io import register_export_csv, register_export_xlsx
from kpis.register.models import Kpi

WRITERS = {".csv": register_export_csv, ".xlsx": register_export_xlsx}


class Command(BaseCommand):
    help = "Write the whole register, retired KPIs included, to a .csv or .xlsx file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options) -> None:
        writer = WRITERS.get(path.suffix.lower())
        if writer is None:
            raise CommandError(f"{path} must end in .csv or .xlsx.")
        kpis = Kpi.objects.all()
        try:
            path.write_bytes(writer(kpis))
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}") from error
        self.stdout.write(self.style.SUCCESS(f"Exported {kpis.count()} KPIs to {path}."))
