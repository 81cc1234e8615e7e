import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis.register.models import Kpi
from kpis.register.tests.factories import KpiFactory
from kpis.reporting import periods as fy
from kpis.reporting.io import COLUMNS, Outcome, values_import
from kpis.reporting.models import Measurement, RagPolicy, ReportingPeriod, Target
from pmf.spreadsheets import write_csv, write_xlsx

HEADERS = ["reference", "period", "value", "commentary"]
AUTHORITY = "2024/25 outturn from the finance system, agreed by G&P"


def make_period(kind: str, year: int, number: int, state: str) -> ReportingPeriod:
    spec = fy.period_spec(kind, year, number)
    return ReportingPeriod.objects.create(
        kind=kind,
        financial_year=year,
        number=number,
        starts_on=spec.starts_on,
        ends_on=spec.ends_on,
        state=state,
    )


def csv_file(rows: list[list], headers: list[str] = HEADERS) -> bytes:
    return write_csv(headers, rows)


@pytest.fixture
def cycle(db, directorate, owner, colleague):
    """Quarterly KPIs of the owner's and a colleague's, and periods in every state."""
    State = ReportingPeriod.State
    periods = {
        "open": make_period("quarter", 2025, 3, State.OPEN),
        "closed": make_period("quarter", 2025, 2, State.CLOSED),
        "locked": make_period("quarter", 2025, 1, State.LOCKED),
        "future": make_period("quarter", 2025, 4, State.NOT_OPEN),
        "month": make_period("month", 2025, 7, State.OPEN),
    }
    kpis = {
        "pct": KpiFactory(reference="169", directorate=directorate, lead_officer=owner),
        "count": KpiFactory(
            reference="170", directorate=directorate, lead_officer=owner, unit=Kpi.Unit.COUNT
        ),
        "money": KpiFactory(
            reference="171", directorate=directorate, lead_officer=owner, unit=Kpi.Unit.MONEY
        ),
        "theirs": KpiFactory(reference="300", directorate=directorate, lead_officer=colleague),
    }
    Target.objects.create(kpi=kpis["pct"], financial_year=2025, value=Decimal(80))
    return {"periods": periods, "kpis": kpis}


def good_rows() -> list[list]:
    return [
        ["169", "2025/26 Q3", "72.5", "Down on last quarter."],
        ["170", "2025/26 Q3", "1,204", "More than expected."],
        ["171", "2025/26 q3", "£1250.50", ""],
    ]


def test_a_preview_reports_every_row_and_writes_nothing(cycle, owner):
    result = values_import(data=csv_file(good_rows()), filename="v.csv", by=owner, apply=False)

    assert result.ok
    assert [row.outcome for row in result.rows] == [Outcome.NEW] * 3
    assert [row.row for row in result.rows] == [2, 3, 4]
    assert not result.applied
    assert not Measurement.objects.exists()


def test_it_imports_a_good_file_as_drafts_recording_who_and_why(cycle, owner):
    result = values_import(data=csv_file(good_rows()), filename="v.csv", by=owner, apply=True)

    assert result.ok and result.applied
    stored = {m.kpi.reference: m for m in Measurement.objects.select_related("kpi")}
    assert stored["169"].value == Decimal("72.5")
    assert stored["169"].commentary == "Down on last quarter."
    assert stored["169"].rating == "amber"  # 9.4% under its target of 80
    assert stored["170"].value == 1204
    assert stored["171"].value == Decimal("1250.50")
    for measurement in stored.values():
        assert measurement.status == Measurement.Status.DRAFT
        assert measurement.version == 1
        assert measurement.entered_by == owner
        assert measurement.period == cycle["periods"]["open"]
        assert not measurement.is_historic_load
    records = Measurement.history.all()
    assert records.count() == 3
    for record in records:
        assert record.history_user == owner
        assert record.history_change_reason == "Imported from v.csv"
        assert record.history_type == "+"
        assert record.id in {m.pk for m in stored.values()}
        assert record.instance.value == stored[record.instance.kpi.reference].value


def test_a_value_can_come_from_its_numerator_and_denominator(cycle, owner):
    headers = ["reference", "period", "numerator", "denominator"]
    values_import(
        data=csv_file([["169", "2025/26 Q3", "45", "60"]], headers),
        filename="v.csv",
        by=owner,
        apply=True,
    )

    measurement = Measurement.objects.get()
    assert (measurement.value, measurement.numerator, measurement.denominator) == (75, 45, 60)


