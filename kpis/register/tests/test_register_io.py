import csv
import datetime
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from kpis.register import services
from kpis.register.io import (
    COLUMNS,
    HEADERS,
    IMPORT_DECISION,
    RowError,
    _choice_lookup,
    register_export,
    register_export_csv,
    register_export_xlsx,
    register_import,
)
from kpis.register.models import Committee, CommitteeMembership, Kpi, Unit
from kpis.register.tests.factories import (
    CommitteeFactory,
    DirectorateFactory,
    KpiFactory,
    PriorityFactory,
    ServiceFactory,
)
from pmf.roles import system_actor
from pmf.spreadsheets import read_table, write_csv
from pmf.tests.factories import UserFactory

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "register-example.csv"


@pytest.fixture
def council(db):
    """The demo council's structure that docs/examples/register-example.csv refers to."""
    place = DirectorateFactory(name="Place and Sustainability", short_name="P&S")
    finance = DirectorateFactory(name="Finance and Resources", short_name="F&R")
    ServiceFactory(directorate=place, name="Waste")
    ServiceFactory(directorate=place, name="Highways")
    ServiceFactory(directorate=finance, name="Finance")
    for number in range(1, 8):
        PriorityFactory(number=number)
    for short_name, name, kind in [
        ("SRP", "Strategy, Resources and Performance", Committee.Kind.STRATEGIC),
        ("HT", "Highways and Transport", Committee.Kind.POLICY_AND_SERVICE),
        ("EGI", "Environment and Green Investment", Committee.Kind.POLICY_AND_SERVICE),
        ("AA", "Audit and Accounts", Committee.Kind.AUDIT),
    ]:
        CommitteeFactory(short_name=short_name, name=name, kind=kind)
    UserFactory(username="officer", password=None, roles=["Officer"])  # no hashing: fast
    return place


def row(**changes: str) -> dict[str, str]:
    """A valid register row for a new KPI; keyword arguments replace cells."""
    cells = dict.fromkeys(HEADERS, "")
    cells.update(
        reference="500",
        name="Streets cleaned to standard",
        directorate="P&S",
        service="Waste",
        priorities="6",
        committees="EGI",
        level="Operational",
        perspective="Residents",
        metric_category="Local authority",
        frequency="Quarterly",
        unit="%",
        direction="Higher is better",
        leading_or_lagging="Lagging",
        target_kind="Annual target",
        date_added="2024-04-01",
    )
    cells.update(changes)
    return cells


def csv_file(rows: list[dict[str, str]], headers: list[str] | None = None) -> bytes:
    headers = headers or list(rows[0])
    return write_csv(headers, [[cells.get(h, "") for h in headers] for cells in rows])


def import_rows(rows, *, apply=True, by=None, filename="register.csv"):
    by = by or system_actor()
    return register_import(data=csv_file(rows), filename=filename, by=by, apply=apply)


def history_counts() -> tuple[int, int, int]:
    return (
        Kpi.history.count(),
        CommitteeMembership.history.count(),
        Kpi.history.model.priorities.model.objects.count(),
    )


def committees_of(kpi: Kpi) -> set[str]:
    return set(
        kpi.memberships.filter(ended_on__isnull=True).values_list(
            "committee__short_name", flat=True
        )
    )


# A good file ------------------------------------------------------------------------------


def test_the_example_file_imports_cleanly(council, gp):
    result = register_import(data=EXAMPLE.read_bytes(), filename="register-example.csv", by=gp)

    assert result.ok, [str(error) for error in result.errors]
    assert result.applied
    assert result.created == ["120", "150", "169", "182", "217", "230", "301", "305"]
    kpi = Kpi.objects.get(reference="169")
    assert kpi.directorate.short_name == "P&S"
    assert kpi.service.name == "Waste"
    assert sorted(kpi.priorities.values_list("number", flat=True)) == [1, 6]
    assert committees_of(kpi) == {"EGI", "SRP"}
    assert set(kpi.memberships.values_list("started_on", flat=True)) == {kpi.date_added}
    assert kpi.lead_officer.username == "officer"
    assert kpi.unit == Kpi.Unit.PERCENT
    assert kpi.value_basis == Kpi.ValueBasis.YEAR_TO_DATE
    assert kpi.date_added == datetime.date(2024, 4, 1)
    assert kpi.long_term_target == Decimal("65")
    assert kpi.in_information_asset_register is True
    assert Kpi.objects.get(reference="301").lead_officer.username == "officer"
    assert Kpi.objects.get(reference="120").status == Kpi.Status.RETIRED
    record = kpi.history.earliest()
    assert record.history_type == "+"
    assert record.history_change_reason == "Imported from register-example.csv"
    assert record.history_user == gp
    assert kpi.history.latest().priorities.count() == 2


