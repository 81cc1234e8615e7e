import codecs
import contextlib
import datetime
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmf.spreadsheets import (
    LimitExceeded,
    Limits,
    SpreadsheetError,
    neutralise,
    parse_date,
    parse_number,
    parse_year,
    parse_yes_no,
    read_table,
    restore,
    write_csv,
    write_xlsx,
)


def xlsx(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_it_reads_a_csv_with_normalised_headers_and_row_numbers():
    data = b" Reference ,Data Source,data-source_2\r\n1, a ,b\r\n,,\r\n2,c,\r\n"
    table = read_table(data, "register.CSV")
    assert table.headers == ["reference", "data_source", "data_source_2"]
    assert table.label("data_source") == "Data Source"
    assert table.rows == [
        {"reference": "1", "data_source": "a", "data_source_2": "b"},
        {"reference": "2", "data_source": "c", "data_source_2": ""},
    ]
    assert table.row_numbers == [2, 4]


def test_it_reads_utf8_with_a_bom_and_falls_back_to_windows_1252():
    assert read_table("\ufeffname\r\n£5\r\n".encode(), "a.csv").rows == [{"name": "£5"}]
    assert read_table("name\r\n£5 – ok\r\n".encode("cp1252"), "a.csv").rows == [{"name": "£5 – ok"}]


WESTERN = "Café façade; naïve Zoë: £5 – €10 at 25°C; ½ done … “Éire” O’Brien; à la carte"
JAPANESE = "名前,値\r\n山田太郎,1\r\n"


def test_windows_1252_text_reads_exactly():
    data = f"name,note\r\nA,{WESTERN}\r\n".encode("cp1252")
    assert read_table(data, "a.csv").rows == [{"name": "A", "note": WESTERN}]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(
            codecs.BOM_UTF16_LE + f"name,note\r\nA,{WESTERN}\r\n".encode("utf-16-le"),
            id="utf-16-le",
        ),
        pytest.param(
            codecs.BOM_UTF16_BE + f"name,note\r\nA,{WESTERN}\r\n".encode("utf-16-be"),
            id="utf-16-be",
        ),
        pytest.param(f"name,note\r\nA,{WESTERN}\r\n".encode("utf-32"), id="utf-32"),
        pytest.param(f"name,note\r\nA,{WESTERN}\r\n".encode("utf-8-sig"), id="utf-8-bom"),
    ],
)
def test_text_with_a_byte_order_mark_is_read_in_its_encoding(data):
    assert read_table(data, "a.csv").rows == [{"name": "A", "note": WESTERN}]


def test_japanese_in_utf16_reads_too():
    table = read_table(JAPANESE.encode("utf-16"), "a.csv")
    assert table.labels == {"名前": "名前", "値": "値"} and table.rows == [
        {"名前": "山田太郎", "値": "1"}
    ]


@pytest.mark.parametrize(
    "text",
    [
        JAPANESE,
        "name\r\nテスト\r\n",  # ƒeƒXƒg in Windows-1252
        "name,place\r\n日本,東京都\r\n",  # “ú–{ and “Œ‹ž“s
        "name\r\nｱｲｳ\r\n",  # ±²³
        "name\r\nさくら\r\n",
    ],
)
def test_shift_jis_is_refused_not_read_as_windows_1252(text):
    data = text.encode("shift_jis")
    with pytest.raises(SpreadsheetError, match="save it as “CSV UTF-8"):
        read_table(data, "a.csv")


def test_utf16_without_its_mark_or_broken_is_refused_with_a_clear_message():
    with pytest.raises(SpreadsheetError, match="NUL character"):
        read_table("name\r\nA\r\n".encode("utf-16-le"), "a.csv")
    with pytest.raises(SpreadsheetError, match="starts like UTF-16 text but is not valid UTF-16"):
        read_table(codecs.BOM_UTF16_LE + "name\r\n".encode("utf-16-le") + b"\x00\xd8", "a.csv")
    with pytest.raises(SpreadsheetError, match="NUL character"):
        read_table(codecs.BOM_UTF16_LE + "name\r\nA\x00B\r\n".encode("utf-16-le"), "a.csv")


def test_a_record_spanning_lines_is_one_row_with_lf_line_endings():
    table = read_table(b'name,x\r\n"one\r\ntwo",1\r\nthree,2\r\n', "a.csv")
    assert table.rows[0]["name"] == "one\ntwo"
    assert table.row_numbers == [2, 3]


