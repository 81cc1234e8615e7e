"""Reading and writing the CSV and XLSX files that people upload and download.

Every import reads through `read_table`, which turns any bad file into a `SpreadsheetError` with a
message fit to show the person who uploaded it, and holds every file to `Limits` (rows, columns,
cells, characters in a cell, size unpacked) whichever reader reads it. Every export writes through
`write_csv` or `write_xlsx`, which neutralise text that a spreadsheet would run as a formula.
"""

import codecs
import csv
import datetime
import io
import math
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from python_calamine import CalamineWorkbook, SheetTypeEnum

from pmf.formatting import input_text

MB = 1024 * 1024
MAX_BYTES = 20 * MB
MAX_XLSX_RATIO = 100
# Below this a high compression ratio is harmless, and small sheets of repeated cells reach it.
XLSX_RATIO_FLOOR = 5 * 1024 * 1024

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
EXTENSIONS = (".csv", ".xlsx")


class SpreadsheetError(ValueError):
    """A file that cannot be read as a table; the message is written for the person uploading."""


@dataclass(frozen=True)
class Limits:
    """What one file may hold (docs/import-formats.md, "Limits"). A council's largest real files
    fit well within them: a historic load of 100,000 values (`bench/bench_values_import.py`), a
    register of 2,000 KPIs in 34 columns. A file over any of them is refused, saying which, before
    its sheet is parsed where the file's XML shows it (an XLSX's rows and cells are counted in its
    XML first: calamine parses a whole sheet at once), and otherwise as soon as reading reaches it.
    """

    rows: int = 100_000  # rows with a value, below the headings
    columns: int = 200  # the widest formats have 34; a value beyond this column is refused
    cells: int = 1_200_000  # cells holding a value: 100,000 rows of 12 columns (values have 10)
    cell_characters: int = 32_767  # the most Excel itself holds in a cell
    unpacked_bytes: int = 100 * MB  # an XLSX's parts, uncompressed

    @property
    def sheet_rows(self) -> int:
        """Rows read, the headings and blank rows included: the limit on rows, the heading row,
        and a tenth more for blank rows."""
        return self.rows + 1 + self.rows // 10


LIMITS = Limits()


class LimitExceeded(SpreadsheetError):
    """A file over one of its `Limits`: `limit` names it (a field of Limits), `rows_read` is how
    many of the sheet's rows had been read when it was refused (0: refused before reading)."""

    def __init__(self, message: str, *, limit: str, rows_read: int) -> None:
        super().__init__(message)
        self.limit = limit
        self.rows_read = rows_read


@dataclass
class Table:
    """`headers` are normalised (see `normalise_header`), in file order; each row maps every
    header to its cell; `row_numbers[i]` is the spreadsheet row of `rows[i]`; `labels` maps a
    normalised header to the text the file used."""

    headers: list[str]
    rows: list[dict[str, str]]
    row_numbers: list[int]
    labels: dict[str, str] = field(default_factory=dict)

    def label(self, header: str) -> str:
        """The header as the file wrote it, for messages."""
        return self.labels.get(header, header)

    def numbered(self) -> Iterator[tuple[int, dict[str, str]]]:
        return zip(self.row_numbers, self.rows, strict=True)


def normalise_header(text: str) -> str:
    return re.sub(r"[\s_\-]+", "_", text.strip().lower()).strip("_")


def read_table(
    data: bytes, filename: str, *, limits: Limits = LIMITS, max_bytes: int = MAX_BYTES
) -> Table:
    """Read the first sheet of a CSV or XLSX file: a header row, then one dict per non-blank row.

    Cells come back as stripped strings with LF line endings, and without the quote that
    `neutralise` adds on export. Row numbers are the ones a spreadsheet shows (headings are row 1).
    A file over any of `limits` raises LimitExceeded.
    """
    extension = PurePath(filename or "").suffix.lower()
    if extension not in EXTENSIONS:
        raise SpreadsheetError(
            f"{quoted(filename)} is not a CSV or XLSX file. Save it as .csv or .xlsx and upload it "
            "again."
        )
    if not data:
        raise SpreadsheetError("The file is empty.")
    if len(data) > max_bytes:
        raise SpreadsheetError(
            f"The file is larger than {max_bytes // MB} MB. Split it into smaller files."
        )
    raw_rows = _xlsx_rows(data, limits) if extension == ".xlsx" else _csv_rows(data)
    try:
        return _build_table(raw_rows, limits)
    except SpreadsheetError:
        raise
    except Exception as error:  # the readers and zipfile raise many kinds while reading rows
        raise SpreadsheetError(f"The file could not be read ({type(error).__name__}).") from error


