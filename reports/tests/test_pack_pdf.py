"""What a rendered pack's PDF says: read back from one eight-KPI pack rendered for the module."""

import io
import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from pmf.tests.factories import UserFactory
from reports import rendering, selectors
from reports.tests.factories import add_action, add_proposal, committee_pack
from reports.tests.helpers import pdf_pages, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def pdf(module_db):
    clerk = UserFactory(username="pack-clerk", roles=["Committee clerk"])
    owner = UserFactory(username="owner", roles=["Officer"])
    committee, meeting, _, _ = committee_pack(8, clerks=[clerk])
    add_proposal(committee, owner)
    add_action(committee, owner)
    return rendering.render_pdf(selectors.pack_data(selectors.meeting_for_pack(meeting.pk)))


def _section(text: str, start: str, end: str) -> str:
    """The text between the last heading `start` and the next `end` (skips the contents list)."""
    begin = text.rindex(start)
    return text[begin : text.index(end, begin)]


def test_the_pdf_has_the_rag_summary_counts_and_percentages(pdf):
    summary = _section(pdf_text(pdf), "3. Summary of RAG ratings", "4. Commentary")
    for label, count, percent in [
        ("Blue", 0, 0),
        ("Green", 4, 50),
        ("Amber", 2, 25),
        ("Red", 2, 25),
        ("Suspended", 0, 0),
        ("Total", 8, 100),
    ]:
        assert re.search(rf"{label}\s+{count}\s+{percent}%", summary), (label, summary)


def test_the_pdf_comments_on_the_red_kpis_by_name(pdf):
    commentary = _section(pdf_text(pdf), "4. Commentary on red indicators", "5. Performance")
    assert "Indicator 203: Indicator 203 percentage" in commentary
    assert "Indicator 207: Indicator 207 percentage" in commentary
    assert "Indicator 201" not in commentary  # green
    assert "Action plan for 203: recover by Q2." in commentary


def test_the_pdf_has_the_proposals_table(pdf):
    section = _section(pdf_text(pdf), "2. Proposed changes to the KPI set", "3. Summary")
    section = " ".join(section.split())  # cells wrap across lines
    assert "KPI number" in section and "Rationale for proposal" in section
    assert "Website accessibility score" in section
    assert "Replaces KPI 189 with a more relevant measure." in section


def test_every_page_is_numbered_page_x_of_y_with_a_running_header(pdf):
    pages = pdf_pages(pdf)
    total = len(pages)
    assert total > 3
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in text
    assert "Strategy Committee · 22 June 2026" in pages[2]


def test_the_contents_list_gives_page_numbers(pdf):
    contents = _section(pdf_text(pdf), "Contents", "1. Background\n")
    assert re.search(r"Appendix 2\. Performance data for each indicator\s*\.+\s*\d+", contents)


def test_the_pdf_is_tagged_with_a_title_and_language(pdf, tmp_path):
    if not shutil.which("pdfinfo"):
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    path = tmp_path / "pack.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)  # noqa: S607
    assert re.search(r"^Tagged:\s+yes$", info.stdout, re.M)
    assert re.search(r"^Title:\s+Strategy Committee, 22 June 2026", info.stdout, re.M)
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert bool(root["/MarkInfo"]["/Marked"])


def test_an_indicators_heading_and_facts_are_on_the_same_page_as_its_chart(pdf):
    pages = pdf_pages(pdf)
    heading = "Appendix 2. Performance data for each indicator"
    appendix = max(i for i, text in enumerate(pages) if heading in text)  # not the contents
    headings = 0
    for text in [pages[appendix].split(heading)[-1], *pages[appendix + 1 :]]:
        for match in re.finditer(r"Indicator (\d+): Indicator \d+ percentage", text):
            headings += 1
            after = text[match.end() :]
            assert "Percentage (%)" in after, f"KPI {match[1]}'s chart is on the next page"
    assert headings == 8


def test_a_preview_is_marked_draft_on_every_page(pdf):
    pages = pdf_pages(pdf)
    assert len(pages) > 3
    unmarked = [number for number, text in enumerate(pages, start=1) if "DRAFT" not in text]
    assert unmarked == []
    assert "DRAFT – a preview from live data, not published" in pages[0]