def test_an_xlsx_file_imports_with_numbers_and_dates_as_cells(council):
    table = read_table(EXAMPLE.read_bytes(), "register-example.csv")
    workbook = openpyxl.Workbook()
    workbook.active.append([f" {header.replace('_', ' ').title()} " for header in table.headers])
    for cells in table.rows:
        values = [cells[header] for header in table.headers]
        values[0] = int(values[0])  # a reference typed as a number
        date_added = table.headers.index("date_added")
        values[date_added] = datetime.datetime(2024, 4, 1)
        workbook.active.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = register_import(data=buffer.getvalue(), filename="register.xlsx", by=system_actor())

    assert result.ok, [str(error) for error in result.errors]
    assert len(result.created) == 8
    assert Kpi.objects.get(reference="169").date_added == datetime.date(2024, 4, 1)


def test_importing_the_same_file_again_changes_nothing(council):
    data = EXAMPLE.read_bytes()
    assert register_import(data=data, filename="a.csv", by=system_actor()).ok
    before = history_counts()

    result = register_import(data=data, filename="a.csv", by=system_actor())

    assert result.ok
    assert result.unchanged == ["120", "150", "169", "182", "217", "230", "301", "305"]
    assert result.created == result.updated == []
    assert history_counts() == before


def test_a_preview_reports_what_would_happen_and_writes_nothing(council):
    result = import_rows([row()], apply=False)

    assert result.ok
    assert result.created == ["500"]
    assert not result.applied
    assert not Kpi.objects.exists()


def test_a_person_outside_governance_and_performance_may_not_import(council, owner, gp):
    with pytest.raises(PermissionDenied):
        import_rows([row()], by=owner)
    assert import_rows([row()], by=gp).ok


# Updating ----------------------------------------------------------------------------------


def test_it_updates_fields_priorities_and_committee_memberships(council, gp):
    import_rows([row(committees="EGI; SRP", priorities="6")])
    kpi = Kpi.objects.get(reference="500")
    old_srp = kpi.memberships.get(committee__short_name="SRP")
    before = Kpi.history.count()

    result = import_rows(
        [row(name="Streets cleaned", committees="EGI; HT", priorities="1; 6")],
        by=gp,
        filename="june.csv",
    )

    assert result.updated == ["500"]
    kpi.refresh_from_db()
    assert kpi.name == "Streets cleaned"
    assert sorted(kpi.priorities.values_list("number", flat=True)) == [1, 6]
    assert committees_of(kpi) == {"EGI", "HT"}
    old_srp.refresh_from_db()
    assert old_srp.ended_on == timezone.localdate()
    assert old_srp.end_decision == IMPORT_DECISION
    new_ht = kpi.memberships.get(committee__short_name="HT")
    assert new_ht.started_on == timezone.localdate()
    assert new_ht.history.latest().history_change_reason == "Imported from june.csv"
    # Fields and priorities land in one history record, which holds the new priorities.
    assert Kpi.history.count() == before + 1
    record = kpi.history.latest()
    assert record.history_user == gp
    assert record.history_change_reason == "Imported from june.csv"
    assert sorted(record.priorities.values_list("priority__number", flat=True)) == [1, 6]


