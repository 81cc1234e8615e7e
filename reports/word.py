"""The committee pack as a Word document, for clerks who assemble agendas from Word files.

`render_docx(data)` builds it with python-docx from the same pack data as the HTML and the PDF
(a published version's frozen JSON, or live data for a preview), in the same order under the same
headings, as Word's own Heading 1 to 4 styles: the title, the sections, each indicator, its
commentary. Tables are Word tables with a caption, a header row that repeats on every page and
their title as alt text; a RAG rating is a cell filled with its tag's colours (`pmf.tags`) that
carries its word, so colour is never the only signal. Every figure is the pack data's own text,
written once by `pmf.formatting` when the data was built.

Charts are the pack's own SVG (`rendering.appendix`, drawn by `scorecards.charts`) made into PNG,
since Word does not take SVG, with the chart's title and description as the picture's alt text.
The rasteriser is resvg (the `resvg-py` wheel): the renderer is inside the wheel, so it needs no
system library, where CairoSVG would need the system's Cairo, which WeasyPrint does not; and it
reads nothing but the SVG string it is given.

Text goes in as text: python-docx escapes XML, so "<script>" or "=HYPERLINK(…)" are words on
the page, never markup or a field. The few characters XML cannot hold at all (control
characters other than tab and line breaks) are shown as their Unicode control pictures, "␇" for
BEL, rather than breaking the document or vanishing.
"""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass, field

import resvg_py
from django.conf import settings
from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from pmf.tags import tag_colours
from reports import rendering

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: Charts are drawn at twice their SVG size: about 190 dots an inch at CHART_WIDTH.
CHART_ZOOM = 2
CHART_WIDTH = Cm(16)
FONT = "Arial"
INK = RGBColor(0x0B, 0x0C, 0x0C)
LINK = RGBColor(0x1D, 0x70, 0xB8)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_PARAGRAPH_BREAK = re.compile(r"\n{2,}")

# The report's numbered sections, as the HTML pack has them: (bookmark, heading).
BACKGROUND = ("background", "1. Background")
PROPOSALS = ("proposals", "2. Proposed changes to the KPI set")
RAG_SUMMARY = ("rag_summary", "3. Summary of RAG ratings")
PERSPECTIVES = ("perspectives", "5. Performance by perspective and priority")
ACTIONS = ("actions", "6. Progress on the action tracker")
ALIGNMENT = ("alignment", "7. Alignment with corporate priorities")
IMPLICATIONS = ("implications", "8. Significant implications")
SOURCES = ("sources", "9. Source documents")


def text(value: object) -> str:
    """Text as Word can hold it: newlines as "\\n"; control characters XML cannot hold as their
    control pictures (U+2400 onwards), anything else XML cannot hold as U+FFFD."""
    plain = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_XML.sub(_picture, plain)


def _picture(match: re.Match) -> str:
    code = ord(match[0])
    return chr(0x2400 + code) if code < 0x20 else "\N{REPLACEMENT CHARACTER}"


@dataclass(frozen=True)
class Rag:
    """A table cell showing a RAG rating: filled with its colours, and its word."""

    rating: str
    label: str


Cell = str | Rag


def _commentary_heading(data: dict) -> tuple[str, str]:
    if data["exception_mode"]:
        return ("commentary", "4. Indicators by exception")
    return ("commentary", "4. Commentary on red indicators")


def _appendix_headings(data: dict) -> tuple[tuple[str, str], tuple[str, str]]:
    return (
        ("appendix_scorecard", f"Appendix 1. Scorecard for {data['period']}"),
        ("appendix_kpis", "Appendix 2. Performance data for each indicator"),
    )


def sections(data: dict) -> list[tuple[str, str]]:
    """The contents: each numbered section and appendix, as (bookmark, heading)."""
    return [
        BACKGROUND,
        PROPOSALS,
        RAG_SUMMARY,
        _commentary_heading(data),
        PERSPECTIVES,
        ACTIONS,
        ALIGNMENT,
        IMPLICATIONS,
        SOURCES,
        *_appendix_headings(data),
    ]


