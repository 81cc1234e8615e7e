"""One set of templates for the pack's HTML preview and its PDF (WeasyPrint 70).

The pack's stylesheet is written into the document itself, so a published version's HTML keeps
the look it was published with whatever later releases do to its stylesheets, and a page
serving it allows exactly that style block by its hash (`allow_inline_styles`).

WeasyPrint fetches nothing from the network: `AppOnlyFetcher` serves the app's own static files
(through the staticfiles finders, or STATIC_ROOT after collectstatic) for URLs under the internal
origin the pack is rendered against, and the charts' own SVG data URIs (scorecards.charts), and
refuses every other URL (anything such an SVG referred to included). WeasyPrint only logs a
refused fetch, so the fetcher also keeps a list of what it refused, for tests and logs.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import mimetypes
import posixpath
import re
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from kpis.register.models import unit_style
from scorecards.charts import SVG_DATA_URI, kpi_chart

logger = logging.getLogger(__name__)

#: The origin packs are rendered against: `.invalid` never resolves, so nothing can leak out.
APP_ORIGIN = "https://pmf.invalid"
TEMPLATE = "reports/pack.html"
#: Written into the pack in this order: the chart key's styles, shared with the KPI page, then
#: the pack's own.
STYLESHEETS = ("css/chart.css", "css/pack.css")
#: Written into previews only, after those: the DRAFT mark.
DRAFT_STYLESHEET = "css/pack-draft.css"
PDF_VARIANT = "pdf/ua-1"
_STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", re.DOTALL)


class RefusedFetch(ValueError):
    """A URL outside the app's own static files."""


class AppOnlyFetcher(URLFetcher):
    """Serves only the app's static files and SVG data URIs; every other URL is refused."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, allowed_protocols=("https",), **kwargs)
        self.served: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url.startswith(SVG_DATA_URI):
            return self._svg(url)
        path = _static_path(url)
        if path is None:
            self.refused.append(url)
            logger.warning("Pack rendering refused to fetch %s", url[:200])
            raise RefusedFetch(f"Packs may only use the app's own static files, not {url[:200]}")
        self.served.append(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": content_type}
        )

    def _svg(self, url: str) -> URLFetcherResponse:
        try:
            body = base64.b64decode(url[len(SVG_DATA_URI) :], validate=True)
        except ValueError:
            self.refused.append(url[:200])
            raise RefusedFetch("A chart's data URI is not valid base64") from None
        self.served.append(url[:60])
        return URLFetcherResponse(url, body=body, headers={"Content-Type": "image/svg+xml"})


def _static_path(url: str) -> Path | None:
    """The file behind an app static URL under APP_ORIGIN; None for any other URL."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != APP_ORIGIN or parts.query:
        return None
    static_url = settings.STATIC_URL
    if not parts.path.startswith(static_url):
        return None
    relative = posixpath.normpath(unquote(parts.path[len(static_url) :]))
    if relative.startswith(("/", "..")) or "\\" in relative or "\x00" in relative:
        return None
    found = finders.find(relative)
    if found:
        return Path(found)
    root = settings.STATIC_ROOT
    if root:
        candidate = (Path(root) / relative).resolve()
        if candidate.is_file() and Path(root).resolve() in candidate.parents:
            return candidate
    return None


def appendix(data: dict) -> list[dict]:
    """The appendix sections, each with its chart drawn from the frozen points and its values
    over time as one line: the same for the HTML, the PDF and the Word document."""
    sections = []
    for section in data["appendix"]:
        points = section["points"]
        forecast = section.get("forecast_point")
        chart = kpi_chart(
            [(p["label"], _as_reported(p["value"])) for p in points],
            target=[_as_reported(p["target"]) for p in points],
            forecast=(forecast[0], forecast[1]) if forecast else None,
            unit_label=section["unit_label"],
            title=f"KPI {section['reference']}: {section['name']}",
            style=unit_style(section.get("unit", ""), section.get("decimals")),
        )
        sections.append({**section, "chart": chart, "history": _history_line(section)})
    return sections


def _as_reported(value: float | None) -> Decimal | None:
    """A reported figure frozen as a float, back as the decimal it was (its shortest repr), so
    the chart writes it as the pages do; forecasts stay floats, estimates."""
    return None if value is None else Decimal(repr(value))


def _history_line(section: dict) -> str:
    """The values over time as one line of text, each period's figures held together by no-break
    spaces: one run of text to lay out rather than a box for every period."""
    parts = []
    for point in section["points"]:
        text = f"{point['label']}: {point['value_display']}"
        if point["provisional"]:
            text += " (provisional)"
        text += f" ({point['rating_label']}"
        if point["target_display"] != section["target"]:
            text += f"; target {point['target_display']}"
        parts.append((text + ")").replace(" ", "\N{NO-BREAK SPACE}"))
    return " · ".join(parts)


def _static_text(name: str) -> str:
    path = _static_path(f"{APP_ORIGIN}{settings.STATIC_URL}{name}")
    if path is None:
        raise FileNotFoundError(f"The pack stylesheet {name} is missing from static files")
    return path.read_text(encoding="utf-8")


def stylesheet() -> str:
    """The pack's CSS (STYLESHEETS from static files), to be written into the document."""
    return "\n".join(_static_text(name) for name in STYLESHEETS)


def render_html(data: dict, *, draft: bool = True) -> str:
    """The pack as a complete HTML document (the preview, and what the PDF is made from).

    Anything but a published version is a draft: it carries a DRAFT mark on screen and on every
    printed page. Only publishing passes `draft=False`."""
    return render_to_string(
        TEMPLATE,
        {
            "pack": data,
            "appendix": appendix(data),
            "council_name": settings.COUNCIL_NAME,
            "stylesheet": stylesheet(),
            "draft": draft,
            "draft_stylesheet": _static_text(DRAFT_STYLESHEET) if draft else "",
        },
    )


def allow_inline_styles(response: HttpResponse, html: str) -> HttpResponse:
    """Let the browser apply the document's own <style> blocks, and nothing else inline."""
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(block.encode("utf-8")).digest()).decode() + "'"
        for block in _STYLE_BLOCK.findall(html)
    ]
    if hashes:
        response._csp_update = {"style-src": hashes}  # noqa: SLF001 – django-csp's per-response hook
    return response


@dataclass
class PdfResult:
    pdf: bytes
    fetcher: AppOnlyFetcher
    write_seconds: float = 0.0
    timings: dict = field(default_factory=dict)


def html_to_pdf(html: str) -> PdfResult:
    """Lay out the HTML as a tagged PDF/UA-1 document; fetches only the app's static files."""
    fetcher = AppOnlyFetcher()
    started = time.perf_counter()
    document = HTML(string=html, base_url=f"{APP_ORIGIN}/", url_fetcher=fetcher)
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
    return PdfResult(pdf=pdf, fetcher=fetcher, write_seconds=time.perf_counter() - started)


def render_pdf(data: dict, *, draft: bool = True) -> bytes:
    return html_to_pdf(render_html(data, draft=draft)).pdf