def test_a_committee_change_alone_is_an_update_without_a_kpi_history_record(council):
    import_rows([row(committees="EGI")])
    before = Kpi.history.count()

    result = import_rows([row(committees="")])

    assert result.updated == ["500"]
    assert committees_of(Kpi.objects.get(reference="500")) == set()
    assert Kpi.history.count() == before


def test_columns_left_out_of_the_file_are_left_as_they_are(council):
    import_rows([row(description="Kept", committees="EGI", benchmark="LG Inform")])
    required = [column.header for column in COLUMNS if column.required]
    partial = {header: row(name="Renamed")[header] for header in required}

    result = import_rows([partial])

    assert result.updated == ["500"]
    kpi = Kpi.objects.get(reference="500")
    assert (kpi.name, kpi.description, kpi.benchmark) == ("Renamed", "Kept", "LG Inform")
    assert committees_of(kpi) == {"EGI"}


def test_text_differing_only_in_line_endings_is_unchanged(council):
    kpi = KpiFactory(reference="500", directorate=council, description="Line one\r\nline two")
    headers, rows = register_export(kpis=Kpi.objects.filter(pk=kpi.pk))

    result = register_import(data=write_csv(headers, rows), filename="a.csv", by=system_actor())

    assert result.unchanged == ["500"]


# Round trips -------------------------------------------------------------------------------


@pytest.fixture
def varied_register(council):
    """KPIs that use every kind of column, including the awkward cases."""
    officer = UserFactory(username="officer")
    srp, ht = Committee.objects.get(short_name="SRP"), Committee.objects.get(short_name="HT")
    waste = council.services.get(name="Waste")
    KpiFactory(
        reference="169",
        name='=HYPERLINK("http://evil.example","Click")',
        description="Line one\nline two, with “quotes” and £",
        directorate=council,
        service=waste,
        priorities=[PriorityFactory(number=1)],
        committees=[srp, ht],
        lead_officer=officer,
        unit=Kpi.Unit.RATE_PER_10000,
        decimals=2,
        direction=Kpi.Direction.LOWER,
        value_basis=Kpi.ValueBasis.ROLLING_12_MONTHS,
        year_figure=Kpi.YearFigure.LAST,
        long_term_target=Decimal("-5.2500"),
        long_term_target_year=2030,
        query_threshold=Decimal("75.5"),
        benchmark="-5",
        is_financial=True,
        in_information_asset_register=True,
    )
    retired = KpiFactory(
        reference="120.A",
        directorate=council,
        service=None,
        status=Kpi.Status.RETIRED,
        status_reason="+ replaced",
        date_removed=datetime.date(2025, 3, 31),
        target_kind=Kpi.TargetKind.CONTEXTUAL,
        value_basis=Kpi.ValueBasis.YEAR_TO_DATE,
        year_figure=Kpi.YearFigure.SUM,
        seasonal=True,
        committees=[srp],
    )
    retired.memberships.update(ended_on=datetime.date(2025, 3, 31))
    return Kpi.objects.all()


@pytest.mark.parametrize("export", [register_export_csv, register_export_xlsx])
def test_an_export_imports_back_unchanged(varied_register, export):
    suffix = ".csv" if export is register_export_csv else ".xlsx"
    before = history_counts()

    result = register_import(
        data=export(varied_register), filename="register" + suffix, by=system_actor()
    )

    assert result.ok, [str(error) for error in result.errors]
    assert sorted(result.unchanged) == ["120.A", "169"]
    assert history_counts() == before


def test_an_export_imports_into_an_empty_register_as_the_same_register(varied_register):
    headers, rows = register_export(kpis=varied_register)
    data = write_csv(headers, rows)
    CommitteeMembership.objects.all().delete()
    Kpi.priorities.through.objects.all().delete()
    Kpi.objects.all().delete()

    assert register_import(data=data, filename="a.csv", by=system_actor()).created == [
        "120.A",
        "169",
    ]

    assert register_export(kpis=Kpi.objects.all()) == (headers, rows)


