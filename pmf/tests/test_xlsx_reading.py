"""Reading XLSX: calamine, or openpyxl for the sheets calamine would read differently or unsafely.

Most tests run with each reader (`reader` fixture), so that a file reads the same whichever one
`read_table` picks.
"""

import contextlib
import datetime
import io
import re
import zipfile

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference

from pmf import spreadsheets
from pmf.spreadsheets import LimitExceeded, SpreadsheetError, read_table


def record_readers(monkeypatch) -> list[str]:
    """The names of the readers read_table goes on to use, in order."""
    used: list[str] = []
    for name in ("calamine", "openpyxl"):
        real = getattr(spreadsheets, f"_{name}_rows")

        def recorded(data: bytes, real=real, name=name):
            used.append(name)
            return real(data)

        monkeypatch.setattr(spreadsheets, f"_{name}_rows", recorded)
    return used


@pytest.fixture(params=["calamine", "openpyxl"])
def reader(request, monkeypatch):
    """Each reader in turn ("openpyxl" makes every sheet look unplain), checked afterwards."""
    used = record_readers(monkeypatch)
    if request.param == "openpyxl":
        monkeypatch.setattr(spreadsheets, "_is_plain_sheet", lambda xml: False)
    yield request.param
    assert set(used) <= {request.param}