def render_docx(data: dict, *, draft: bool = False) -> bytes:
    """The pack as a .docx file; a `draft` (a preview, not a published version) says DRAFT in
    its running header on every page and above its cover."""
    writer = _Writer(Document())
    writer.setup(data, draft=draft)
    if draft:
        mark = writer.paragraph()
        mark.add_run("DRAFT: a preview from live data, not a published report.").bold = True
    _cover(writer, data)
    _summary(writer, data)
    _contents(writer, data)
    _body(writer, data)
    _turn(writer.doc, WD_ORIENT.LANDSCAPE)  # the scorecard's nine columns
    _appendix_scorecard(writer, data)
    _turn(writer.doc, WD_ORIENT.PORTRAIT)
    _appendix_kpis(writer, data)
    as_at = data.get("data_as_at_text") or data.get("built_at", "")[:10]
    words = f": data as at {as_at}" if as_at else ""
    writer.paragraph(f"From the performance management system{words}.", size=9)
    out = io.BytesIO()
    writer.doc.save(out)
    return out.getvalue()


@dataclass
class _Writer:
    """The document being written, with its numbering and bookmark counters."""

    doc: WordDocument
    lettered: int = 0  # the abstract numbering of lettered lists, once made
    bookmarks: int = 0
    #: Style ids by name, looked up once: python-docx looks a name up afresh for every paragraph.
    style_ids: dict[str, str] = field(default_factory=dict)

    def setup(self, data: dict, *, draft: bool = False) -> None:
        mark = "DRAFT · " if draft else ""
        _page(self.doc, f"{mark}{data['committee']} · {data['meeting_date']}")
        _styles(self.doc)
        self.style_ids = {name: self.doc.styles[name].style_id for name in _STYLES}
        properties = self.doc.core_properties
        properties.title = text(f"{data['committee']}, {data['meeting_date']}: {data['title']}")
        properties.subject = text(f"{data['title']} for {data['committee']}")
        properties.author = text(settings.COUNCIL_NAME)
        properties.language = "en-GB"
        properties.last_modified_by = ""
        moment = data.get("data_as_at") or data.get("built_at")  # built_at: older versions
        if moment:
            built = datetime.datetime.fromisoformat(moment).astimezone(datetime.UTC)
            properties.created = properties.modified = built.replace(tzinfo=None)
        properties.revision = 1

    def heading(self, words: str, level: int, bookmark: str | None = None) -> Paragraph:
        paragraph = self.paragraph(style=f"Heading {level}")
        run = paragraph.add_run(text(words))
        if bookmark:
            self.bookmarks += 1
            start = OxmlElement("w:bookmarkStart", {qn("w:id"): str(self.bookmarks)})
            start.set(qn("w:name"), bookmark)
            run._r.addprevious(start)  # noqa: SLF001 – python-docx has no bookmark API
            run._r.addnext(OxmlElement("w:bookmarkEnd", {qn("w:id"): str(self.bookmarks)}))  # noqa: SLF001
        return paragraph

    def paragraph(self, words: str = "", *, style: str | None = None, size: float = 0) -> Paragraph:
        paragraph = self.doc.add_paragraph()
        if style:
            paragraph._p.style = self.style_ids[style]  # noqa: SLF001 – see style_ids
        if words:
            run = paragraph.add_run(text(words))
            if size:
                run.font.size = Pt(size)
        return paragraph

    def paragraphs(self, words: str, fallback: str = "") -> None:
        """Text as the HTML's `linebreaks` shows it: a blank line starts a new paragraph, a
        newline breaks the line."""
        for part in _parts(words) or ([fallback] if fallback else []):
            self.paragraph(part)

    def bullets(self, lines: list[str]) -> None:
        for line in lines:
            self.paragraph(line, style="List Bullet")

    def lettered_list(self, cell: _Cell, lines: list[str]) -> None:
        """a), b), c) … in a cell, numbered afresh from a)."""
        num = _numbering(self).add_num(self._lettered())
        num.add_lvlOverride(ilvl=0).add_startOverride(1)
        for line in lines:
            paragraph = cell.add_paragraph(text(line))
            paragraph._p.style = self.style_ids["List Paragraph"]  # noqa: SLF001
            numbering = paragraph._p.get_or_add_pPr().get_or_add_numPr()  # noqa: SLF001
            numbering.get_or_add_ilvl().val = 0
            numbering.get_or_add_numId().val = num.numId

    def _lettered(self) -> int:
        if not self.lettered:
            numbering = _numbering(self)
            ids = [
                int(n.get(qn("w:abstractNumId"))) for n in numbering.findall(qn("w:abstractNum"))
            ]
            self.lettered = max(ids, default=0) + 1
            abstract = parse_xml(_LETTERED.format(nsdecls("w"), self.lettered))
            first_num = numbering.find(qn("w:num"))
            if first_num is None:
                numbering.append(abstract)
            else:
                first_num.addprevious(abstract)
        return self.lettered

    def table(
        self, caption: str, header: list[str] | None, rows: list[list[Cell]], shape: Shape
    ) -> Table:
        """A table titled `caption` (its alt text, and printed above it unless the heading
        above says it already), whose header row, if any, repeats on each page. Cells hold
        text or a Rag."""
        if shape.caption_shown:
            self.paragraph(caption, style="Caption")
        lines = [header, *rows] if header else rows
        table = self.doc.add_table(rows=len(lines), cols=len(shape.widths))
        table._tbl.tblStyle_val = self.style_ids["Table Grid"]  # noqa: SLF001 – see style_ids
        table.autofit = False
        _caption(table, caption)
        widths = [Cm(width) for width in shape.widths]
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
        for number, (row, cells) in enumerate(zip(table.rows, lines, strict=True)):
            heading_row = bool(header) and number == 0
            if heading_row:
                row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # noqa: SLF001
            for column, (cell, value, width) in enumerate(
                zip(row.cells, cells, widths, strict=True)
            ):
                cell.width = width
                bold = heading_row or (shape.row_headers and column == 0)
                _fill(cell, value, bold=bold, size=shape.size)
        return table