def test_a_kpis_own_query_threshold_is_read_and_checked(council):
    result = import_rows([row(query_threshold="75"), row(reference="501", query_threshold="")])
    assert result.ok, [str(error) for error in result.errors]
    assert Kpi.objects.get(reference="500").query_threshold == 75
    assert Kpi.objects.get(reference="501").query_threshold is None
    bad = import_rows(
        [
            row(reference="502", query_threshold="-5"),
            row(reference="503", query_threshold="lots"),
            row(reference="504", query_threshold="12.3456"),
        ]
    )
    assert [str(error) for error in bad.errors] == [
        "Row 2, column query_threshold: Enter a threshold of 0 or more, or leave it blank",
        "Row 3, column query_threshold: “lots” is not a number. Enter a number, like 95 or 12.5.",
        "Row 4, column query_threshold: “12.3456” has more than 3 decimal places. Round it, "
        "for example with Excel's ROUND function.",
    ]


def test_the_export_uses_a_fixed_number_of_queries(varied_register, django_assert_num_queries):
    with django_assert_num_queries(3):
        register_export(kpis=Kpi.objects.all())


def test_the_export_lists_only_current_committees(varied_register):
    headers, rows = register_export(kpis=Kpi.objects.order_by("reference"))
    committees = headers.index("committees")
    assert [cells[committees] for cells in rows] == ["", "HT; SRP"]


# Formula injection -------------------------------------------------------------------------


def test_a_formula_exports_as_text_in_csv_while_numbers_stay_numbers(varied_register):
    text = register_export_csv(varied_register).decode("utf-8-sig")
    assert '\r\n169,"\'=HYPERLINK(""http://evil.example"",""Click"")",' in text
    header, *rows = csv.reader(io.StringIO(text, newline=""))
    cells = dict(zip(header, next(r for r in rows if r[0] == "169"), strict=True))
    assert cells["long_term_target"] == "-5.25"  # a number: not quoted
    assert cells["long_term_target_year"] == "2030"
    assert cells["benchmark"] == "'-5"  # text: quoted


def test_a_formula_exports_as_text_in_xlsx_while_numbers_stay_numbers(varied_register):
    data = register_export_xlsx(varied_register)

    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    header = [cell.value for cell in sheet[1]]
    kpi_row = next(cells for cells in sheet.iter_rows(min_row=2) if cells[0].value == "169")
    name = kpi_row[header.index("name")]
    assert name.value == '\'=HYPERLINK("http://evil.example","Click")'
    assert name.data_type == "s"
    target = kpi_row[header.index("long_term_target")]
    assert target.value == -5.25
    assert target.data_type == "n"
    assert kpi_row[header.index("benchmark")].value == "'-5"
    assert kpi_row[header.index("date_added")].is_date


# Errors ------------------------------------------------------------------------------------


