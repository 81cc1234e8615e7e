"""G&P's reporting cycle: periods, the completion dashboard with chasing, and targets."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kpis import measurements, reminders
from kpis import reporting_selectors as selectors
from kpis.models import Directorate, Kpi, ReportingPeriod
from kpis.periods import financial_year_of
from kpis.reporting_forms import (
    FinancialYearForm,
    PeriodOpenForm,
    ReopenForm,
    TargetFilterForm,
    TargetForm,
)
from pmf.models import User
from pmf.roles import is_approver, is_gp, require

DASHBOARD_FILTERS = ("directorate", "status")
DASHBOARD_PAGE_SIZE = 100


def _get_period(period_id: int) -> ReportingPeriod:
    return get_object_or_404(ReportingPeriod, pk=period_id)


def _int_or_none(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


# Periods ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@require(is_gp)
def periods(request: HttpRequest) -> HttpResponse:
    form = FinancialYearForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["financial_year"]
        created = measurements.periods_create_for_year(financial_year=year, by=request.user)
        label = f"{year}/{(year + 1) % 100:02d}"
        if created:
            messages.success(request, f"Created {len(created)} reporting periods for {label}.")
        else:
            messages.info(request, f"Every reporting period for {label} already exists.")
        return redirect(reverse("reporting:periods") + f"#year-{year}")
    return render(
        request,
        "kpis/reporting/periods.html",
        {
            "form": form,
            "years": selectors.periods_by_year(),
            "next_year": financial_year_of(timezone.localdate()) + 1,
        },
    )


@require_http_methods(["GET", "POST"])
@require(is_gp)
def period_open(request: HttpRequest, period_id: int) -> HttpResponse:
    period = _get_period(period_id)
    initial = {
        "submission_deadline": period.submission_deadline,
        "signoff_deadline": period.signoff_deadline,
    }
    form = PeriodOpenForm(request.POST or None, initial=initial, period=period)
    if request.method == "POST" and form.is_valid():
        try:
            measurements.period_open(period=period, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, f"{period.label} is open for entry.")
            return redirect(reverse("reporting:periods") + f"#year-{period.financial_year}")
    return render(request, "kpis/reporting/period_open.html", {"form": form, "period": period})


CONFIRM_ACTIONS = {
    "close": (
        measurements.period_close,
        "Close {label} for entry",
        "Officers will no longer be able to enter or change values. Governance and Performance "
        "can still correct values until the period is locked, and can open it again.",
        "{label} is closed for entry.",
    ),
    "lock": (
        measurements.period_lock,
        "Lock {label}",
        "Nobody will be able to change its values through any page or import. Locking is for a "
        "period that has been reported; reopening it later needs a recorded reason.",
        "{label} is locked.",
    ),
}


@require_http_methods(["GET", "POST"])
@require(is_gp)
def period_confirm(request: HttpRequest, period_id: int, action: str) -> HttpResponse:
    period = _get_period(period_id)
    service, title, warning, done = CONFIRM_ACTIONS[action]
    error = ""
    if request.method == "POST":
        try:
            service(period=period, by=request.user)
        except ValidationError as failure:
            error = " ".join(failure.messages)
        else:
            messages.success(request, done.format(label=period.label))
            return redirect(reverse("reporting:periods") + f"#year-{period.financial_year}")
    return render(
        request,
        "kpis/reporting/period_confirm.html",
        {
            "period": period,
            "action": action,
            "title": title.format(label=period.label),
            "warning": warning,
            "error": error,
        },
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
@require(is_gp)
def period_reopen(request: HttpRequest, period_id: int) -> HttpResponse:
    period = _get_period(period_id)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            measurements.period_reopen(
                period=period, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, f"{period.label} is reopened (closed for entry).")
            return redirect(reverse("reporting:periods") + f"#year-{period.financial_year}")
    return render(request, "kpis/reporting/period_reopen.html", {"form": form, "period": period})


# The completion dashboard ----------------------------------------------------------------------


def _dashboard_url(period: ReportingPeriod, query: dict) -> str:
    kept = {key: query[key] for key in (*DASHBOARD_FILTERS, "page") if query.get(key)}
    url = reverse("reporting:dashboard", args=[period.pk])
    return f"{url}?{urlencode(kept)}" if kept else url


@require_GET
@require(is_gp | is_approver)
def dashboard(request: HttpRequest, period_id: int) -> HttpResponse:
    period = _get_period(period_id)
    can_chase = is_gp(request.user)
    directorate_ids = None
    if not can_chase:
        # Approvers see their own directorates only, read-only.
        directorate_ids = list(request.user.approves_for.values_list("pk", flat=True))
        if not directorate_ids:
            raise PermissionDenied
    directorate = _int_or_none(request.GET.get("directorate"))
    if directorate_ids is not None and directorate and directorate not in directorate_ids:
        raise PermissionDenied
    status = request.GET.get("status", "")
    if status not in selectors.STATUS_LABELS and status != selectors.OVERDUE:
        status = ""
    data = selectors.completion_dashboard(
        period, directorate_ids=directorate_ids, directorate=directorate, status=status
    )
    paginator = Paginator(data.pop("rows"), DASHBOARD_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    filters = {"directorate": directorate or "", "status": status}
    return render(
        request,
        "kpis/reporting/dashboard.html",
        {
            **data,
            "rows": page.object_list,
            "page": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2),
            "page_query": urlencode({key: value for key, value in filters.items() if value}),
            "period": period,
            "can_chase": can_chase and period.is_open,
            "is_gp": can_chase,
            "selected_directorate": directorate,
            "selected_status": status,
        },
    )


@require_POST
@require(is_gp)
def chase(request: HttpRequest, period_id: int) -> HttpResponse:
    period = _get_period(period_id)
    kpi_id = _int_or_none(request.POST.get("kpi"))
    directorate_id = _int_or_none(request.POST.get("chase_directorate"))
    if kpi_id:
        kpis = [get_object_or_404(Kpi, pk=kpi_id)]
    elif directorate_id:
        get_object_or_404(Directorate, pk=directorate_id)
        kpis = selectors.chase_candidates(period, directorate_id=directorate_id)
    else:
        raise Http404("Choose a KPI or a directorate to chase.")
    try:
        sent = reminders.chase(period=period, kpis=kpis, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        count = len(sent.reminders)
        notes = [f"Sent {count} reminder e-mail{'' if count == 1 else 's'}"]
        if sent.already_sent:
            notes.append(f"{len(sent.already_sent)} already chased today about the same KPIs")
        if sent.no_email:
            names = ", ".join(selectors.person_name(p) for p in sent.no_email)
            notes.append(f"no e-mail address for {names}")
        if not kpis:
            notes = ["Nothing to chase: no KPI in this directorate is not started or overdue"]
        elif not (sent.reminders or sent.already_sent or sent.no_email):
            notes.append("no lead officer or delegate to chase")
        messages.success(request, "; ".join(notes) + ".")
    return redirect(_dashboard_url(period, request.POST))


# Targets ---------------------------------------------------------------------------------------


@require_GET
@require(is_gp)
def targets(request: HttpRequest) -> HttpResponse:
    years = selectors.target_years()
    directorates = list(Directorate.objects.order_by("name"))
    this_year = financial_year_of(timezone.localdate())
    form = TargetFilterForm(
        request.GET or None, years=years, directorates=directorates, initial={"year": this_year}
    )
    year, directorate = this_year, None
    if request.GET and form.is_valid():
        year, directorate = form.cleaned_data["year"], form.cleaned_data["directorate"]
    return render(
        request,
        "kpis/reporting/targets.html",
        {
            "filter_form": form,
            "year": year,
            "year_label": f"{year}/{(year + 1) % 100:02d}",
            "rows": selectors.targets_for_year(year, directorate=directorate),
        },
    )


@require_http_methods(["GET", "POST"])
@require(is_gp)
def target_edit(request: HttpRequest, reference: str, year: int) -> HttpResponse:
    kpi = get_object_or_404(Kpi.objects.select_related("directorate"), reference=reference)
    if not 2000 <= year <= 2100:
        raise Http404("No such financial year.")
    context = {"kpi": kpi, "year": year, "year_label": f"{year}/{(year + 1) % 100:02d}"}
    if kpi.target_kind == Kpi.TargetKind.CONTEXTUAL:
        status = 400 if request.method == "POST" else 200
        return render(request, "kpis/reporting/target_contextual.html", context, status=status)
    periods = selectors.periods_for_targets(kpi, year)
    form = TargetForm(
        request.POST or None,
        kpi=kpi,
        periods=periods,
        targets=list(kpi.targets.filter(financial_year=year)),
    )
    if request.method == "POST" and form.is_valid():
        try:
            _save_targets(kpi=kpi, year=year, by=request.user, form=form)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request, f"Targets for KPI {kpi.reference} in {context['year_label']} saved."
            )
            return redirect(reverse("reporting:targets") + f"?year={year}")
    context |= {
        "form": form,
        "periods": periods,
        "period_kind": selectors.FREQUENCY_TO_KIND.get(kpi.frequency),
        "history": selectors.target_history(kpi, year),
    }
    return render(request, "kpis/reporting/target_edit.html", context)


@transaction.atomic
def _save_targets(*, kpi: Kpi, year: int, by: User, form: TargetForm) -> None:
    """All of the year's targets or none (target_set checks permission and state for each)."""
    intervention = form.cleaned_data["intervention_level"]
    measurements.target_set(
        kpi=kpi,
        financial_year=year,
        by=by,
        value=form.cleaned_data["value"],
        intervention_level=intervention,
        note=form.cleaned_data["note"],
    )
    for period, value in form.period_targets():
        measurements.target_set(
            kpi=kpi,
            financial_year=year,
            by=by,
            value=value,
            intervention_level=intervention,
            period=period,
        )
