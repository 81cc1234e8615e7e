import base64
import io
import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from kpis.models import Measurement
from reports import rendering, selectors
from reports.rendering import APP_ORIGIN, AppOnlyFetcher, RefusedFetch
from reports.tests.helpers import pdf_pages, pdf_text
from scorecards.charts import SVG_DATA_URI

pytestmark = pytest.mark.django_db

HOSTILE = '<img src="http://127.0.0.1:9/x"> <script>alert("x")</script> & <b>bold</b>'


@pytest.fixture
def data(setup):
    _, meeting, _, _ = setup
    return selectors.pack_data(selectors.meeting_for_pack(meeting.pk))


@pytest.fixture
def pdf(data):
    return rendering.render_pdf(data)


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


def test_html_and_pdf_come_from_the_same_template(data):
    html = rendering.render_html(data)
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en-GB">' in html
    assert "Appendix 2. Performance data for each indicator" in html
    assert html.count('<img src="data:image/svg+xml;base64,') == 8  # one chart per KPI
    assert html.count('<p class="chart-key">') == 8


def test_commentary_is_escaped_in_html_and_pdf_and_nothing_is_fetched(setup, monkeypatch):
    _, meeting, kpis, history = setup
    Measurement.objects.filter(kpi=kpis[3], period=history[-1]).update(
        commentary=HOSTILE, action_plan="<script>steal()</script>"
    )
    data = selectors.pack_data(selectors.meeting_for_pack(meeting.pk))
    html = rendering.render_html(data)
    assert "<script>" not in html
    assert re.findall(r"<img src=\"([a-z]+:[^,]*)", html) == ["data:image/svg+xml;base64"] * 8
    assert "&lt;img src=&quot;http://127.0.0.1:9/x&quot;&gt;" in html
    assert "&lt;script&gt;steal()&lt;/script&gt;" in html

    calls = []
    original = AppOnlyFetcher.fetch

    def counting(self, url, headers=None):
        calls.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(AppOnlyFetcher, "fetch", counting)
    result = rendering.html_to_pdf(html)
    # The stylesheet is in the document: nothing is fetched but the charts' own data URIs.
    assert len(calls) == 8 and all(url.startswith(SVG_DATA_URI) for url in calls)
    assert result.fetcher.refused == []
    text = pdf_text(result.pdf)
    assert '<img src="http://127.0.0.1:9/x">' in text
    assert "<script>steal()</script>" in text


def test_an_image_that_did_reach_the_html_would_be_refused(caplog):
    html = '<html lang="en-GB"><title>t</title><p>x<img src="http://127.0.0.1:9/x" alt="x"></p>'
    result = rendering.html_to_pdf(html)
    assert result.fetcher.refused == ["http://127.0.0.1:9/x"]
    assert result.fetcher.served == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "https://example.com/static/css/pack.css",
        "file:///etc/passwd",
        "data:text/css,body{}",
        f"{APP_ORIGIN}/static/../../pmf/settings.py",
        f"{APP_ORIGIN}/static/%2e%2e/%2e%2e/pmf/settings.py",
        f"{APP_ORIGIN}/media/packs/1/x.pdf",
        f"{APP_ORIGIN}/static/css/nothing-here.css",
    ],
)
def test_the_fetcher_refuses_everything_but_the_apps_static_files(url):
    fetcher = AppOnlyFetcher()
    with pytest.raises(RefusedFetch):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_a_chart_is_served_from_its_data_uri_but_nothing_it_refers_to():
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'width="10" height="10"><image xlink:href="http://127.0.0.1:9/x" width="5" height="5"/>'
        "</svg>"
    )
    uri = SVG_DATA_URI + base64.b64encode(svg.encode()).decode()
    html = f'<html lang="en-GB"><title>t</title><p><img src="{uri}" alt="A chart"></p>'
    result = rendering.html_to_pdf(html)
    assert result.fetcher.served == [uri[:60]]
    assert result.fetcher.refused == ["http://127.0.0.1:9/x"]
    with pytest.raises(RefusedFetch):
        AppOnlyFetcher().fetch(SVG_DATA_URI + "not base64!")


def test_the_fetcher_serves_the_apps_own_stylesheet():
    response = AppOnlyFetcher().fetch(f"{APP_ORIGIN}/static/css/pack.css")
    assert b"@page" in response.read()
    assert response.headers.get_content_type() == "text/css"


def test_the_pack_carries_its_own_stylesheet(setup):
    html = rendering.render_html(selectors.pack_data(selectors.meeting_for_pack(setup[1].pk)))
    assert "<link" not in html
    assert rendering.stylesheet() in html and "@page" in rendering.stylesheet()
    assert 'content: "Page " counter(page)' in html  # not HTML-escaped inside <style>
    assert ".chart-key__item--target::before" in html  # the key's swatches, shared with the web


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