def test_a_file_with_several_bad_rows_imports_nothing_and_reports_each_problem(council):
    PriorityFactory(number=9, is_active=False)
    rows = [
        row(reference="501"),
        row(reference="502", directorate="Nowhere", unit="furlongs"),
        row(reference="503", service="Finance", priorities="1; 99", lead_officer="nobody"),
        row(reference="501", date_added="31/31/2024", long_term_target="lots"),
        row(reference="504", name="", direction="up", committees="SRP; XYZ"),
        row(reference="505", target_kind="contextual", long_term_target="5"),
        row(reference="506", status="retired", long_term_target_year="30"),
        row(reference="bad ref!", in_information_asset_register="maybe", priorities="9"),
    ]

    result = import_rows(rows)

    assert not result.ok
    assert not result.applied
    assert not Kpi.objects.exists()
    assert not CommitteeMembership.objects.exists()
    found = {(error.row, error.column) for error in result.errors}
    assert found == {
        (3, "directorate"),
        (3, "unit"),
        (4, "service"),
        (4, "priorities"),
        (4, "lead_officer"),
        (5, "reference"),
        (5, "date_added"),
        (5, "long_term_target"),
        (6, "name"),
        (6, "direction"),
        (6, "committees"),
        (7, "long_term_target"),
        (8, "date_removed"),
        (8, "long_term_target_year"),
        (9, "reference"),
        (9, "in_information_asset_register"),
        (9, "priorities"),
    }
    messages = {(error.row, error.column): error.message for error in result.errors}
    assert messages[3, "directorate"].startswith("There is no directorate called “Nowhere”")
    assert "Percentage (%)" in messages[3, "unit"]
    assert messages[4, "service"] == (
        "There is no service called “Finance” in Place and Sustainability."
    )
    assert messages[5, "reference"] == "501 is also on row 2."
    assert messages[6, "name"] == "Name is required."
    assert "XYZ" in messages[6, "committees"]
    assert messages[7, "long_term_target"] == "A contextual KPI has no target."
    assert messages[8, "date_removed"] == "Enter the date the KPI was retired."
    assert "no longer active" in messages[9, "priorities"]
    assert str(result.errors[0]).startswith("Row 3, column ")


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("Higher is better", "higher"),
        ("higher", "higher"),
        ("  HIGHER  IS  BETTER ", "higher"),
        ("Higher-is-better", "higher"),
    ],
)
def test_choices_are_read_from_a_value_or_a_label(council, text, stored):
    assert import_rows([row(direction=text)]).ok
    assert Kpi.objects.get().direction == stored


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("%", "percent"),
        ("Percentage", "percent"),
        ("PER CENT", "percent"),
        ("£", "money"),
        ("GBP", "money"),
        ("gbp", "money"),
        ("Pounds", "money"),
        ("rate per 10000", "rate_10k"),
        ("Tonnes CO2e", "tonnes_co2e"),
        ("tco2e", "tonnes_co2e"),
    ],
)
def test_units_have_the_short_forms_people_write(council, text, stored):
    assert import_rows([row(unit=text)]).ok
    assert Kpi.objects.get().unit == stored


def test_an_unknown_unit_is_refused_with_every_unit_the_council_has(council):
    result = import_rows([row(unit="furlongs")])

    assert not result.ok and not Kpi.objects.exists()
    assert [str(error) for error in result.errors] == [
        "Row 2, column unit: “furlongs” is not a unit. Use one of the council's units: Days, "
        "Money (£), Number, Percentage (%), Rate per 1,000, Rate per 10,000, Rate per 100,000, "
        "Ratio, Score, Tonnes CO2e, Weeks."
    ]


def test_a_unit_the_council_adds_is_read_by_its_other_names(council, gp):
    unit = Unit(code="mwh", name="Megawatt hours", suffix="MWh", aliases="MWh; megawatt-hours")
    services.unit_save(unit=unit, by=gp)

    assert import_rows([row(unit="MEGAWATT HOURS"), row(reference="501", unit="mwh")]).ok

    assert set(Kpi.objects.values_list("unit", flat=True)) == {"mwh"}
    headers, rows = register_export(kpis=Kpi.objects.all())
    assert {line[headers.index("unit")] for line in rows} == {"Megawatt hours"}


@pytest.mark.parametrize(("text", "stored"), [("0", 0), ("2", 2), ("4", 4), ("", None)])
def test_a_kpi_may_set_its_own_decimal_places(council, text, stored):
    assert import_rows([row(decimal_places=text)]).ok
    assert Kpi.objects.get().decimals == stored


@pytest.mark.parametrize("text", ["5", "1.5", "-1", "two"])
def test_decimal_places_are_a_whole_number_from_0_to_4(council, text):
    result = import_rows([row(decimal_places=text)])

    assert not Kpi.objects.exists()
    assert [(error.column, error.message) for error in result.errors] == [
        (
            "decimal_places",
            f"“{text}” is not a number of decimal places. Enter a whole number from 0 to 4, or "
            "leave it blank to use the unit's.",
        )
    ]


def test_no_two_choices_share_a_spelling():
    for column in COLUMNS:
        if column.choices:
            assert set(_choice_lookup(column.choices).values()) == set(column.choices.values)


@pytest.mark.parametrize("header", [" REFERENCE ", "Reference", "reference"])
def test_headers_match_whatever_their_case_and_spacing(council, header):
    cells = row()
    cells[header] = cells.pop("reference")
    assert import_rows([cells]).created == ["500"]


