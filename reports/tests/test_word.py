"""What the Word pack says, read back with python-docx from one eight-KPI pack (two Red) built for
the module: the HTML pack's headings as Word headings, real tables, RAG cells that carry their
word, charts as pictures with alt text, and hostile text kept as text."""

import copy
import html
import re

import pytest
from docx.oxml.ns import qn
from docx.shared import Cm

from kpis.reporting.models import Measurement
from pmf.tags import tag_colours
from pmf.tests.factories import UserFactory
from reports import rendering, selectors, word
from reports.tests.factories import add_action, add_proposal, committee_pack
from reports.tests.helpers import (
    docx_document,
    docx_fill,
    docx_headings,
    docx_rows,
    docx_table,
    docx_text,
)

pytestmark = pytest.mark.django_db

HOSTILE = (
    '=HYPERLINK("http://127.0.0.1:9/x","Click me") <script>alert("x")</script> & <b>bold</b>'
    "\x07bell\x1b[31m escape\x0bvertical tab\x00 null\ufffe\tafter a tab"
)


@pytest.fixture(scope="module")
def pack(module_db):
    clerk = UserFactory(username="pack-clerk", roles=["Committee clerk"])
    owner = UserFactory(username="owner", roles=["Officer"])
    committee, meeting, kpis, history = committee_pack(8, clerks=[clerk])
    add_proposal(committee, owner)
    add_action(committee, owner)
    data = selectors.pack_data(selectors.meeting_for_pack(meeting.pk))
    return data, word.render_docx(data), meeting


@pytest.fixture(scope="module")
def document(pack):
    return docx_document(pack[1])


def _html_headings(data: dict) -> list[tuple[int, str]]:
    page = rendering.render_html(data)
    return [
        (int(level), html.unescape(re.sub(r"<[^>]+>", "", inner)))
        for level, inner in re.findall(r"<h([1-4])[^>]*>(.*?)</h\1>", page, re.S)
    ]


def test_the_word_pack_has_the_html_packs_headings_in_order_as_word_headings(pack, document):
    data = pack[0]
    headings = docx_headings(document)
    html_headings = _html_headings(data)
    # In Word an indicator's commentary and action plan are rows of its table in section 4.
    body = slice(
        html_headings.index((2, "4. Commentary on red indicators")),
        html_headings.index((2, "5. Performance by perspective and priority")),
    )
    assert html_headings[body].count((4, "Action plan")) == 2
    html_headings[body] = [h for h in html_headings[body] if h != (4, "Action plan")]
    assert headings == html_headings
    assert headings[0] == (1, "Quarterly performance report: 2025/26 Q4")
    sections = [text for level, text in headings if level == 2]
    assert sections[3:] == [
        "Contents",
        "1. Background",
        "2. Proposed changes to the KPI set",
        "3. Summary of RAG ratings",
        "4. Commentary on red indicators",
        "5. Performance by perspective and priority",
        "6. Progress on the action tracker",
        "7. Alignment with corporate priorities",
        "8. Significant implications",
        "9. Source documents",
        "Appendix 1. Scorecard for 2025/26 Q4",
        "Appendix 2. Performance data for each indicator",
    ]


def test_the_contents_link_to_each_sections_heading(document):
    body = document.element.body
    anchors = [link.get(qn("w:anchor")) for link in body.iter(qn("w:hyperlink"))]
    marks = {mark.get(qn("w:name")) for mark in body.iter(qn("w:bookmarkStart"))}
    assert len(anchors) == 11 and set(anchors) <= marks
    assert not [link for link in body.iter(qn("w:hyperlink")) if link.get(qn("r:id"))]


def test_the_rag_summary_table_counts_equal_the_packs_and_each_rating_is_a_filled_cell(
    pack, document
):
    data = pack[0]
    table = docx_table(document, "A summary of RAG ratings for 2025/26 Q4")
    rows = docx_rows(table)
    assert rows[0] == ["Rating", "Total", "%"]
    expected = [
        [line["label"], str(line["count"]), f"{line['percent']}%"] for line in data["summary"]
    ]
    assert rows[1:] == expected
    assert {row[0]: row[1] for row in rows[1:]}["Red"] == "2"
    assert rows[-1] == ["Total", "8", "100%"]
    for line, row in zip(data["summary"], table.rows[1:], strict=True):
        fill = docx_fill(row.cells[0])
        if line["rating"]:
            assert fill == tag_colours("rating", line["rating"])[1], line["label"]
            assert row.cells[0].text == line["label"]  # the word, never the colour alone
        else:
            assert fill is None  # the total