def _build_table(raw_rows: Iterator[list[str]], limits: Limits) -> Table:
    header_cells = next(raw_rows, None)
    if header_cells is None or not any(header_cells):
        raise SpreadsheetError(
            "The first row must hold the column headings, but it is empty or missing."
        )
    reading = _Reading(limits)
    header_cells = reading.row(1, header_cells)
    for position, text in enumerate(header_cells, start=1):
        if text:
            reading.cell(position, text)
    headers, labels = _headers(header_cells)
    rows: list[dict[str, str]] = []
    row_numbers: list[int] = []
    for row_number, cells in enumerate(raw_rows, start=2):
        cells = reading.row(row_number, cells)
        if not any(cells):
            continue
        if len(rows) >= limits.rows:
            raise reading.exceeded(
                "rows",
                f"The file has more than {limits.rows:,} rows, the most one file may have. "
                "Split it into smaller files.",
            )
        row = dict.fromkeys(labels, "")
        for position, text in enumerate(cells, start=1):
            if not text:
                continue
            key = headers[position - 1] if position <= len(headers) else None
            if key is None:
                raise SpreadsheetError(
                    f"Row {row_number} has a value in column {_column_name(position)}, "
                    "which has no heading. Add a heading or delete the value."
                )
            reading.cell(position, text)
            row[key] = _one_line_ending(restore(text))
        rows.append(row)
        row_numbers.append(row_number)
    return Table(headers=list(labels), rows=rows, row_numbers=row_numbers, labels=labels)


def _headers(cells: list[str]) -> tuple[list[str | None], dict[str, str]]:
    """Each column's normalised heading (None for none), and the text the file gave each."""
    headers: list[str | None] = []
    labels: dict[str, str] = {}
    for position, text in enumerate(cells, start=1):
        key = normalise_header(text)
        if not key:
            headers.append(None)
            continue
        if key in labels:
            raise SpreadsheetError(
                f"Column {_column_name(position)} ({quoted(text)}) repeats the heading "
                f"{quoted(labels[key])}. Each column needs a different heading."
            )
        labels[key] = text
        headers.append(key)
    return headers, labels