def test_nothing_is_written_when_any_row_is_wrong_and_every_error_is_reported(cycle, owner):
    headers = ["reference", "period", "value", "not_available", "not_available_reason"]
    rows = [
        ["169", "2025/26 Q3", "72", "", ""],  # fine
        ["999", "2025/26 Q3", "1", "", ""],
        ["170", "Q3 2025", "1", "", ""],
        ["170", "2031/32 Q1", "1", "", ""],
        ["170", "2025/26 Oct", "1", "", ""],
        ["169", "2025/26 Q3", "73", "", ""],  # the same KPI and period again
        ["171", "2025/26 Q3", "12.345", "", ""],
        ["170", "2025/26 Q3", "2.5", "", ""],
        ["300", "2025/26 Q3", "150", "", ""],
        ["172", "2025/26 Q3", "", "perhaps", ""],
        ["173", "2025/26 Q3", "", "yes", ""],
        ["174", "2025/26 Q3", "ten", "", ""],
    ]
    for reference in ("172", "173", "174"):
        KpiFactory(reference=reference, lead_officer=owner)
    result = values_import(data=csv_file(rows, headers), filename="v.csv", by=owner, apply=True)

    assert not result.ok and not result.applied
    assert not Measurement.objects.exists()
    found = {(error.row, error.column) for error in result.errors}
    assert found == {
        (3, "reference"),
        (4, "period"),
        (5, "period"),
        (6, "period"),
        (7, "period"),
        (8, "value"),
        (9, "value"),
        (10, "reference"),
        (10, "value"),
        (11, "not_available"),
        (12, "not_available_reason"),
        (13, "value"),
    }
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert messages[(3, "reference")] == "There is no KPI with reference “999”."
    assert "There is no reporting period 2031/32 Q1 yet" in messages[(5, "period")]
    assert "is reported quarterly: give a quarter" in messages[(6, "period")]
    assert messages[(7, "period")] == "KPI 169 for 2025/26 Q3 is also on row 2."
    assert messages[(8, "value")] == "Enter an amount in pounds and pence, like 1250.50"
    assert messages[(9, "value")] == "Enter a whole number"
    assert "not the lead officer or a delegate for KPI 300" in messages[(10, "reference")]
    assert messages[(10, "value")] == "Enter a percentage between 0 and 100"
    assert messages[(12, "not_available_reason")] == "Say why the value is not available"
    assert result.rows[0].outcome == Outcome.NEW
    assert all(row.outcome == Outcome.ERROR for row in result.rows[1:])
    assert str(result.errors[0]) == "Row 3, column reference: There is no KPI with reference “999”."


def test_reimporting_the_same_file_changes_nothing(cycle, owner):
    data = write_xlsx(HEADERS, good_rows(), "Values")
    values_import(data=data, filename="v.xlsx", by=owner, apply=True)
    before = list(Measurement.objects.values_list("pk", "version", "updated_at"))

    again = values_import(data=data, filename="v.xlsx", by=owner, apply=True)

    assert again.ok and again.counts == {"new": 0, "changed": 0, "unchanged": 3, "error": 0}
    assert list(Measurement.objects.values_list("pk", "version", "updated_at")) == before
    assert Measurement.history.count() == 3


def test_a_changed_value_is_updated_with_a_new_version_and_history(cycle, owner):
    values_import(data=csv_file(good_rows()), filename="v.csv", by=owner, apply=True)
    rows = good_rows()
    rows[0][2] = "81"

    result = values_import(data=csv_file(rows), filename="v2.csv", by=owner, apply=True)

    assert result.counts == {"new": 0, "changed": 1, "unchanged": 2, "error": 0}
    measurement = Measurement.objects.get(kpi__reference="169")
    assert (measurement.value, measurement.version, measurement.rating) == (81, 2, "green")
    latest = measurement.history.first()
    assert latest.history_type == "~"
    assert latest.history_change_reason == "Imported from v2.csv"
    assert latest.prev_record.value == Decimal("72.5")


def test_columns_left_out_of_the_file_keep_what_is_stored(cycle, owner):
    values_import(data=csv_file(good_rows()), filename="v.csv", by=owner, apply=True)

    values_import(
        data=csv_file([["169", "2025/26 Q3", "74"]], ["reference", "period", "value"]),
        filename="v.csv",
        by=owner,
        apply=True,
    )

    measurement = Measurement.objects.get(kpi__reference="169")
    assert (measurement.value, measurement.commentary) == (74, "Down on last quarter.")