def test_it_reads_the_first_sheet_of_an_xlsx():
    workbook = openpyxl.Workbook()
    workbook.active.append(["Name", "Count", "Ratio", "When", "Formula", "Flag"])
    workbook.active.append([" a ", 3, 2.5, datetime.datetime(2024, 4, 1), "=1+1", True])
    workbook.active.append([None, 4.0, -5, datetime.date(2024, 5, 2), None, None])
    workbook.create_sheet("Other").append(["ignored"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    table = read_table(buffer.getvalue(), "a.xlsx")

    assert table.headers == ["name", "count", "ratio", "when", "formula", "flag"]
    # The formula has no cached value (openpyxl wrote it), so it reads as blank, never evaluated.
    assert table.rows == [
        {"name": "a", "count": "3", "ratio": "2.5", "when": "2024-04-01", "formula": "",
         "flag": "TRUE"},
        {"name": "", "count": "4", "ratio": "-5", "when": "2024-05-02", "formula": "",
         "flag": ""},
    ]  # fmt: skip
    assert table.row_numbers == [2, 3]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"name\r\n1\r\n", "register.txt", "not a CSV or XLSX"),
        (b"", "a.csv", "empty"),
        (b"  \r\n", "a.csv", "empty"),
        (b"", "a.xlsx", "empty"),
        (b"\x89PNG\r\n\x1a\n random bytes", "a.xlsx", "not a real Excel"),
        (b"name,Name\r\n1,2\r\n", "a.csv", "repeats the heading"),
        (b"data source,data_source\r\n1,2\r\n", "a.csv", "repeats the heading"),
        (b",,\r\n1,2,3\r\n", "a.csv", "first row must hold the column headings"),
        (b"a,b\r\n1,2,3\r\n", "a.csv", "Row 2 has a value in column C"),
        (b"\x81\x8d\x8f\x90\x9d", "a.csv", "not UTF-8, and does not read as Windows-1252"),
    ],
)
def test_it_refuses_bad_files_with_a_message(data, filename, message):
    with pytest.raises(SpreadsheetError, match=message):
        read_table(data, filename)


def test_it_refuses_a_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hello")
    with pytest.raises(SpreadsheetError, match="could not be opened as an Excel workbook"):
        read_table(buffer.getvalue(), "a.xlsx")


def test_it_refuses_a_zip_bomb_before_unpacking_it():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 1024 * 1024))
    assert len(buffer.getvalue()) < 100_000
    with pytest.raises(SpreadsheetError, match="unpacks to far more data"):
        read_table(buffer.getvalue(), "bomb.xlsx")


def test_it_refuses_too_many_rows_and_too_many_bytes():
    data = b"n\r\n" + b"1\r\n" * 11
    assert len(read_table(data, "a.csv", limits=Limits(rows=11)).rows) == 11
    with pytest.raises(LimitExceeded, match="more than 10 rows") as refused:
        read_table(data, "a.csv", limits=Limits(rows=10))
    assert refused.value.limit == "rows" and refused.value.rows_read == 12
    with pytest.raises(SpreadsheetError, match="larger than"):
        read_table(b"n\r\n" + b"x" * (1024 * 1024), "a.csv", max_bytes=1024 * 1024)


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'=x", "''@x"])
def test_neutralise_quotes_formula_text_and_restore_undoes_it(text):
    assert neutralise(text) == "'" + text
    assert restore(neutralise(text)) == text


@pytest.mark.parametrize("value", ["plain", "'quoted", "", -5, -5.5, Decimal("-1"), None])
def test_neutralise_leaves_other_values_alone(value):
    assert neutralise(value) == value


def test_write_csv_has_a_bom_neutralises_text_and_keeps_numbers():
    data = write_csv(
        ["name", "n", "d", "when"],
        [['=HYPERLINK("http://x")', -5, Decimal("95.0000"), datetime.date(2024, 4, 1)]],
    )
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines()[1] == (
        '"\'=HYPERLINK(""http://x"")",-5,95,2024-04-01'
    )