def workbook(cells: dict[str, object], formats: dict[str, str] | None = None) -> bytes:
    book = openpyxl.Workbook()
    for reference, value in cells.items():
        book.active[reference] = value
    for reference, number_format in (formats or {}).items():
        book.active[reference].number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite_sheet(data: bytes, change) -> bytes:
    """The workbook with its first sheet's XML rewritten by change(xml) -> xml."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            body = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                body = change(body.decode()).encode()
            target.writestr(name, body)
    return buffer.getvalue()


def with_cells(xml_rows: str, *, dimension: str | None = None) -> bytes:
    """A workbook with the heading "h" in A1, then <row>s as another program wrote them."""

    def change(xml: str) -> str:
        stated = f'<dimension ref="{dimension}" />' if dimension else ""
        xml = re.sub(r"<dimension [^>]*/>", stated, xml)
        return xml.replace("</row></sheetData>", "</row>" + xml_rows + "</sheetData>")

    return rewrite_sheet(workbook({"A1": "h"}), change)


def test_blank_rows_and_columns_before_the_cells_keep_row_numbers_and_column_letters(reader):
    data = workbook({"B1": "Name", "C1": "Count", "B2": "a", "C4": 3, "E5": "stray"})

    with pytest.raises(
        SpreadsheetError, match="Row 5 has a value in column E, which has no heading"
    ):
        read_table(data, "a.xlsx")

    table = read_table(workbook({"B1": "Name", "C1": "Count", "B2": "a", "C4": 3}), "a.xlsx")
    assert table.headers == ["name", "count"]
    assert table.rows == [{"name": "a", "count": ""}, {"name": "", "count": "3"}]
    assert table.row_numbers == [2, 4]


def test_headings_below_a_blank_first_row_are_refused(reader):
    with pytest.raises(SpreadsheetError, match="first row must hold the column headings"):
        read_table(workbook({"A2": "name", "A3": "x"}), "a.xlsx")


def test_a_sheet_with_no_cells_is_refused(reader):
    with pytest.raises(SpreadsheetError, match="first row must hold the column headings"):
        read_table(workbook({}), "a.xlsx")


def test_cells_read_as_excel_shows_them(reader):
    cells = {
        "A1": "when", "B1": "at", "C1": "share", "D1": "time", "E1": "took",
        "A2": datetime.datetime(2024, 4, 1, 10, 30, 15), "B2": datetime.date(2024, 4, 1),
        "C2": 0.125, "D2": datetime.time(9, 5), "E2": datetime.timedelta(hours=26),
    }  # fmt: skip
    data = workbook(cells, {"C2": "0.0%", "E2": "[h]:mm:ss"})

    assert read_table(data, "a.xlsx").rows == [
        {"when": "2024-04-01 10:30:15", "at": "2024-04-01", "share": "0.125", "time": "09:05:00",
         "took": "1 day, 2:00:00"},
    ]  # fmt: skip


def test_a_formula_gives_the_value_excel_stored_with_it(reader):
    data = with_cells(
        '<row r="2"><c r="A2"><f>1+1</f><v>2</v></c></row>'
        '<row r="3"><c r="A3" t="str"><f>"a"&amp;"b"</f><v>ab</v></c></row>'
        '<row r="4"><c r="A4" t="b"><f>TRUE()</f><v>1</v></c></row>'
        '<row r="5"><c r="A5"><f>1+1</f></c><c r="B5" t="inlineStr"><is><t></t></is></c></row>'
    )
    table = read_table(data, "a.xlsx")
    assert [row["h"] for row in table.rows] == ["2", "ab", "TRUE"]
    assert table.row_numbers == [2, 3, 4]


def test_an_error_cell_reads_as_its_text():
    data = with_cells(
        '<row r="2"><c r="A2" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'
        '<row r="3"><c r="A3" t="e"><v>#N/A</v></c></row>'
    )
    assert [row["h"] for row in read_table(data, "a.xlsx").rows] == ["#DIV/0!", "#N/A"]


def test_the_first_worksheet_is_read_even_after_a_chart_sheet(reader):
    book = openpyxl.Workbook()
    book.active.title = "Data"
    book.active.append(["name"])
    book.active.append(["a"])
    chart = BarChart()
    chart.add_data(Reference(book.active, min_col=1, min_row=1, max_row=2))
    book.create_chartsheet("Chart", 0).add_chart(chart)
    buffer = io.BytesIO()
    book.save(buffer)

    assert read_table(buffer.getvalue(), "a.xlsx").rows == [{"name": "a"}]


def test_cells_beyond_the_range_a_sheet_states_are_read(reader):
    """Some programs write a stale <dimension>; openpyxl used to stop at it, dropping rows."""
    data = with_cells(
        '<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row>'
        '<row r="3"><c r="A3" t="inlineStr"><is><t>y</t></is></c></row>',
        dimension="A1:A1",
    )
    assert read_table(data, "a.xlsx").rows == [{"h": "x"}, {"h": "y"}]


def test_cells_without_references_are_placed_in_order():
    data = with_cells(
        '<row><c t="inlineStr"><is><t>x</t></is></c></row>'
        '<row r="5"><c t="inlineStr"><is><t>y</t></is></c></row>'
    )
    table = read_table(data, "a.xlsx")
    assert table.rows == [{"h": "x"}, {"h": "y"}]
    assert table.row_numbers == [2, 5]


# Which reader a file gets ----------------------------------------------------------------------


def reader_for(data: bytes, monkeypatch) -> str:
    used = record_readers(monkeypatch)
    with contextlib.suppress(SpreadsheetError):
        read_table(data, "a.xlsx")
    return " then ".join(used)


def test_an_ordinary_workbook_is_read_with_calamine(monkeypatch):
    data = workbook({"A1": "name", "B1": "n", "A2": "a", "B2": -2.5, "AZ109999": "far"})
    assert reader_for(data, monkeypatch) == "calamine"


@pytest.mark.parametrize(
    "rows",
    [
        '<row r="2" spans="1:2"><c r="A2" s="1" t="str"><f>IF(B2,"No")</f><v>No</v></c></row>',
        '<row r="2"><c r="A2"><v>1.5E-05</v></c><c r="B2"><v>-123456789.25</v></c></row>',
        '<row r="2"><c r="A2" t="inlineStr"><is><t>Infinity and beyond</t></is></c></row>',
    ],
)
def test_cells_as_excel_writes_them_are_read_with_calamine(rows, monkeypatch):
    assert reader_for(with_cells(rows), monkeypatch) == "calamine"


@pytest.mark.parametrize(
    "rows",
    [
        '<row r="2"><c r="B110000"><v>1</v></c></row>',  # far down: a large grid
        '<row r="2"><c r="BA2"><v>1</v></c></row>',  # far across
        '<row r="2"><c r="A2" r="XFD1048576"><v>1</v></c></row>',  # a second reference
        '<row r="2"><c s="0" r="A2"><v>1</v></c></row>',  # not written as Excel writes it
        "<row><c><v>1</v></c></row>",  # placed by counting
        '<row r="2"><x:c xmlns:x="urn:x" r="A2"><v>1</v></x:c></row>',
        '<row r="2"><c r="A2" t="e"><v>#REF!</v></c></row>',
        '<row r="2"><c r="A2"><v>-1E+15</v></c></row>',
        '<row r="2"><c r="A2"><v>12345678901</v></c></row>',
        '<row r="2"><c r="A2"><v>NaN</v></c></row>',
    ],
)
def test_a_sheet_calamine_would_read_differently_or_unsafely_is_read_with_openpyxl(
    rows, monkeypatch
):
    assert reader_for(with_cells(rows), monkeypatch) == "openpyxl"


def test_cells_far_apart_are_read_without_filling_the_space_between():
    """calamine would allocate the grid between A1 and XFD1048576 (17 billion cells) and abort;
    openpyxl reads the rows between one by one, and is stopped at the limit on rows."""
    data = workbook({"A1": "name", "A2": "a", "XFD1048576": "far"})
    with pytest.raises(LimitExceeded, match="runs to more than 110,001 rows") as refused:
        read_table(data, "a.xlsx")
    assert refused.value.rows_read == 110_002


def test_a_date_cell_outside_the_calendar_reads_as_value_error():
    data = workbook({"A1": "when", "A2": -1e15}, {"A2": "yyyy-mm-dd"})
    with pytest.warns(UserWarning, match="outside the limits for dates"):
        assert read_table(data, "a.xlsx").rows == [{"when": "#VALUE!"}]


class PanicException(BaseException):
    """What pyo3 raises for a panic in Rust: not an Exception."""


class FailingWorkbook:
    def __init__(self, error: BaseException):
        self.error = error
        self.closed = False

    @property
    def sheets_metadata(self):
        raise self.error

    def close(self) -> None:
        self.closed = True


def test_a_panic_in_calamine_becomes_a_spreadsheet_error():
    failing = FailingWorkbook(PanicException("TimeDelta::milliseconds out of bounds"))
    with pytest.raises(SpreadsheetError, match=r"could not be read \(PanicException\)"):
        list(spreadsheets._calamine_sheet_rows(failing))
    assert failing.closed


def test_an_interrupt_while_reading_is_not_turned_into_a_spreadsheet_error():
    with pytest.raises(KeyboardInterrupt):
        list(spreadsheets._calamine_sheet_rows(FailingWorkbook(KeyboardInterrupt())))


# Where calamine reads a cell differently from openpyxl, on purpose -------------------------------


def test_escaped_characters_in_text_are_decoded():
    """Excel writes a carriage return in a cell as _x000D_ and a typed "_x" as _x005F_x; openpyxl
    returned these escapes as they were."""
    data = with_cells(
        '<row r="2"><c r="A2" t="inlineStr"><is><t>one_x000D_two</t></is></c></row>'
        '<row r="3"><c r="A3" t="inlineStr"><is><t>code _x005F_x0041_</t></is></c></row>'
    )
    assert read_table(data, "a.xlsx").rows == [{"h": "one\ntwo"}, {"h": "code _x0041_"}]


def test_a_number_in_a_date_cell_past_9999_reads_as_the_number():
    """Excel shows ##### for it; openpyxl gave #VALUE!."""
    data = workbook({"A1": "when", "A2": 3_000_000}, {"A2": "yyyy-mm-dd"})
    assert read_table(data, "a.xlsx").rows == [{"when": "3000000"}]