def test_each_red_kpi_has_its_commentary_and_action_plan_in_the_body(pack, document):
    data = pack[0]
    headings = [text for _, text in docx_headings(document)]
    body = headings[
        headings.index("4. Commentary on red indicators") : headings.index(
            "5. Performance by perspective and priority"
        )
    ]
    reds = [
        k
        for k in data["scorecard"][0]["rows"] + data["scorecard"][1]["rows"]
        if k["rating"] == "red"
    ]
    assert len(reds) == data["red_count"] == 2
    for kpi in reds:
        title = f"Indicator {kpi['reference']}: {kpi['name']}"
        assert title in body
        table = docx_table(document, f"{title}: commentary and action plan")
        rows = dict(docx_rows(table))
        assert rows["Rating"] == "Red"
        assert docx_fill(table.rows[0].cells[1]) == tag_colours("rating", "red")[1]
        assert rows["Target"] == kpi["target"] and rows["Trend"] == kpi["trend"]
        assert rows["Commentary"] == f"Commentary on {kpi['reference']} for 2025/26 Q4."
        assert rows["Action plan"] == f"Action plan for {kpi['reference']}: recover by Q2."
    assert "Indicator 201: Indicator 201 percentage" not in body  # green


def test_the_scorecard_appendix_is_a_table_per_perspective_with_a_repeating_header(pack, document):
    data = pack[0]
    for group in data["scorecard"]:
        table = docx_table(document, group["label"])
        rows = docx_rows(table)
        assert rows[0] == word.SCORECARD_HEADER
        assert [row[0] for row in rows[1:]] == [k["reference"] for k in group["rows"]]
        assert [row[4] for row in rows[1:]] == [
            k["current"] + (" (provisional)" if k["provisional"] else "") for k in group["rows"]
        ]
        assert [row[6] for row in rows[1:]] == [k["rating_label"] for k in group["rows"]]
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_the_proposals_and_action_tracker_are_tables(document):
    proposals = docx_rows(
        docx_table(document, "Proposed additions to and removals from the KPI set")
    )
    assert proposals[1][1] == "Website accessibility score"
    assert proposals[1][4] == "Replaces KPI 189 with a more relevant measure."
    actions = docx_rows(docx_table(document, "The committee's action tracker"))
    assert actions[1][0] == "F.9" and actions[1][-1] == "Framework almost complete. (1 May 2026)"


def test_the_recommendations_are_a_lettered_list(pack, document):
    data = pack[0]
    cell = docx_table(document, "Report details").rows[-1].cells[1]
    assert cell.paragraphs[0].text == "The Committee is asked to:"
    listed = cell.paragraphs[1:]
    assert [p.text for p in listed] == data["cover"]["recommendations"]
    numbering = document.part.numbering_part.element
    (num_id,) = {p._p.pPr.numPr.numId.val for p in listed}
    num = next(n for n in numbering.findall(qn("w:num")) if n.numId == num_id)
    abstract = next(
        a
        for a in numbering.findall(qn("w:abstractNum"))
        if a.get(qn("w:abstractNumId")) == num.abstractNumId.get(qn("w:val"))
    )
    assert abstract.find(f"{qn('w:lvl')}/{qn('w:numFmt')}").get(qn("w:val")) == "lowerLetter"


def test_each_chart_is_a_png_picture_with_the_charts_alt_text(pack, document):
    data = pack[0]
    charts = [section["chart"] for section in rendering.appendix(data)]
    pictures = document.inline_shapes
    assert len(pictures) == len(charts) == 8
    for picture, chart in zip(pictures, charts, strict=True):
        properties = picture._inline.docPr
        assert properties.get("descr") == chart.alt
        assert properties.get("title") == chart.title
        assert picture.width == Cm(16)
        image = document.part.related_parts[
            picture._inline.graphic.graphicData.pic.blipFill.blip.embed
        ]
        assert image.blob.startswith(b"\x89PNG")
    assert charts[0].alt.startswith("KPI 200: Indicator 200 percentage. Values from ")