def test_it_refuses_a_locked_period(cycle, gp):
    result = values_import(
        data=csv_file([["169", "2025/26 Q1", "70", ""]]), filename="v.csv", by=gp, apply=True
    )
    historic = values_import(
        data=csv_file([["169", "2025/26 Q1", "70", ""]]),
        filename="v.csv",
        by=gp,
        apply=True,
        historic=True,
        authority=AUTHORITY,
    )

    for outcome in (result, historic):
        assert [str(e) for e in outcome.errors] == [
            "Row 2, column period: 2025/26 Q1 is locked: its values can no longer be changed."
        ]
    assert not Measurement.objects.exists()


def test_an_officer_cannot_import_into_a_period_that_is_not_open(cycle, owner, gp):
    rows = [["169", "2025/26 Q2", "70", ""], ["169", "2025/26 Q4", "70", ""]]

    result = values_import(data=csv_file(rows), filename="v.csv", by=owner, apply=True)
    as_gp = values_import(data=csv_file(rows), filename="v.csv", by=gp, apply=True)

    assert [e.message for e in result.errors] == [
        "2025/26 Q2 is not open for entry.",
        "2025/26 Q4 is not open for entry.",
    ]
    assert "Tick “historic load”" in as_gp.errors[0].message
    assert not Measurement.objects.exists()


def test_an_officer_cannot_import_another_officers_kpi_but_a_delegate_can(cycle, colleague):
    rows = [["169", "2025/26 Q3", "70", ""]]

    refused = values_import(data=csv_file(rows), filename="v.csv", by=colleague, apply=True)
    cycle["kpis"]["pct"].delegates.add(colleague)
    allowed = values_import(data=csv_file(rows), filename="v.csv", by=colleague, apply=True)

    assert refused.errors[0].column == "reference"
    assert allowed.applied
    assert Measurement.objects.get().entered_by == colleague


def test_people_without_an_officer_or_gp_role_are_refused(cycle, viewer, approver):
    for person in (viewer, approver):
        with pytest.raises(PermissionDenied):
            values_import(data=csv_file(good_rows()), filename="v.csv", by=person, apply=False)


def test_an_officer_cannot_change_a_submitted_value_but_may_repeat_it(cycle, owner):
    values_import(data=csv_file(good_rows()), filename="v.csv", by=owner, apply=True)
    Measurement.objects.filter(kpi__reference="169").update(status=Measurement.Status.SUBMITTED)
    changed = good_rows()
    changed[0][2] = "75"

    refused = values_import(data=csv_file(changed), filename="v.csv", by=owner, apply=True)
    same = values_import(data=csv_file(good_rows()), filename="v.csv", by=owner, apply=True)

    assert [(e.row, e.column) for e in refused.errors] == [(2, "value")]
    assert "has been submitted" in refused.errors[0].message
    assert same.ok and same.counts["unchanged"] == 3
    assert Measurement.objects.get(kpi__reference="169").value == Decimal("72.5")


def test_only_gp_can_load_historic_values(cycle, owner):
    rows = [["169", "2025/26 Q2", "70", ""]]

    result = values_import(
        data=csv_file(rows), filename="v.csv", by=owner, apply=True, historic=True
    )

    assert [str(e) for e in result.errors] == [
        "Row 1: Only Governance and Performance can load historic values."
    ]
    assert not Measurement.objects.exists()


def test_a_historic_load_stores_approved_values_marked_as_such_in_history(cycle, gp):
    rows = [
        ["169", "2025/26 Q2", "70", "From the old spreadsheet"],
        ["300", "2025/26 Q2", "90", ""],
    ]

    result = values_import(
        data=csv_file(rows),
        filename="history.csv",
        by=gp,
        apply=True,
        historic=True,
        authority=AUTHORITY,
    )

    assert result.applied and result.counts["new"] == 2
    for measurement in Measurement.objects.all():
        assert measurement.status == Measurement.Status.APPROVED
        assert measurement.is_historic_load
        assert measurement.approved_by == gp and measurement.approved_at is not None
        assert (measurement.loaded_by, measurement.loaded_at) == (gp, measurement.approved_at)
        assert measurement.historic_authority == AUTHORITY
        assert measurement.period == cycle["periods"]["closed"]
        record = measurement.history.get()
        assert record.history_user == gp
        assert record.history_change_reason == "Historic load from history.csv"
    again = values_import(
        data=csv_file(rows),
        filename="history.csv",
        by=gp,
        apply=True,
        historic=True,
        authority=AUTHORITY,
    )
    assert again.counts["unchanged"] == 2
    assert Measurement.history.count() == 2