@pytest.mark.parametrize("header", ["Data Source", "data-source", "DATA_SOURCE", "data  source"])
def test_data_source_header_spellings(council, header):
    cells = row()
    del cells["data_source"]
    cells[header] = "Finance system"
    assert import_rows([cells]).ok
    assert Kpi.objects.get().data_source == "Finance system"


def test_an_unknown_or_missing_header_is_an_error_on_row_1(council):
    cells = row(data_sauce="typo")
    del cells["unit"]

    result = import_rows([cells])

    assert result.errors == [
        RowError(1, "data_sauce", "This is not a register column. Did you mean “data_source”?"),
        RowError(1, "unit", "Add this column: it is required."),
    ]
    assert not Kpi.objects.exists()


def test_a_new_link_to_an_inactive_committee_is_refused_but_an_old_one_is_kept(council):
    import_rows([row(committees="EGI")])
    Committee.objects.filter(short_name__in=["EGI", "AA"]).update(is_active=False)

    assert import_rows([row(committees="EGI")]).unchanged == ["500"]
    result = import_rows([row(committees="EGI; AA")])
    assert [(e.column, e.message) for e in result.errors] == [
        ("committees", "Audit and Accounts is no longer active.")
    ]


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b" " * (30 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"\x00\x01garbage\xff" * 50, "register.xlsx", "not a real Excel"),
        (zip_bomb(), "register.xlsx", "unpacks to far more data"),
        (b"", "register.csv", "empty"),
        (b"reference,name\r\n1,a\r\n", "register.txt", "not a CSV or XLSX"),
        (b"reference,Reference\r\n1,2\r\n", "register.csv", "repeats the heading"),
        (",".join(HEADERS).encode(), "register.csv", "headings but no KPIs"),
    ],
)
def test_a_malformed_file_is_an_error_and_writes_nothing(council, data, filename, message):
    result = register_import(data=data, filename=filename, by=system_actor())

    assert not result.ok
    assert len(result.errors) == 1
    assert result.errors[0].row == 1
    assert message in result.errors[0].message
    assert not Kpi.objects.exists()


# Scale -------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [10, 200])
def test_checking_a_file_takes_the_same_queries_for_10_or_200_rows(
    council, count, django_assert_max_num_queries
):
    def rows(name: str, committees: str) -> list[dict[str, str]]:
        return [
            row(reference=str(n), name=name, committees=committees, lead_officer="officer")
            for n in range(1, count + 1)
        ]

    assert register_import(
        data=csv_file(rows("Old", "SRP")[::2]), filename="a.csv", by=system_actor()
    ).ok
    data = csv_file(rows("New", "HT; EGI"))

    # Eight queries load the register and the people named; two are the savepoint.
    actor = system_actor()
    with django_assert_max_num_queries(10):
        result = register_import(data=data, filename="a.csv", by=actor, apply=False)

    assert result.ok, result.errors[:3]
    assert len(result.created) == count // 2
    assert len(result.updated) == count // 2


# The documentation -------------------------------------------------------------------------

DOCS = EXAMPLE.parents[1] / "import-formats.md"


def test_the_documentation_lists_every_column_and_choice():
    text = DOCS.read_text()
    for column in COLUMNS:
        assert f"| `{column.header}` | {'yes' if column.required else 'no'} |" in text
        for value, label in column.choices.choices if column.choices else []:
            assert f"`{value}` — {label}" in text


def test_the_documentation_example_imports(council):
    example = DOCS.read_text().split("```csv\n")[1].split("```")[0]

    result = register_import(data=example.encode(), filename="doc.csv", by=system_actor())

    assert result.ok, [str(error) for error in result.errors]
    assert result.created == ["169", "301"]


# How a KPI's figures add up ----------------------------------------------------------------------


