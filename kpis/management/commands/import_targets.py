from kpis.management.importing import FileImportCommand
from kpis.reporting.io import targets_import


class Command(FileImportCommand):
    help = (
        "Import KPI targets from a targets file (.csv or .xlsx), all or nothing. "
        "The format is in docs/import-formats.md (Targets)."
    )
    what = "targets"
    user_help = (
        "Import as this person, who must be in Governance and Performance, and record them in "
        "the history (without it, as the system actor)."
    )

    def run(self, *, data, filename, by, apply, **options):
        return targets_import(data=data, filename=filename, by=by, apply=apply)