@dataclass(frozen=True)
class Shape:
    """A table's layout: its columns' widths in cm (17 fill the page), its text size, whether
    its first column names each row, and whether its caption is printed above it."""

    widths: tuple[float, ...]
    size: float = 0
    row_headers: bool = False
    caption_shown: bool = True


#: An indicator's figures, commentary and action plan, under its heading.
FACTS = Shape((4.5, 12.5), row_headers=True, caption_shown=False)
COVER = Shape((5, 12), row_headers=True)
BODY_KPIS = Shape((1.3, 6.0, 2.2, 2.2, 2.0, 3.3))
PROPOSALS_TABLE = Shape((2, 3.5, 3, 2.5, 6))
RAG_TABLE = Shape((5, 2.5, 2.5))
PERSPECTIVES_TABLE = Shape((5, 2, 2, 2, 2, 2, 2), row_headers=True)
ACTIONS_TABLE = Shape((1.2, 2.8, 1.8, 2, 2.2, 2.2, 1.8, 3), size=9)
ALIGNMENT_TABLE = Shape((6, 11), row_headers=True)
#: On a landscape page: 25.7 cm across.
SCORECARD_TABLE = Shape((1.3, 7.5, 2.2, 2.4, 2.4, 2.4, 2.4, 2.4, 2.7), size=9)


_STYLES = (
    *(f"Heading {level}" for level in range(1, 5)),
    "Caption",
    "List Bullet",
    "List Paragraph",
    "Table Grid",
)
_LETTERED = (
    '<w:abstractNum {} w:abstractNumId="{}"><w:multiLevelType w:val="singleLevel"/>'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/>'
    '<w:lvlText w:val="%1)"/><w:lvlJc w:val="left"/>'
    '<w:pPr><w:ind w:left="720" w:hanging="360"/></w:pPr></w:lvl></w:abstractNum>'
)


