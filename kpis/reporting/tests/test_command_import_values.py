import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kpis.reporting.models import Measurement
from kpis.reporting.tests.test_values_io import csv_file, cycle, good_rows  # noqa: F401 (cycle is a fixture)

pytestmark = pytest.mark.usefixtures("cycle")

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "values-example.csv"


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_values", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def good_file(tmp_path) -> Path:
    path = tmp_path / "values.csv"
    path.write_bytes(csv_file(good_rows()))
    return path


def test_it_imports_a_file_and_prints_the_counts(good_file):
    out, _ = run(str(good_file))

    assert "Imported values.csv: 3 new, 0 changed, 0 unchanged." in out
    assert Measurement.objects.count() == 3
    assert Measurement.history.first().history_change_reason == "Imported from values.csv"
    assert Measurement.history.first().history_user.username == "system"  # the system actor


def test_a_dry_run_saves_nothing(good_file):
    out, _ = run(str(good_file), "--dry-run")

    assert out.strip() == "Dry run, nothing saved: 3 new, 0 changed, 0 unchanged."
    assert not Measurement.objects.exists()


def test_it_prints_every_error_one_a_line_and_fails(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        csv_file(good_rows() + [["999", "2025/26 Q3", "1", ""], ["170", "x", "1", ""]])
    )

    with pytest.raises(CommandError, match="2 errors: nothing was imported"):
        out, err = run(str(path))

    assert not Measurement.objects.exists()


def test_errors_go_to_stderr_with_row_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_file([["999", "2025/26 Q3", "1", ""]]))
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_values", str(path), stdout=io.StringIO(), stderr=err)

    assert (
        err.getvalue().strip() == "Row 2, column reference: There is no KPI with reference “999”."
    )


def test_a_historic_load_as_a_named_user(gp, tmp_path):
    path = tmp_path / "history.csv"
    path.write_bytes(csv_file([["169", "2025/26 Q2", "70", ""]]))

    authority = "2024/25 outturn from the finance system, agreed by G&P"
    out, _ = run(str(path), "--historic", "--authority", authority, "--user", "gp")

    assert "1 new" in out
    stored = Measurement.objects.get()
    assert stored.is_historic_load and stored.approved_by == gp
    assert (stored.historic_authority, stored.loaded_by) == (authority, gp)
    assert stored.loaded_at == stored.approved_at
    record = stored.history.get()
    assert (record.history_user, record.history_change_reason) == (
        gp,
        "Historic load from history.csv",
    )


def test_a_historic_load_without_an_authority_is_refused(gp, tmp_path):
    path = tmp_path / "history.csv"
    path.write_bytes(csv_file([["169", "2025/26 Q2", "70", ""]]))
    err = io.StringIO()

    with pytest.raises(CommandError, match="1 error: nothing was imported"):
        call_command(
            "import_values",
            str(path),
            "--historic",
            "--user",
            "gp",
            stdout=io.StringIO(),
            stderr=err,
        )

    assert "Say on what authority these historic values are loaded" in err.getvalue()
    assert not Measurement.objects.exists()


def test_a_named_officer_has_only_their_own_permissions(colleague, good_file):
    with pytest.raises(CommandError, match="3 errors"):
        run(str(good_file), "--user", "colleague")

    assert not Measurement.objects.exists()


def test_an_unknown_user_or_missing_file_fails_clearly(good_file, tmp_path):
    with pytest.raises(CommandError, match="no active user called nobody"):
        run(str(good_file), "--user", "nobody")
    with pytest.raises(CommandError, match="Cannot read"):
        run(str(tmp_path / "missing.csv"))


def test_the_documented_example_imports(owner):
    out, _ = run(str(EXAMPLE), "--dry-run")

    assert "Dry run, nothing saved: 4 new, 0 changed, 0 unchanged." in out