def test_write_xlsx_has_a_bold_frozen_header_and_no_formulas():
    data = write_xlsx(
        ["name", "n"], [['=HYPERLINK("http://x")', -5], ["a\x07b", Decimal("2.5")]], "KPIs"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.title == "KPIs"
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b
    assert sheet["A2"].value == '\'=HYPERLINK("http://x")'
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].value == -5
    assert sheet["B2"].data_type == "n"
    assert sheet["A3"].value == "ab"
    assert sheet["B3"].value == 2.5


@pytest.mark.parametrize("writer", ["csv", "xlsx"])
def test_what_is_written_reads_back_the_same(writer):
    rows = [["=bad", "'=quoted", "line one\r\nline two", "-5", "plain"]]
    headers = ["a", "b", "c", "d", "e"]
    if writer == "csv":
        data, name = write_csv(headers, rows), "x.csv"
    else:
        data, name = write_xlsx(headers, rows, "x"), "x.xlsx"
    assert read_table(data, name).rows == [
        {"a": "=bad", "b": "'=quoted", "c": "line one\nline two", "d": "-5", "e": "plain"}
    ]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(data=st.binary(max_size=2000), extension=st.sampled_from([".csv", ".xlsx"]))
def test_read_table_raises_only_spreadsheet_error_on_any_bytes(data, extension):
    with contextlib.suppress(SpreadsheetError):
        read_table(data, "fuzz" + extension)


def _mutated_xlsx(position: int, byte: int) -> bytes:
    data = bytearray(xlsx([["name", "n"], ["a", 1]]))
    data[position % len(data)] = byte
    return bytes(data)


@settings(max_examples=300, deadline=None)
@given(position=st.integers(min_value=0), byte=st.integers(min_value=0, max_value=255))
def test_read_table_raises_only_spreadsheet_error_on_a_damaged_xlsx(position, byte):
    with contextlib.suppress(SpreadsheetError):
        read_table(_mutated_xlsx(position, byte), "damaged.xlsx")


WORKBOOK_PARTS = [
    "[Content_Types].xml",
    "xl/workbook.xml",
    "xl/worksheets/sheet1.xml",
    "xl/_rels/workbook.xml.rels",
    "xl/styles.xml",
    "xl/sharedStrings.xml",
]


@pytest.mark.filterwarnings("ignore:Workbook contains no stylesheet:UserWarning")
@settings(max_examples=200, deadline=None)
@given(
    part=st.sampled_from(WORKBOOK_PARTS),
    content=st.one_of(
        st.binary(max_size=500),
        st.text(max_size=500).map(str.encode),
        st.sampled_from(
            [
                b"<x>",
                b"<?xml version='1.0'?><worksheet/>",
                b"<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>",
            ]
        ),
    ),
)
def test_read_table_raises_only_spreadsheet_error_when_a_workbook_part_is_junk(part, content):
    source = zipfile.ZipFile(io.BytesIO(xlsx([["name", "n"], ["a", 1]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name in source.namelist():
            target.writestr(name, content if name == part else source.read(name))
    with contextlib.suppress(SpreadsheetError):
        read_table(buffer.getvalue(), "junk.xlsx")


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1,250.50", Decimal("1250.50")),
        ("£1250.5", Decimal("1250.5")),
        ("72.5%", Decimal("72.5")),
        ("12.30000", Decimal("12.3000")),  # zeros past the fourth place are only zeros
        ("", None),
    ],
)
def test_a_number_cell_reads_as_people_type_it(text, number):
    assert parse_number(text) == number


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ninety", "is not a number"),
        ("NaN", "is not a number"),
        ("1.23456", "more than 4 decimal places"),
        ("1e999999999", "too large"),
        ("100000000000000", "too large"),
    ],
)
def test_a_bad_number_cell_says_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        parse_number(text)


def test_a_smaller_field_takes_smaller_numbers():
    assert parse_number("999999999999.9999", max_digits=16) == Decimal("999999999999.9999")
    with pytest.raises(ValueError, match="too large"):
        parse_number("1000000000000", max_digits=16)


def test_yes_no_years_and_dates_read_one_way():
    assert parse_yes_no(" Yes ") is True and parse_yes_no("n") is False
    with pytest.raises(ValueError, match="not yes or no"):
        parse_yes_no("maybe")
    assert parse_year("2030") == 2030
    with pytest.raises(ValueError, match="not a year"):
        parse_year("30")
    assert parse_date("01/04/2024") == parse_date("2024-04-01") == datetime.date(2024, 4, 1)
    with pytest.raises(ValueError, match="not a date"):
        parse_date("April")