class _Reading:
    """The limits kept while a sheet's rows are read, whichever reader reads them."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.rows_read = 0
        self.cells = 0
        self.row_number = 0

    def exceeded(self, limit: str, message: str) -> LimitExceeded:
        return LimitExceeded(message, limit=limit, rows_read=self.rows_read)

    def row(self, row_number: int, cells: list[str]) -> list[str]:
        """The row, without empty cells beyond the last column a file may use."""
        self.rows_read += 1
        self.row_number = row_number
        limits = self.limits
        if row_number > limits.sheet_rows:
            raise self.exceeded(
                "rows",
                f"The file runs to more than {limits.sheet_rows:,} rows, blank ones included "
                f"(a file may have at most {limits.rows:,}). Split it into smaller files, or "
                "delete the blank rows at its end.",
            )
        if len(cells) > limits.columns:
            if any(cells[limits.columns :]):
                raise self.exceeded(
                    "columns",
                    f"Row {row_number} has values in more than {limits.columns:,} columns, the "
                    "most a file may have. Delete the columns the import does not use.",
                )
            cells = cells[: limits.columns]
        return cells

    def cell(self, position: int, text: str) -> None:
        self.cells += 1
        if self.cells > self.limits.cells:
            raise self.exceeded(
                "cells",
                f"The file has more than {self.limits.cells:,} cells with values, the most one "
                "file may have. Split it into smaller files.",
            )
        if len(text) > self.limits.cell_characters:
            raise self.exceeded(
                "cell_characters",
                f"Row {self.row_number}, column {_column_name(position)} holds more than "
                f"{self.limits.cell_characters:,} characters, more than a spreadsheet cell can "
                "hold. Shorten it.",
            )


def shorten(text: str, length: int = 60) -> str:
    """Text from a file, cut short to quote in a message."""
    return text if len(text) <= length else text[: length - 1] + "…"


def quoted(text: str) -> str:
    """Text from a file in quotes, cut short, for a message about it."""
    return f"“{shorten(text)}”"


def _one_line_ending(text: str) -> str:
    # XLSX turns CRLF into LF on the way through XML; CSV keeps it. Read both the same way.
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _column_name(position: int) -> str:
    """1 → A, 27 → AA: how a spreadsheet names a column."""
    name = ""
    while position:
        position, remainder = divmod(position - 1, 26)
        name = chr(65 + remainder) + name
    return name


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    text = _decode(data)
    if not text.strip():
        raise SpreadsheetError("The file is empty.")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for record in reader:
            yield [cell.strip() for cell in record]
    except csv.Error as error:
        raise SpreadsheetError(
            f"Row {reader.line_num} could not be read as CSV ({error})."
        ) from error


# A byte-order mark says how a text file is encoded (UTF-32's must be tried before UTF-16's,
# which it starts with). Excel writes UTF-8 with one ("CSV UTF-8"), and UTF-16 with one.
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
SAVE_AS_UTF8 = "In Excel, save it as “CSV UTF-8 (Comma delimited)” and upload it again."
NOT_TEXT = "The file holds a NUL character, so it is not a text CSV file. Save it again as CSV."


def _decode(data: bytes) -> str:
    """The text of a CSV file: as its byte-order mark says; else UTF-8; else Windows-1252, only
    if that reads as Western European text (`_plausibly_western`); else refused."""
    for mark, codec, name in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as error:
                raise SpreadsheetError(
                    f"The file starts like {name} text but is not valid {name}. {SAVE_AS_UTF8}"
                ) from error
            break
    else:
        # Without a mark a NUL is never text (and PostgreSQL refuses it): a binary file.
        if b"\x00" in data:
            raise SpreadsheetError(NOT_TEXT)
        text = _utf8_or_windows_1252(data)
    if "\x00" in text:
        raise SpreadsheetError(NOT_TEXT)
    return text


def _utf8_or_windows_1252(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    if text is None or not _plausibly_western(text):
        raise SpreadsheetError(
            "The file's text is not UTF-8, and does not read as Windows-1252 (Western European) "
            f"text either, so it cannot be read without garbling it. {SAVE_AS_UTF8}"
        )
    return text


# What Western European text in Windows-1252 holds beyond ASCII besides letters: currency, marks
# of measure, fractions, quotes, dashes, bullets, the no-break space. Not ‚ ƒ ˆ ‰ ‹ › ˜ † ‡ ¦ ¨
# ¯ ´ ¸ ¤ ¬ and the like, which other encodings' bytes (Shift-JIS's above all) decode to.
_WESTERN_SIGNS = frozenset("£€¢¥°±²³¹¼½¾©®™§¶·•…‘’“”„«»–—\xa0×÷¿¡")
_UNLIKELY_LETTERS = frozenset("ƒ")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


def _plausibly_western(text: str) -> bool:
    """Whether text decoded as Windows-1252 reads as Western European text, not as another
    encoding's bytes: every sign one such text uses; every accented letter part of a word or
    standing alone, not wedged between signs; no run of three signs and letters together.

    Shift-JIS read this way gives “ú–{ for 日本, ƒeƒXƒg for テスト, ±²³ for ｱｲｳ.
    """
    for match in _NON_ASCII_RUN.finditer(text):
        run = match.group()
        if len(run) >= 3 and not run.isalpha():
            return False
        before = text[match.start() - 1] if match.start() else " "
        after = text[match.end()] if match.end() < len(text) else " "
        around = before + run + after
        for position, char in enumerate(run, start=1):
            if not char.isalpha():
                if char not in _WESTERN_SIGNS:
                    return False
                continue
            if char in _UNLIKELY_LETTERS:
                return False
            left, right = around[position - 1], around[position + 1]
            wedged = not left.isascii() or not right.isascii()
            if wedged and not (left.isalpha() or right.isalpha()):
                return False
    return True


def _xlsx_rows(data: bytes, limits: Limits = LIMITS) -> Iterator[list[str]]:
    """The first worksheet's rows, read with calamine, or with openpyxl where calamine would read
    the file differently or unsafely (see `_is_plain_sheet`)."""
    _check_zip(data, limits)
    unpacked, plain = _unpack(data, limits)
    if plain:
        return _calamine_rows(unpacked)
    return _openpyxl_rows(data)


def _check_zip(data: bytes, limits: Limits) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except Exception as error:  # zipfile raises struct, unicode and other errors on junk
        raise SpreadsheetError(
            "The file is not a real Excel (.xlsx) workbook. Save it again as .xlsx."
        ) from error
    if unpacked > XLSX_RATIO_FLOOR and unpacked > MAX_XLSX_RATIO * len(data):
        raise SpreadsheetError("The workbook unpacks to far more data than it holds; refused.")
    if unpacked > limits.unpacked_bytes:
        raise LimitExceeded(
            f"The workbook unpacks to more than {limits.unpacked_bytes // MB} MB of data, the most "
            "one file may. Split it into smaller files, or save it as CSV.",
            limit="unpacked_bytes",
            rows_read=0,
        )


def _unpack(data: bytes, limits: Limits) -> tuple[bytes, bool]:
    """The workbook again with its parts stored uncompressed, and whether its sheets are plain.

    calamine is given this copy rather than the upload, so that it parses exactly the parts that
    were checked, as zipfile reads them: one part to a name, none longer than its stated size.
    Every sheet's rows and cells, and the shared strings, are counted here, before either reader
    parses anything (`_check_counts`).
    """
    buffer = io.BytesIO()
    plain = True
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as copy:
            parts = {info.filename: info for info in source.infolist()}  # the last of a name wins
            for name, info in parts.items():
                part = source.read(info)
                _check_counts(part, limits)
                if plain and b"sheetData" in part:
                    plain = _is_plain_sheet(part)
                copy.writestr(name, part)
    except SpreadsheetError:
        raise
    except Exception as error:  # zipfile raises CRC, zlib, encryption and other errors
        raise SpreadsheetError(f"The file could not be read ({type(error).__name__}).") from error
    return buffer.getvalue(), plain


def _check_counts(part: bytes, limits: Limits) -> None:
    """Refuse a part holding more rows or cells than a file may, by counting its elements (a few
    fast scans, where parsing the XML takes seconds): a sheet's <row>s and its cells' values
    (<v> or an inline string's <is>), and the shared strings (<si>), which both readers load
    before the first row. A part written with namespace prefixes is not counted here: openpyxl
    reads such sheets, and `_Reading` stops it part way."""
    if b"<sheetData" in part:
        rows = part.count(b"<row ") + part.count(b"<row>")
        if rows > limits.sheet_rows:
            raise LimitExceeded(
                f"The worksheet has {rows:,} rows, blank ones included; a file may have at most "
                f"{limits.rows:,}. Split it into smaller files.",
                limit="rows",
                rows_read=0,
            )
        cells = part.count(b"<v>") + part.count(b"<v ") + part.count(b"<is>")
        what = "cells with values"
    elif b"<sst" in part:
        cells = part.count(b"<si>") + part.count(b"<si ")
        what = "different texts in its cells"
    else:
        return
    if cells > limits.cells:
        raise LimitExceeded(
            f"The workbook has {cells:,} {what}; a file may have at most {limits.cells:,} cells "
            "with values. Split it into smaller files.",
            limit="cells",
            rows_read=0,
        )


# Cell references that calamine can place without building an outsized grid: columns A to AZ,
# rows 1 to 109,999 (Limits.rows with room for blank rows; rows beyond it are refused anyway).
_PLAIN_REFERENCE = rb"(?:A?[A-Z])?(?:[1-9][0-9]{0,4}|10[0-9]{4})"
_UNPLAIN_CELL = re.compile(rb'<c(?=[\s/>])(?! r="' + _PLAIN_REFERENCE + rb'")')
_PREFIXED_CELL = re.compile(rb"<[A-Za-z_][\w.-]*:c(?=[\s/>])")
_UNPLAIN_R = re.compile(rb"r\s*=\s*[\"'](?!" + _PLAIN_REFERENCE + rb"[\"'])")
_ERROR_CELL = re.compile(rb"(?<![^\s\"'])t\s*=\s*([\"'])e\1")
# A billion or more, or not finite: calamine refuses the whole file if such a number is in a date
# or duration cell (or crashes, if it is a large negative), where openpyxl reads it as #VALUE!.
_HUGE_NUMBER = re.compile(
    rb"<v>\s*[-+]?(?:[0-9]{10}|\.?[0-9][0-9.]*[eE]\+?[0-9]|(?i:inf|infinity|nan)\s*<)"
)


def _is_plain_sheet(xml: bytes) -> bool:
    """Whether calamine reads this sheet as openpyxl does, in memory bounded by the sheet's size.

    calamine fills a grid from the first to the last cell before it yields a row, and the
    process aborts if the grid cannot be allocated: a few bytes can name cells A1 and
    XFD1048576. So every cell must start `<c r="B12"` (as Excel and openpyxl write them),
    within `_PLAIN_REFERENCE`, and have no second `r`. And calamine reads an error cell
    (#DIV/0!) as blank, where openpyxl gives its text, and fails on `_HUGE_NUMBER`s.
    """
    if _UNPLAIN_CELL.search(xml):
        return False
    if b":c" in xml and _PREFIXED_CELL.search(xml):
        return False
    for match in _UNPLAIN_R.finditer(xml):
        if xml[match.start() - 1 : match.start()] in (b" ", b"\t", b"\r", b"\n", b'"', b"'"):
            return False
    if (b'"e"' in xml or b"'e'" in xml) and _ERROR_CELL.search(xml):
        return False
    return not _HUGE_NUMBER.search(xml)


def _calamine_rows(data: bytes) -> Iterator[list[str]]:
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except BaseException as error:
        if not isinstance(error, Exception) and not _is_rust_panic(error):
            raise
        raise SpreadsheetError(
            "The file could not be opened as an Excel workbook. Save it again as .xlsx."
        ) from error
    return _calamine_sheet_rows(workbook)


def _calamine_sheet_rows(workbook: CalamineWorkbook) -> Iterator[list[str]]:
    try:
        kinds = [sheet.typ for sheet in workbook.sheets_metadata]
        if SheetTypeEnum.WorkSheet not in kinds:  # openpyxl skips chart sheets too
            raise SpreadsheetError("The workbook has no worksheets.")
        sheet = workbook.get_sheet_by_index(kinds.index(SheetTypeEnum.WorkSheet))
        if sheet.start is None:  # no cells at all (and iter_rows would panic)
            return
        # calamine yields an empty row for each blank row above the first cell, but starts every
        # row at the first column with a cell: put back the blank columns before it.
        blank_columns = [""] * sheet.start[1]
        for values in sheet.iter_rows():
            yield blank_columns + [_cell_text(value) for value in values]
    except BaseException as error:
        if not _is_rust_panic(error):
            raise
        raise SpreadsheetError("The file could not be read (PanicException).") from error
    finally:
        workbook.close()


def _is_rust_panic(error: BaseException) -> bool:
    # pyo3 raises a panic in Rust as PanicException, which derives from BaseException only.
    return type(error).__name__ == "PanicException"


def _openpyxl_rows(data: bytes) -> Iterator[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises KeyError, XML errors and more for broken files
        raise SpreadsheetError(
            "The file could not be opened as an Excel workbook. Save it again as .xlsx."
        ) from error
    return _openpyxl_sheet_rows(workbook)


def _openpyxl_sheet_rows(workbook: Any) -> Iterator[list[str]]:
    try:
        if not workbook.worksheets:
            raise SpreadsheetError("The workbook has no worksheets.")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # read every cell, as calamine does, whatever range it states
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(value) for value in values]
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    if isinstance(value, str):  # first: most cells are text
        return value.replace("\x00", "").strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).replace("\x00", "").strip()


# Reading cells ------------------------------------------------------------------------------------
# Every import reads a cell's text through these, so a number, a yes or no, a year or a date
# means the same, and is refused with the same words, in every file. They raise ValueError with
# a message fit for the row's error list.

YES = frozenset({"yes", "y", "true", "1"})
NO = frozenset({"no", "n", "false", "0"})


def parse_number(text: str, *, max_digits: int = 18, decimal_places: int = 4) -> Decimal | None:
    """A number as people type it (1,250.50, £1250.5, 72.5%), fitting a DecimalField of that
    size: blank is None; more decimal places than stored are refused unless they are zeros."""
    if not text:
        return None
    try:
        number = Decimal(re.sub(r"[£%,\s]", "", text))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValueError(f"{quoted(text)} is not a number. Enter a number, like 95 or 12.5.")
    too_large = Decimal(10) ** (max_digits - decimal_places)
    if number.copy_abs() >= too_large:  # before quantizing, which fails on a huge number
        raise ValueError(f"{quoted(text)} is too large.")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -decimal_places:
        rounded = number.quantize(Decimal(1).scaleb(-decimal_places))
        if number != rounded:
            raise ValueError(
                f"{quoted(text)} has more than {decimal_places} decimal places. Round it, "
                f"for example with Excel's ROUND function."
            )
        number = rounded
    return number


def parse_yes_no(text: str) -> bool:
    key = text.strip().lower()
    if key in YES:
        return True
    if key in NO:
        return False
    raise ValueError(f"{quoted(text)} is not yes or no. Use yes or no.")


def parse_year(text: str) -> int:
    if not re.fullmatch(r"\d{4}", text) or not 1900 <= int(text) <= 2999:
        raise ValueError(f"{quoted(text)} is not a year. Enter a year, like 2030.")
    return int(text)


def parse_date(text: str) -> datetime.date:
    """A date as 2024-04-01 or 01/04/2024 (day first, as in the UK)."""
    try:
        return datetime.datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        pass
    try:
        return datetime.datetime.fromisoformat(text).date()
    except ValueError:
        raise ValueError(
            f"{quoted(text)} is not a date. Enter a date as YYYY-MM-DD or DD/MM/YYYY, like "
            "2024-04-01."
        ) from None


# Writing cells ------------------------------------------------------------------------------------


def _is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def neutralise(value: Any) -> Any:
    """Stop a spreadsheet running a text cell as a formula (OWASP CSV injection advice).

    Text starting with = + - @ tab or CR gets a leading quote. So that `restore` can undo it
    exactly, text that already starts with quotes before such a character gets one more.
    Numbers, dates and everything else are returned as they are.
    """
    if not isinstance(value, str):
        return value
    if _is_formula_like(value.lstrip("'")):
        return "'" + value
    return value


def restore(text: str) -> str:
    """Undo `neutralise`, so that an exported file imports back unchanged."""
    if text.startswith("'") and _is_formula_like(text.lstrip("'")):
        return text[1:]
    return text


def write_csv(headers: list[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with a byte-order mark, which Excel needs to read anything beyond ASCII."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(header) for header in headers])
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return input_text(value)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return neutralise(value)


def write_xlsx(
    headers: list[str],
    rows: Iterable[Sequence],
    sheet_title: str,
    *,
    more_sheets: Sequence[tuple[str, list[str], Iterable[Sequence]]] = (),
) -> bytes:
    """One sheet with a bold, frozen header row; then any `more_sheets` (title, headers, rows),
    each the same way."""
    workbook = Workbook(write_only=True)
    for title, sheet_headers, sheet_rows in [(sheet_title, headers, rows), *more_sheets]:
        _write_sheet(workbook, title, sheet_headers, sheet_rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_sheet(workbook: Workbook, title: str, headers: list[str], rows: Iterable[Sequence]):
    sheet = workbook.create_sheet(title=_sheet_title(title))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=_xlsx_cell(header))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_xlsx_cell(value) for value in row])


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, str):
        # XML cannot hold most control characters; openpyxl refuses the whole file if one is left.
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _sheet_title(title: str) -> str:
    cleaned = re.sub(r"[\\/*?:\[\]]", " ", title).strip("' ") or "Sheet1"
    return cleaned[:31]
