"""Scorecard pages, their exports and a KPI's chart page."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from kpis.register.models import Committee, Directorate, Kpi
from kpis.reporting.models import Measurement, ReportingPeriod
from pmf.roles import require
from scorecards import charts, exports, rendering, selectors
from scorecards.forms import ScorecardChoiceForm, ScorecardFilterForm


@require_GET
@require("pmf.read")
def index(request: HttpRequest) -> HttpResponse:
    form = ScorecardChoiceForm(request.GET or None)
    if request.GET and form.is_valid():
        period_id = form.cleaned_data["period"]
        kind, _, pk = form.cleaned_data["scorecard"].partition(":")
        if kind == "organisation":
            return redirect("scorecards:organisation", period_id=period_id)
        return redirect(f"scorecards:{kind}", int(pk), period_id)
    latest = selectors.latest_period_with_values()
    if not request.GET and latest is not None:
        form = ScorecardChoiceForm(initial={"scorecard": "organisation", "period": latest.pk})
    return render(
        request,
        "scorecards/index.html",
        {
            "form": form,
            "latest": latest,
            "directorates": Directorate.objects.filter(is_active=True),
            "committees": Committee.objects.filter(is_active=True),
        },
    )


def _scorecard(request: HttpRequest, kind: str, period_id: int, *, paginated: bool, **scope):
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    form = ScorecardFilterForm(request.GET or None, kind=kind)
    pages = (
        {"page_size": settings.SCORECARD_PAGE_SIZE, "page": request.GET.get("page")}
        if paginated
        else {}
    )
    card = selectors.scorecard(kind=kind, period=period, **scope, **form.filters(), **pages)
    return card, form


def _page(request: HttpRequest, card, form, export_args: list) -> HttpResponse:
    filters = request.GET.copy()
    filters.pop("page", None)
    page = card.page
    return render(
        request,
        "scorecards/scorecard.html",
        {
            "card": card,
            "groups": [
                {"label": group.label, "rows": group.rows, "html": rendering.rows_html(group.rows)}
                for group in card.groups
            ],
            "form": form,
            "export_csv": reverse(f"scorecards:{card.kind}_export", args=[*export_args, "csv"]),
            "export_xlsx": reverse(f"scorecards:{card.kind}_export", args=[*export_args, "xlsx"]),
            "export_summary": reverse(f"scorecards:{card.kind}_summary", args=export_args),
            "query": filters.urlencode(),
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2),
        },
    )


def _download(card, file_format: str) -> HttpResponse:
    return _attachment(*exports.export(card, file_format))


def _summary(request: HttpRequest, kind: str, period_id: int, **scope) -> HttpResponse:
    """The RAG summary as CSV, for the same KPIs as the page (level and priority filters). The
    summary reads every KPI's current rating; a one-row page spares making the rows."""
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    form = ScorecardFilterForm(request.GET or None, kind=kind)
    card = selectors.scorecard(kind=kind, period=period, **scope, **form.filters(), page_size=1)
    return _attachment(*exports.export_summary(card))


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@require("pmf.read")
def organisation(request: HttpRequest, period_id: int) -> HttpResponse:
    card, form = _scorecard(request, "organisation", period_id, paginated=True)
    return _page(request, card, form, [period_id])


@require_GET
@require("pmf.read")
def organisation_export(request: HttpRequest, period_id: int, file_format: str) -> HttpResponse:
    card, _ = _scorecard(request, "organisation", period_id, paginated=False)
    return _download(card, file_format)


@require_GET
@require("pmf.read")
def organisation_summary(request: HttpRequest, period_id: int) -> HttpResponse:
    return _summary(request, "organisation", period_id)


@require_GET
@require("pmf.read")
def directorate(request: HttpRequest, directorate_id: int, period_id: int) -> HttpResponse:
    found = get_object_or_404(Directorate, pk=directorate_id)
    card, form = _scorecard(request, "directorate", period_id, paginated=True, directorate=found)
    return _page(request, card, form, [directorate_id, period_id])


@require_GET
@require("pmf.read")
def directorate_export(
    request: HttpRequest, directorate_id: int, period_id: int, file_format: str
) -> HttpResponse:
    found = get_object_or_404(Directorate, pk=directorate_id)
    card, _ = _scorecard(request, "directorate", period_id, paginated=False, directorate=found)
    return _download(card, file_format)


@require_GET
@require("pmf.read")
def directorate_summary(request: HttpRequest, directorate_id: int, period_id: int) -> HttpResponse:
    found = get_object_or_404(Directorate, pk=directorate_id)
    return _summary(request, "directorate", period_id, directorate=found)


@require_GET
@require("pmf.read")
def committee(request: HttpRequest, committee_id: int, period_id: int) -> HttpResponse:
    found = get_object_or_404(Committee, pk=committee_id)
    card, form = _scorecard(request, "committee", period_id, paginated=True, committee=found)
    return _page(request, card, form, [committee_id, period_id])


@require_GET
@require("pmf.read")
def committee_export(
    request: HttpRequest, committee_id: int, period_id: int, file_format: str
) -> HttpResponse:
    found = get_object_or_404(Committee, pk=committee_id)
    card, _ = _scorecard(request, "committee", period_id, paginated=False, committee=found)
    return _download(card, file_format)


@require_GET
@require("pmf.read")
def committee_summary(request: HttpRequest, committee_id: int, period_id: int) -> HttpResponse:
    found = get_object_or_404(Committee, pk=committee_id)
    return _summary(request, "committee", period_id, committee=found)


@require_GET
@require("pmf.read")
def kpi_chart(request: HttpRequest, reference: str) -> HttpResponse:
    kpi = get_object_or_404(Kpi.objects.select_related("directorate"), reference=reference)
    performance = selectors.kpi_performance(kpi)
    row = performance.row
    chart = None
    if row is not None:
        chart = charts.kpi_chart(
            [(p.label, p.value) for p in row.points],
            target=[p.target for p in row.points],
            forecast=(row.forecast_label, row.forecast) if row.forecast is not None else None,
            unit_label=kpi.get_unit_display(),
            title=f"KPI {kpi.reference}: {kpi.name}",
            style=kpi.unit_style,
        )
    return render(
        request,
        "scorecards/kpi.html",
        {
            "kpi": kpi,
            "performance": performance,
            "row": row,
            "chart": chart,
            "provisional_note": selectors.PROVISIONAL_NOTE,
            "provisional_meaning": Measurement.PROVISIONAL_MEANING,
        },
    )
