import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kpis.management.commands.import_register import Command as ImportCommand
from kpis.register.models import Kpi
from kpis.register.tests.test_register_io import EXAMPLE, council, csv_file, row  # noqa: F401 (council is a fixture)


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.usefixtures("council")
def test_it_imports_a_file_and_prints_the_counts():
    out, _ = run("import_register", str(EXAMPLE))

    assert "Imported register-example.csv: 8 created, 0 updated, 0 unchanged." in out
    assert Kpi.objects.count() == 8
    assert Kpi.history.first().history_change_reason == "Imported from register-example.csv"


@pytest.mark.usefixtures("council")
def test_a_dry_run_saves_nothing():
    out, _ = run("import_register", str(EXAMPLE), "--dry-run")

    assert out.strip() == "Dry run, nothing saved: 8 created, 0 updated, 0 unchanged."
    assert not Kpi.objects.exists()


@pytest.mark.usefixtures("council")
def test_it_prints_every_error_and_fails(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_file([row(unit="furlongs"), row(reference="501", directorate="")]))

    with pytest.raises(CommandError, match="2 errors: nothing was imported"):
        run("import_register", str(path))

    assert not Kpi.objects.exists()


@pytest.mark.usefixtures("council")
def test_errors_go_to_stderr_one_a_line_and_the_exit_status_is_not_zero(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_file([row(unit="furlongs"), row(reference="501", directorate="")]))

    with pytest.raises(SystemExit) as exit_info:
        ImportCommand().run_from_argv(["manage.py", "import_register", str(path)])

    assert exit_info.value.code != 0
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("Row 2, column unit: “furlongs” is not a unit.")
    assert lines[1] == "Row 3, column directorate: Directorate is required."
    assert "2 errors: nothing was imported" in lines[2]


def test_a_missing_file_is_an_error(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run("import_register", str(tmp_path / "nowhere.csv"))


def test_an_unreadable_file_is_an_error_on_row_1(db, tmp_path):
    path = tmp_path / "register.xlsx"
    path.write_bytes(b"not a workbook")

    with pytest.raises(CommandError, match="1 errors"):
        run("import_register", str(path))


@pytest.mark.usefixtures("council")
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_export_imports_back_unchanged(tmp_path, suffix):
    run("import_register", str(EXAMPLE))
    path = tmp_path / f"register{suffix}"

    out, _ = run("export_register", str(path))

    assert f"Exported 8 KPIs to {path}." in out
    out, _ = run("import_register", str(path))
    assert "0 created, 0 updated, 8 unchanged." in out


def test_export_refuses_an_unknown_extension(db, tmp_path):
    with pytest.raises(CommandError, match=r"must end in \.csv or \.xlsx"):
        run("export_register", str(tmp_path / "register.ods"))