def test_the_document_is_titled_in_british_english_with_page_numbers(pack, document):
    assert document.core_properties.title == "Strategy Committee, 22 June 2026: " + pack[0]["title"]
    assert document.core_properties.language == "en-GB"
    section = document.sections[0]
    assert section.header.paragraphs[0].text == "Strategy Committee · 22 June 2026"
    fields = [f.get(qn("w:instr")) for f in section.footer._element.iter(qn("w:fldSimple"))]
    assert fields == ["PAGE", "NUMPAGES"]


def test_hostile_text_is_kept_as_text_and_the_document_still_opens(pack):
    data = copy.deepcopy(pack[0])
    red = data["body_kpis"][0]
    red["commentary"] = red["action_plan"] = HOSTILE
    red["name"] = "<script>steal()</script>\x01"
    document = docx_document(word.render_docx(data))

    title = "Indicator 203: <script>steal()</script>\u2401"
    assert title in [text for _, text in docx_headings(document)]
    rows = dict(docx_rows(docx_table(document, f"{title}: commentary and action plan")))
    shown = (
        '=HYPERLINK("http://127.0.0.1:9/x","Click me") <script>alert("x")</script> & <b>bold</b>'
        "\u2407bell\u241b[31m escape\u240bvertical tab\u2400 null\ufffd\tafter a tab"
    )
    assert word.text(HOSTILE) == shown
    assert rows["Commentary"] == rows["Action plan"] == shown
    xml = document.element.xml
    assert "<script>" not in xml and "&lt;script&gt;" in xml
    assert not list(document.element.body.iter(qn("w:instrText")))  # no field codes
    assert [f.get(qn("w:instr")) for f in document.element.body.iter(qn("w:fldSimple"))] == []


def test_hostile_commentary_saved_by_an_officer_reads_back_verbatim(pack):
    meeting = pack[2]
    hostile = '=HYPERLINK("http://127.0.0.1:9/x") <script>alert(1)</script>\n\nSecond paragraph'
    latest = Measurement.objects.filter(kpi__reference="203", period=meeting.period)
    assert latest.update(commentary=hostile) == 1
    data = selectors.pack_data(selectors.meeting_for_pack(meeting.pk))
    document = docx_document(word.render_docx(data))
    table = docx_table(
        document, "Indicator 203: Indicator 203 percentage: commentary and action plan"
    )
    cell = table.rows[4].cells[1]
    assert [p.text for p in cell.paragraphs] == [
        '=HYPERLINK("http://127.0.0.1:9/x") <script>alert(1)</script>',
        "Second paragraph",
    ]


def test_an_exception_report_names_its_body_and_lists_blue_kpis_too(pack):
    data = copy.deepcopy(pack[0])
    data["exception_mode"] = True
    data["body_kpis"] = [
        k for group in data["scorecard"] for k in group["rows"] if k["rating"] in ("red", "blue")
    ]
    document = docx_document(word.render_docx(data))
    headings = [text for _, text in docx_headings(document)]
    assert headings[0].endswith("(exception report)")
    assert "4. Indicators by exception" in headings
    assert "Indicator 200: Indicator 200 percentage" in headings  # blue
    assert docx_rows(docx_table(document, "Indicators reported by exception"))[0][0] == "KPI"


def test_a_preview_says_draft_on_every_page_and_a_published_version_never_does(pack):
    data, published, _ = pack
    preview = docx_document(word.render_docx(data, draft=True))
    assert all(s.header.paragraphs[0].text.startswith("DRAFT · ") for s in preview.sections)
    assert preview.paragraphs[0].text.startswith("DRAFT: a preview from live data")
    final = docx_document(published)
    assert not any("DRAFT" in s.header.paragraphs[0].text for s in final.sections)
    assert "DRAFT" not in docx_text(final)
