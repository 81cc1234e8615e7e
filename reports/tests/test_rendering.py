import base64
import re

import pytest

from kpis.reporting.models import Measurement
from reports import rendering, selectors
from reports.rendering import APP_ORIGIN, AppOnlyFetcher, RefusedFetch
from reports.tests.helpers import pdf_text
from scorecards.charts import SVG_DATA_URI

pytestmark = pytest.mark.django_db

HOSTILE = '<img src="http://127.0.0.1:9/x"> <script>alert("x")</script> & <b>bold</b>'


@pytest.fixture
def data(setup):
    _, meeting, _, _ = setup
    return selectors.pack_data(selectors.meeting_for_pack(meeting.pk))


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