def _numbering(writer: _Writer):
    return writer.doc.part.numbering_part.element


def _parts(words: str) -> list[str]:
    plain = text(words).strip()
    return [part.strip("\n") for part in _PARAGRAPH_BREAK.split(plain) if part.strip()]


def _fill(cell: _Cell, value: Cell, *, bold: bool = False, size: float = 0) -> None:
    """A cell's text (paragraphs as `linebreaks` makes them), or a RAG rating's fill and word."""
    if isinstance(value, Rag):
        _rag(cell, value, size)
        return
    parts = _parts(value) or [""]
    first = cell.paragraphs[0]
    for number, part in enumerate(parts):
        paragraph = first if number == 0 else cell.add_paragraph()
        if part:
            run = paragraph.add_run(part)
            run.bold = bold or None
            if size:
                run.font.size = Pt(size)


def _rag(cell: _Cell, value: Rag, size: float) -> None:
    run = cell.paragraphs[0].add_run(text(value.label))
    run.bold = True
    if size:
        run.font.size = Pt(size)
    if not value.rating:  # the summary's total: no rating, no colour
        return
    ink, background = tag_colours("rating", value.rating)
    run.font.color.rgb = RGBColor.from_string(ink[1:])
    shading = OxmlElement(
        "w:shd", {qn("w:val"): "clear", qn("w:color"): "auto", qn("w:fill"): background[1:]}
    )
    cell._tc.get_or_add_tcPr().append(shading)  # noqa: SLF001 – python-docx has no shading API


def _caption(table: Table, caption: str) -> None:
    """The table's title as Word's alt text (w:tblCaption, last in the table's properties)."""
    properties = table._tbl.tblPr  # noqa: SLF001
    properties.append(OxmlElement("w:tblCaption", {qn("w:val"): text(caption)}))


def _page(doc: WordDocument, running_header: str) -> None:
    """A4 portrait, 2 cm margins, the running header, and "Page x of y" in the footer."""
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    section.header.paragraphs[0].add_run(text(running_header)).font.size = Pt(9)
    footer = section.footer.paragraphs[0]
    footer.add_run("Page ")
    footer._p.append(_field("PAGE"))  # noqa: SLF001 – python-docx has no field API
    footer.add_run(" of ")
    footer._p.append(_field("NUMPAGES"))  # noqa: SLF001
    for run in footer.runs:
        run.font.size = Pt(9)


def _turn(doc: WordDocument, orientation: WD_ORIENT) -> None:
    """A new section on a new page, A4 the given way round; the header and footer carry on."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = orientation
    short, long = Cm(21), Cm(29.7)
    landscape = orientation == WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = (long, short) if landscape else (short, long)


def _field(code: str):
    return parse_xml(
        f'<w:fldSimple {nsdecls("w")} w:instr="{code}"><w:r><w:rPr><w:sz w:val="18"/></w:rPr>'
        "<w:t>1</w:t></w:r></w:fldSimple>"
    )


def _styles(doc: WordDocument) -> None:
    """Arial in the house's ink for text and headings; British English for spelling."""
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    _arial(defaults.find(qn("w:rPr")))
    defaults.find(qn("w:rPr")).find(qn("w:lang")).set(qn("w:val"), "en-GB")
    doc.styles["Normal"].font.size = Pt(11)
    for level, size in ((1, 20), (2, 16), (3, 13), (4, 11)):
        style = doc.styles[f"Heading {level}"]
        _arial(style.element.get_or_add_rPr())
        style.font.size = Pt(size)
        style.font.color.rgb = INK
        style.font.bold = True
        style.font.italic = False
    doc.styles["Caption"].font.color.rgb = INK


_THEME_FONTS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _arial(properties) -> None:
    """Arial in place of the template's theme fonts (a theme font outranks a named one)."""
    fonts = properties.get_or_add_rFonts()
    for name in _THEME_FONTS:
        fonts.attrib.pop(qn(name), None)
    for name in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(name), FONT)


