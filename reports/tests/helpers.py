import functools
import io

from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader


@functools.lru_cache(maxsize=8)
def pdf_pages(pdf: bytes) -> tuple[str, ...]:
    """Each page's text; reading a pack's text takes most of a second, so tests share it."""
    return tuple(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def pdf_text(pdf: bytes) -> str:
    return "\n".join(pdf_pages(pdf))


def docx_document(docx: bytes):
    """A Word pack read back with python-docx."""
    return Document(io.BytesIO(docx))


def docx_headings(document) -> list[tuple[int, str]]:
    """Every heading as (level, text), in order: the paragraphs in Word's Heading n styles."""
    return [
        (int(p.style.name.removeprefix("Heading ")), p.text)
        for p in document.paragraphs
        if p.style.name.startswith("Heading ")
    ]


def docx_table(document, caption: str):
    """The table whose title (Word's alt text for a table, w:tblCaption) is `caption`."""
    found = [
        table
        for table in document.tables
        if table._tbl.tblPr.find(qn("w:tblCaption")) is not None
        and table._tbl.tblPr.find(qn("w:tblCaption")).get(qn("w:val")) == caption
    ]
    assert len(found) == 1, f"{len(found)} tables titled {caption!r}"
    return found[0]


def docx_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def docx_fill(cell) -> str | None:
    """A cell's fill colour as "#rrggbb", or None."""
    shading = cell._tc.tcPr.find(qn("w:shd")) if cell._tc.tcPr is not None else None
    return None if shading is None else "#" + shading.get(qn("w:fill")).lower()


def docx_text(document) -> str:
    """Every paragraph's text, in the body and in its tables' cells, a line each."""
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(lines)