def test_the_year_figure_and_seasonal_columns_import_by_value_or_label(council):
    result = import_rows(
        [
            row(reference="501", value_basis="Year to date", year_figure="Total", seasonal="yes"),
            row(reference="502", value_basis="snapshot", year_figure="last"),
            row(reference="503", value_basis="Rolling 12 months", year_figure=""),
            row(reference="504", value_basis="Period value", year_figure="", seasonal=""),
        ]
    )
    assert result.ok, [str(error) for error in result.errors]
    figures = dict(Kpi.objects.values_list("reference", "year_figure"))
    assert figures == {"501": "sum", "502": "last", "503": "last", "504": "mean"}
    assert list(Kpi.objects.filter(seasonal=True).values_list("reference", flat=True)) == ["501"]
    assert Kpi.objects.get(reference="502").value_basis == Kpi.ValueBasis.SNAPSHOT


def test_a_file_without_the_new_columns_still_imports_snapshots_and_rolling_figures(council):
    rows = [row(reference="505", value_basis="Snapshot"), row(reference="506")]
    headers = [h for h in HEADERS if h not in ("year_figure", "seasonal")]
    data = csv_file(rows, headers)
    result = register_import(data=data, filename="old-register.csv", by=system_actor())
    assert result.ok, [str(error) for error in result.errors]
    assert dict(Kpi.objects.values_list("reference", "year_figure")) == {
        "505": "last",
        "506": "mean",
    }


def test_a_year_figure_or_season_that_cannot_fit_is_refused_with_its_reason(council):
    result = import_rows(
        [
            row(reference="507", value_basis="Snapshot", year_figure="Total"),
            row(reference="508", frequency="Annual", seasonal="yes"),
            row(
                reference="509", value_basis="Rolling 12 months", year_figure="Latest", seasonal="y"
            ),
        ]
    )
    assert [str(error) for error in result.errors] == [
        "Row 2, column year_figure: The year's figure of a snapshot is its latest value: "
        "choose Latest.",
        "Row 3, column seasonal: An annual KPI has no seasons: it cannot be seasonal.",
        "Row 4, column seasonal: A rolling 12-month value spans every season: it cannot be "
        "seasonal.",
    ]
    assert not Kpi.objects.exists()


def test_the_export_writes_the_year_figure_and_seasonal_as_people_read_them(council):
    KpiFactory(
        reference="510",
        directorate=council,
        value_basis=Kpi.ValueBasis.YEAR_TO_DATE,
        year_figure=Kpi.YearFigure.SUM,
        seasonal=True,
    )
    headers, rows = register_export(kpis=Kpi.objects.all())
    exported = dict(zip(headers, rows[0], strict=True))
    assert (exported["value_basis"], exported["year_figure"], exported["seasonal"]) == (
        "Year to date",
        "Total",
        "yes",
    )


def test_the_data_migration_keeps_the_old_guess_where_it_was_sensible(db):
    """Existing KPIs get a year figure from the unit and value basis the scorecards used to
    guess from; a year-to-date rate becomes a running total (the old guess made it "latest")."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    (migration,) = [
        m
        for (app, name), m in loader.disk_migrations.items()
        if app == "kpis" and name.endswith("_year_figure")
    ]
    (set_figures,) = [op for op in migration.operations if hasattr(op, "code")]
    cases = {
        ("ytd", Kpi.Unit.COUNT): "sum",
        ("ytd", Kpi.Unit.MONEY): "sum",
        ("ytd", Kpi.Unit.RATE_PER_100000): "sum",
        ("ytd", Kpi.Unit.PERCENT): "mean",
        ("rolling12", Kpi.Unit.COUNT): "last",
        ("period", Kpi.Unit.COUNT): "last",
        ("period", Kpi.Unit.PERCENT): "mean",
        ("period", Kpi.Unit.DAYS): "mean",
    }
    made = {
        case: KpiFactory(value_basis=case[0], unit=case[1], year_figure="mean", seasonal=True)
        for case in cases
    }
    set_figures.code(apps, None)
    for case, kpi in made.items():
        kpi.refresh_from_db()
        assert kpi.year_figure == cases[case], case
    # Seasonal is added as "no" for every KPI; the data step leaves it alone.
    assert not Kpi.objects.filter(seasonal=False).exists()