# The report, in the HTML pack's order -----------------------------------------------------------


def _cover(writer: _Writer, data: dict) -> None:
    cover = data["cover"]
    writer.paragraph(settings.COUNCIL_NAME)
    title = data["title"] + (" (exception report)" if data["exception_mode"] else "")
    writer.heading(title, 1)
    rows: list[list[Cell]] = [
        ["To", cover["to"]],
        ["Meeting date", cover["meeting_date"]],
        ["From", "\n".join(cover["from"])],
        ["Electoral division(s)", cover["electoral_divisions"]],
        ["Key decision", cover["key_decision"]],
        ["Forward plan reference", cover["forward_plan_ref"]],
        ["Outcome", cover["outcome"]],
        ["Recommendations", "The Committee is asked to:"],
    ]
    table = writer.table("Report details", None, rows, COVER)
    writer.lettered_list(table.rows[-1].cells[1], cover["recommendations"])
    writer.heading("Officer contact", 2)
    for line in cover["officer_contact"] or ["Governance and Performance team"]:
        writer.paragraph(line)
    writer.heading("Member contacts", 2)
    for line in cover["member_contacts"] or ["Chair and vice-chair of the committee"]:
        writer.paragraph(line)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _summary(writer: _Writer, data: dict) -> None:
    writer.heading("Summary", 2)
    counts = "".join(
        f"{line['count']} {line['label']}; " if line["rating"] else f"{line['count']} rated in all"
        for line in data["summary"]
        if line["count"] or not line["rating"]
    )
    missing = data["not_reported"]["count"]
    writer.paragraph(
        f"{_plural(data['kpi_count'], 'indicator')} for {data['period']}: {counts}"
        + (f"; {missing} not reported" if missing else "")
        + "."
    )
    actions = data["actions"]
    writer.bullets(
        [
            f"{_plural(data['red_count'], 'indicator')} rated Red.",
            f"{_plural(data['exception_count'], 'indicator')} by exception (Red, Blue, or Amber "
            "and getting worse).",
            f"{_plural(len(data['proposals']), 'proposed change')} to the KPI set.",
            f"{_plural(len(actions), 'action')} on the tracker, {data['overdue_actions']} overdue.",
        ]
    )
    if data["body_kpis"]:
        caption = (
            "Indicators reported by exception" if data["exception_mode"] else "Indicators rated Red"
        )
        rows = [
            [k["reference"], k["name"], k["current"], k["target"], _rag_of(k), k["trend"]]
            for k in data["body_kpis"]
        ]
        header = ["KPI", "Name", "Current", "Target", "Rating", "Trend"]
        writer.table(caption, header, rows, BODY_KPIS)


def _rag_of(kpi: dict) -> Rag:
    return Rag(kpi["rating"], kpi["rating_label"])


def _contents(writer: _Writer, data: dict) -> None:
    """The sections, each a link to its heading (Word's own table of contents would need
    updating in Word before it showed anything)."""
    writer.heading("Contents", 2)
    for bookmark, heading in sections(data):
        paragraph = writer.paragraph()
        link = OxmlElement("w:hyperlink", {qn("w:anchor"): bookmark, qn("w:history"): "1"})
        run = paragraph.add_run(text(heading))
        run.font.color.rgb = LINK
        run.font.underline = True
        link.append(run._r)  # noqa: SLF001 – python-docx makes external links only
        paragraph._p.append(link)  # noqa: SLF001