def test_a_historic_load_needs_its_authority(cycle, gp):
    rows = [["169", "2025/26 Q2", "70", ""]]

    for authority in ("", "   "):
        result = values_import(
            data=csv_file(rows),
            filename="history.csv",
            by=gp,
            apply=True,
            historic=True,
            authority=authority,
        )
        assert [str(e) for e in result.errors] == [
            "Row 1: Say on what authority these historic values are loaded, for example "
            "“2024/25 outturn from the finance system, agreed by G&P”."
        ]
    assert not Measurement.objects.exists()


def test_a_historic_load_needs_a_closed_or_past_period_and_a_value(cycle, gp):
    rows = [
        ["169", "2025/26 Q3", "70", ""],  # open
        ["169", "2026/27 Q4", "70", ""],  # not open and not yet ended
        ["170", "2025/26 Q2", "", "No value"],
    ]
    make_period("quarter", 2026, 4, ReportingPeriod.State.NOT_OPEN)

    result = values_import(
        data=csv_file(rows), filename="v.csv", by=gp, apply=True, historic=True, authority=AUTHORITY
    )

    assert [(e.row, e.column) for e in result.errors] == [
        (2, "period"),
        (3, "period"),
        (4, "value"),
    ]
    assert "is open for entry" in result.errors[0].message
    assert not Measurement.objects.exists()


def test_a_historic_load_may_go_into_a_past_period_that_was_never_opened(cycle, gp):
    make_period("quarter", 2019, 1, ReportingPeriod.State.NOT_OPEN)

    result = values_import(
        data=csv_file([["169", "2019/20 Q1", "64", ""]]),
        filename="v.csv",
        by=gp,
        apply=True,
        historic=True,
        authority=AUTHORITY,
    )

    assert result.applied
    assert Measurement.objects.get().period.label == "2019/20 Q1"


def test_xlsx_and_csv_files_import_the_same(cycle, owner):
    headers = list(COLUMNS)
    rows = [
        ["169", "2025/26 Q3", 72.5, "", "", "no", "", "Line one\nline two", "A plan", "Estimated"],
        ["170", "2025/26 Q3", "", "", "", "yes", "System outage", "", "", ""],
    ]

    from_csv = values_import(data=write_csv(headers, rows), filename="v.csv", by=owner, apply=False)
    from_xlsx = values_import(
        data=write_xlsx(headers, rows, "Values"), filename="v.XLSX", by=owner, apply=True
    )

    assert from_csv.ok and from_xlsx.ok
    assert (
        from_csv.counts == from_xlsx.counts == {"new": 2, "changed": 0, "unchanged": 0, "error": 0}
    )
    stored = Measurement.objects.get(kpi__reference="170")
    assert stored.not_available and stored.value is None
    assert stored.not_available_reason == "System outage"
    assert Measurement.objects.get(kpi__reference="169").commentary == "Line one\nline two"
    again = values_import(data=write_csv(headers, rows), filename="v.csv", by=owner, apply=False)
    assert again.counts["unchanged"] == 2


def test_formula_looking_text_is_stored_as_plain_text(cycle, owner):
    rows = [["169", "2025/26 Q3", "70", '=HYPERLINK("http://evil.example","x")']]

    values_import(data=write_xlsx(HEADERS, rows, "Values"), filename="v.xlsx", by=owner, apply=True)

    assert Measurement.objects.get().commentary == '=HYPERLINK("http://evil.example","x")'


def test_column_headings_are_matched_loosely_and_unknown_ones_reported(cycle, owner):
    loose = values_import(
        data=csv_file([["169", "2025/26 Q3", "70"]], ["Reference", " PERIOD ", "Value"]),
        filename="v.csv",
        by=owner,
        apply=False,
    )
    wrong = values_import(
        data=csv_file([["169", "70"]], ["reference", "vaule"]),
        filename="v.csv",
        by=owner,
        apply=False,
    )

    assert loose.ok
    assert [str(e) for e in wrong.errors] == [
        "Row 1, column vaule: This is not a values column. Did you mean “value”?",
        "Row 1, column period: Add this column: it is required.",
    ]


