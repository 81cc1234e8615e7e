"""The targets import (`kpis.reporting.io.targets_import`) and `manage.py import_targets`."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from kpis.register.models import Kpi
from kpis.register.tests.factories import KpiFactory
from kpis.reporting import periods as fy
from kpis.reporting.io import Outcome, targets_import
from kpis.reporting.models import Measurement, ReportingPeriod, Target
from pmf.spreadsheets import write_csv, write_xlsx

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "targets-example.csv"
HEADERS = ["reference", "financial_year", "period", "value", "intervention_level", "note"]
State = ReportingPeriod.State


def csv_file(rows: list[list], headers: list[str] = HEADERS) -> bytes:
    return write_csv(headers, rows)


@pytest.fixture
def register(db, directorate, owner):
    """A quarterly percentage, a quarterly year-to-date money KPI, a monthly and a contextual
    KPI, and the quarters and months of 2025/26."""
    for spec in fy.periods_of_year(2025):
        ReportingPeriod.objects.create(
            kind=spec.kind,
            financial_year=2025,
            number=spec.number,
            starts_on=spec.starts_on,
            ends_on=spec.ends_on,
            state=State.OPEN if (spec.kind, spec.number) == ("quarter", 2) else State.LOCKED,
        )
    made = {
        "146": {},
        "162": {"unit": Kpi.Unit.MONEY, "value_basis": Kpi.ValueBasis.YEAR_TO_DATE},
        "110": {"frequency": Kpi.Frequency.MONTHLY},
        "121": {"target_kind": Kpi.TargetKind.CONTEXTUAL, "status": Kpi.Status.CONTEXTUAL},
    }
    return {
        reference: KpiFactory(
            reference=reference, directorate=directorate, lead_officer=owner, **fields
        )
        for reference, fields in made.items()
    }


def good_rows() -> list[list]:
    return [
        ["146", "2025/26", "", "95", "88", "Agreed with the highways term contractor"],
        ["162", "2025/26", "", "£2,400,000", "", ""],
        ["162", "2025/26", "2025/26 Q1", "600000", "", "Profiled evenly through the year"],
        ["110", "2025/26", "2025/26 Oct", "80", "", ""],
    ]


def _import(rows, by, *, apply=True, headers=HEADERS):
    return targets_import(data=csv_file(rows, headers), filename="t.csv", by=by, apply=apply)


def test_a_preview_reports_every_row_and_writes_nothing(register, gp):
    result = _import(good_rows(), gp, apply=False)

    assert result.ok and not result.applied
    assert [row.outcome for row in result.rows] == [Outcome.NEW] * 4
    assert [row.period for row in result.rows] == [
        "2025/26",
        "2025/26",
        "2025/26 Q1",
        "2025/26 Oct",
    ]
    assert not Target.objects.exists()


def test_it_sets_every_target_through_the_service_recording_who(register, gp):
    result = _import(good_rows(), gp)

    assert result.ok and result.applied
    annual = Target.objects.get(kpi__reference="146")
    assert (annual.financial_year, annual.period, annual.value) == (2025, None, 95)
    assert annual.intervention_level == 88
    assert annual.note == "Agreed with the highways term contractor"
    assert Target.objects.get(kpi__reference="162", period=None).value == 2_400_000
    profiled = Target.objects.get(kpi__reference="162", period__isnull=False)
    assert (profiled.period.label, profiled.value) == ("2025/26 Q1", 600_000)
    assert Target.objects.get(kpi__reference="110").period.label == "2025/26 Oct"
    for record in Target.history.all():
        assert (record.history_user, record.history_change_reason) == (gp, "Target set")


def test_reimporting_the_same_file_changes_nothing(register, gp):
    _import(good_rows(), gp)
    history = Target.history.count()

    again = _import(good_rows(), gp)

    assert again.ok and again.applied
    assert [row.outcome for row in again.rows] == [Outcome.UNCHANGED] * 4
    assert Target.history.count() == history


def test_a_changed_target_is_updated_and_re_rates_unlocked_values(register, gp):
    _import(good_rows(), gp)
    kpi = register["146"]
    open_quarter = ReportingPeriod.objects.get(kind="quarter", number=2)
    value = Measurement.objects.create(kpi=kpi, period=open_quarter, value=90, rating="amber")

    result = _import([["146", "2025/26", "", "85", "80", "Revised at mid-year"]], gp)

    assert [row.outcome for row in result.rows] == [Outcome.CHANGED]
    target = Target.objects.get(kpi=kpi)
    assert (target.value, target.intervention_level, target.note) == (85, 80, "Revised at mid-year")
    value.refresh_from_db()
    assert value.rating == "green"
    assert target.history.first().history_change_reason == "Target changed"


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (["", "2025/26", "", "95", "", ""], "reference", "Reference is required."),
        (
            ["999", "2025/26", "", "95", "", ""],
            "reference",
            "There is no KPI with reference “999”.",
        ),
        (
            ["121", "2025/26", "", "95", "", ""],
            "reference",
            "KPI 121 is contextual: it has no target.",
        ),
        (["146", "", "", "95", "", ""], "financial_year", "Financial year is required."),
        (["146", "2025", "", "95", "", ""], "financial_year", "is not a period like 2025/26 Q3"),
        (["146", "2025/27", "", "95", "", ""], "financial_year", "runs from one year to the next"),
        (
            ["146", "2025/26 Q1", "", "95", "", ""],
            "financial_year",
            "is a period, not a financial year",
        ),
        (["146", "2025/26", "2025/26", "95", "", ""], "period", "Leave the period blank"),
        (["146", "2025/26", "2024/25 Q1", "95", "", ""], "period", "not in the financial year"),
        (["146", "2025/26", "2025/26 Oct", "95", "", ""], "period", "reported quarterly"),
        (["146", "2025/26", "2025/26 Q9", "95", "", ""], "period", "is not a period like"),
        (
            ["146", "2026/27", "2026/27 Q1", "95", "", ""],
            "period",
            "no reporting period 2026/27 Q1",
        ),
        (["146", "2025/26", "", "", "", ""], "value", "Enter the target, as a number."),
        (["146", "2025/26", "", "lots", "", ""], "value", "“lots” is not a number"),
        (["146", "2025/26", "", "95.123456", "", ""], "value", "more than 4 decimal places"),
        (["146", "2025/26", "", "1e13", "", ""], "value", "is too large"),
        (["146", "2025/26", "", "95", "x", ""], "intervention_level", "“x” is not a number"),
        (["146", "2025/26", "", "95", "", "n" * 301], "note", "Shorten the note to 300"),
    ],
)
def test_every_row_error_names_its_row_and_column(register, gp, row, column, message):
    result = _import([good_rows()[0], row], gp)

    assert not result.ok and not result.applied
    assert [(e.row, e.column) for e in result.errors] == [(3, column)]
    assert message in result.errors[0].message
    assert [r.outcome for r in result.rows] == [Outcome.NEW, Outcome.ERROR]
    assert not Target.objects.exists()


def test_the_same_target_twice_is_an_error_on_the_second_row(register, gp):
    result = _import([good_rows()[0], good_rows()[0]], gp)

    assert [str(error) for error in result.errors] == [
        "Row 3, column period: This target is also on row 2."
    ]


def test_unknown_and_missing_columns_are_reported_before_any_row(register, gp):
    result = _import([["146", "95", "x"]], gp, headers=["reference", "value", "notes"])

    assert [str(error) for error in result.errors] == [
        "Row 1, column notes: This is not a targets column. Did you mean “note”?",
        "Row 1, column financial_year: Add this column: it is required.",
    ]


def test_only_governance_and_performance_may_import_targets(register, owner, approver, viewer):
    for person in (owner, approver, viewer):
        with pytest.raises(PermissionDenied):
            _import(good_rows(), person, apply=False)
    assert not Target.objects.exists()


def test_xlsx_and_csv_files_import_the_same(register, gp):
    data = write_xlsx(HEADERS, good_rows(), sheet_title="Targets")

    result = targets_import(data=data, filename="t.xlsx", by=gp, apply=True)

    assert result.ok and Target.objects.count() == 4


def test_the_documented_example_imports(register, gp):
    result = targets_import(data=EXAMPLE.read_bytes(), filename=EXAMPLE.name, by=gp, apply=False)

    assert result.ok, [str(error) for error in result.errors]
    assert result.counts["new"] == 5


# manage.py import_targets -------------------------------------------------------------------


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_targets", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_as_a_named_user_and_prints_the_counts(register, gp, tmp_path):
    path = tmp_path / "targets.csv"
    path.write_bytes(csv_file(good_rows()))

    dry, _ = run(str(path), "--user", "gp", "--dry-run")
    assert dry.strip() == "Dry run, nothing saved: 4 new, 0 changed, 0 unchanged."
    assert not Target.objects.exists()

    out, _ = run(str(path), "--user", "gp")
    assert "Imported targets.csv: 4 new, 0 changed, 0 unchanged." in out
    assert Target.history.first().history_user == gp
    assert Target.objects.get(kpi__reference="146").value == Decimal(95)


def test_the_command_prints_each_error_and_refuses_other_roles(register, owner, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_file([["999", "2025/26", "", "95", "", ""]]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 error: nothing was imported"):
        call_command("import_targets", str(path), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().strip() == (
        "Row 2, column reference: There is no KPI with reference “999”."
    )

    with pytest.raises(CommandError, match="Only Governance and Performance"):
        run(str(path), "--user", "owner")
    with pytest.raises(CommandError, match="no active user called nobody"):
        run(str(path), "--user", "nobody")