def _body(writer: _Writer, data: dict) -> None:
    writer.heading(BACKGROUND[1], 2, BACKGROUND[0])
    writer.paragraphs(data["background"])
    _proposals(writer, data)
    _rag_summary(writer, data)
    _commentary(writer, data)
    _perspectives(writer, data)
    _actions(writer, data)
    writer.heading(ALIGNMENT[1], 2, ALIGNMENT[0])
    writer.paragraphs(data["alignment"])
    if data["alignment_table"]:
        rows = [
            [
                f"{p['number']}. {p['name']}",
                "; ".join(f"{k['reference']} {k['name']} ({k['rating']})" for k in p["kpis"]),
            ]
            for p in data["alignment_table"]
        ]
        writer.table(
            "Indicators by corporate priority",
            ["Priority", "Indicators and ratings"],
            rows,
            ALIGNMENT_TABLE,
        )
    writer.heading(IMPLICATIONS[1], 2, IMPLICATIONS[0])
    writer.paragraphs(data["implications"])
    writer.heading(SOURCES[1], 2, SOURCES[0])
    if data["source_documents"]:
        writer.bullets(data["source_documents"])
    else:
        writer.paragraph("None.")


def _proposals(writer: _Writer, data: dict) -> None:
    writer.heading(PROPOSALS[1], 2, PROPOSALS[0])
    if not data["proposals"]:
        writer.paragraph("There are no proposed changes to the KPI set for this meeting.")
        return
    writer.paragraph("Members are asked to approve these changes.")
    rows = [
        [
            p["kpi_number"],
            p["kpi_name"],
            p["service"],
            p["proposal"] + (f" ({p['outcome']})" if p["outcome"] else ""),
            p["rationale"],
        ]
        for p in data["proposals"]
    ]
    header = ["KPI number", "KPI name", "Mapping to service", "Proposal", "Rationale for proposal"]
    writer.table(
        "Proposed additions to and removals from the KPI set", header, rows, PROPOSALS_TABLE
    )


def _rag_summary(writer: _Writer, data: dict) -> None:
    writer.heading(RAG_SUMMARY[1], 2, RAG_SUMMARY[0])
    rows: list[list[Cell]] = [
        [Rag(line["rating"], line["label"]), str(line["count"]), f"{line['percent']}%"]
        for line in data["summary"]
    ]
    caption = f"A summary of RAG ratings for {data['period']}"
    writer.table(caption, ["Rating", "Total", "%"], rows, RAG_TABLE)
    missing = data["not_reported"]
    writer.paragraph(
        f"Not reported: {missing['count']} ({missing['percent']}% of all indicators). "
        f"{data['policy_description']}"
    )


def _commentary(writer: _Writer, data: dict) -> None:
    bookmark, heading = _commentary_heading(data)
    writer.heading(heading, 2, bookmark)
    if data["exception_mode"]:
        writer.paragraph(
            "This section covers indicators rated Red or Blue, and Amber indicators whose trend "
            "is getting worse. Every indicator is in Appendix 2."
        )
    for kpi in data["body_kpis"]:
        title = f"Indicator {kpi['reference']}: {kpi['name']}"
        writer.heading(title, 3)
        rows: list[list[Cell]] = [
            ["Rating", _rag_of(kpi)],
            [f"Current ({kpi['period_label']})", kpi["current"] or "not reported"],
            ["Target", kpi["target"]],
            ["Trend", kpi["trend"]],
            ["Commentary", kpi["commentary"] or "No commentary was given."],
            ["Action plan", kpi["action_plan"] or "No action plan was given."],
        ]
        writer.table(f"{title}: commentary and action plan", None, rows, FACTS)
    if not data["body_kpis"]:
        writer.paragraph(
            "No indicators are reported by exception this quarter."
            if data["exception_mode"]
            else "No indicators are rated Red this quarter."
        )


def _perspectives(writer: _Writer, data: dict) -> None:
    writer.heading(PERSPECTIVES[1], 2, PERSPECTIVES[0])
    rows = [
        [p["label"], *(str(c) for c in p["counts"]), str(p["other"]), str(p["total"])]
        for p in data["perspectives"]
    ]
    header = ["Perspective", "Blue", "Green", "Amber", "Red", "Other", "Total"]
    writer.table("RAG ratings by perspective", header, rows, PERSPECTIVES_TABLE)