def test_a_file_that_is_not_a_spreadsheet_gives_one_clear_error(cycle, owner):
    result = values_import(data=b"\x00\x01junk", filename="v.xlsx", by=owner, apply=True)

    assert len(result.errors) == 1
    assert "not a real Excel (.xlsx) workbook" in result.errors[0].message


def test_a_stale_preview_writes_nothing(cycle, owner):
    preview = values_import(data=csv_file(good_rows()), filename="v.csv", by=owner, apply=False)
    values_import(data=csv_file(good_rows()[:1]), filename="v.csv", by=owner, apply=True)

    result = values_import(
        data=csv_file(good_rows()),
        filename="v.csv",
        by=owner,
        apply=True,
        expected_fingerprint=preview.fingerprint,
    )

    assert result.stale and not result.applied
    assert Measurement.objects.count() == 1


def _many(count: int, period: ReportingPeriod, directorate, lead) -> list[list]:
    kpis = Kpi.objects.bulk_create(
        Kpi(
            reference=f"Q{period.pk}-{n}",
            name=f"Indicator {n}",
            directorate=directorate,
            lead_officer=lead,
            level=Kpi.Level.OPERATIONAL,
            perspective=Kpi.Perspective.RESIDENTS,
            metric_category=Kpi.MetricCategory.LOCAL_AUTHORITY,
            frequency=Kpi.Frequency.QUARTERLY,
            unit=Kpi.Unit.PERCENT,
            direction=Kpi.Direction.HIGHER,
            indicator_type=Kpi.IndicatorType.LAGGING,
            target_kind=Kpi.TargetKind.ANNUAL,
            date_added=datetime.date(2020, 4, 1),
        )
        for n in range(count)
    )
    return [[kpi.reference, period.label, str(50 + n % 40), "Note"] for n, kpi in enumerate(kpis)]


def _queries(**kwargs) -> int:
    vars(kwargs["by"]).pop("_pmf_group_names", None)  # read the roles afresh every time
    with CaptureQueriesContext(connection) as context:
        result = values_import(**kwargs)
    assert result.ok, result.errors[:3]
    return len(context.captured_queries)


@pytest.mark.parametrize("historic", [False, True])
def test_the_number_of_queries_does_not_grow_with_the_rows(db, directorate, owner, gp, historic):
    State = ReportingPeriod.State
    state = State.CLOSED if historic else State.OPEN
    small_period = make_period("quarter", 2024, 1, state)
    large_period = make_period("quarter", 2024, 2, state)
    by = gp if historic else owner
    small = csv_file(_many(10, small_period, directorate, owner))
    large = csv_file(_many(300, large_period, directorate, owner))
    common = {"filename": "v.csv", "by": by, "historic": historic, "authority": AUTHORITY}
    RagPolicy.current()  # the first reading creates the council's policy

    for apply in (False, True):
        assert _queries(data=small, apply=apply, **common) == _queries(
            data=large, apply=apply, **common
        )
    # Changing every value (an update rather than an insert) is just as flat.
    small = small.replace(b",Note", b",Changed")
    large = large.replace(b",Note", b",Changed")
    assert _queries(data=small, apply=True, **common) == _queries(data=large, apply=True, **common)
    assert Measurement.objects.count() == 310
    assert Measurement.history.count() == 620


def test_a_value_saved_by_someone_else_during_the_import_is_never_overwritten(
    cycle, owner, monkeypatch
):
    values_import(data=csv_file(good_rows()[:1]), filename="v.csv", by=owner, apply=True)
    # As if the other save landed between the import's checks and its writes.
    from kpis.reporting import io as values_io

    real = values_io._load_values

    def blind(loaded, *args, **kwargs):
        real(loaded, *args, **kwargs)
        loaded.existing = {}

    monkeypatch.setattr(values_io, "_load_values", blind)

    result = values_import(data=csv_file(good_rows()), filename="v.csv", by=owner, apply=True)

    assert [str(e) for e in result.errors] == [
        "Row 1: Values changed while importing. Upload the file again."
    ]
    assert Measurement.objects.count() == 1
    assert Measurement.history.count() == 1