def _actions(writer: _Writer, data: dict) -> None:
    writer.heading(ACTIONS[1], 2, ACTIONS[0])
    if not data["actions"]:
        writer.paragraph("The committee has no actions on its tracker.")
        return
    header = [
        "Ref.",
        "Action",
        "Milestone",
        "Lead officer(s)",
        "Success criteria",
        "Baseline position",
        "Achieved",
        "Update",
    ]
    rows = [
        [
            a["reference"],
            a["action"],
            a["milestone"],
            a["lead_officer"],
            a["success_criteria"],
            a["baseline"],
            a["status"],
            a["update"] + (f" ({a['update_on']})" if a["update_on"] else ""),
        ]
        for a in data["actions"]
    ]
    writer.table("The committee's action tracker", header, rows, ACTIONS_TABLE)


SCORECARD_HEADER = [
    "KPI",
    "Name",
    "Period",
    "Previous",
    "Current",
    "Target",
    "Rating",
    "Change",
    "Trend",
]


def _appendix_scorecard(writer: _Writer, data: dict) -> None:
    bookmark, heading = _appendix_headings(data)[0]
    writer.heading(heading, 2, bookmark)
    for group in data["scorecard"]:
        rows = [
            [
                k["reference"],
                k["name"],
                k["period_label"],
                k["previous"],
                k["current"] + (" (provisional)" if k["provisional"] else ""),
                k["target"],
                _rag_of(k),
                k["change"],
                k["trend"],
            ]
            for k in group["rows"]
        ]
        writer.table(group["label"], SCORECARD_HEADER, rows, SCORECARD_TABLE)
    if not data["scorecard"]:
        writer.paragraph("The committee has no indicators for this period.")


def _appendix_kpis(writer: _Writer, data: dict) -> None:
    bookmark, heading = _appendix_headings(data)[1]
    writer.heading(heading, 2, bookmark)
    for kpi in rendering.appendix(data):
        title = f"Indicator {kpi['reference']}: {kpi['name']}"
        writer.heading(title, 3)
        writer.paragraph(
            f"{kpi['directorate']} · {kpi['level']} · {kpi['frequency']} · {kpi['direction']}"
        )
        rows: list[list[Cell]] = [
            ["Rating", _rag_of(kpi)],
            [f"Current ({kpi['period_label']})", kpi["current"] or "Not reported"],
            ["Target", kpi["target"]],
            ["Trend", kpi["trend"]],
        ]
        rows += [[word, kpi[key]] for word, key in _OUTLOOK if kpi.get(key)]
        writer.table(f"{title}: latest figures", None, rows, FACTS)
        _chart(writer, kpi["chart"])
        writer.heading("Values over time", 4)
        writer.paragraph(kpi["history"])
        writer.heading("Commentary", 4)
        writer.paragraphs(kpi["commentary"], "No commentary was given.")
        if kpi["action_plan"]:
            writer.heading("Action plan", 4)
            writer.paragraphs(kpi["action_plan"])


_OUTLOOK = (("Forecast", "forecast"), ("Year end", "year_end"))


def _chart(writer: _Writer, chart) -> None:
    """The chart's unit and key in words, kept with the chart: a picture with its alt text."""
    key = [chart.unit_label, *(f"{item.label} ({_LINES[item.kind]})" for item in chart.key)]
    writer.paragraph(" · ".join(key), size=9).paragraph_format.keep_with_next = True
    png = resvg_py.svg_to_bytes(svg_string=str(chart.svg), zoom=CHART_ZOOM)
    picture = writer.paragraph().add_run().add_picture(io.BytesIO(bytes(png)), width=CHART_WIDTH)
    properties = picture._inline.docPr  # noqa: SLF001 – python-docx has no alt-text API
    properties.set("title", text(chart.title))
    properties.set("descr", text(chart.alt))


#: How the chart draws each line, in words: colour is never the only signal.
_LINES = {"value": "solid line", "target": "dashed line", "forecast": "dotted line, hollow marker"}
