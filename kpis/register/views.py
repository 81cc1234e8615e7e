from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from django_tables2 import RequestConfig

from kpis.register import io as register_io
from kpis.register import selectors, services
from kpis.register.filters import KpiRegisterFilter
from kpis.register.forms import (
    DirectorateForm,
    KpiForm,
    PriorityForm,
    ReasonForm,
    RegisterUploadForm,
    RetireForm,
    ServiceForm,
    UnitForm,
)
from kpis.register.models import Directorate, Kpi, Priority, Service, Unit
from kpis.register.tables import KpiRegisterTable
from pmf.forms_govuk import posted
from pmf.roles import require


def _filtered_register(request: HttpRequest) -> KpiRegisterFilter:
    return KpiRegisterFilter(request.GET or None, queryset=selectors.kpi_register_list())


@require_GET
@require("pmf.read")
def register(request: HttpRequest) -> HttpResponse:
    register_filter = _filtered_register(request)
    table = KpiRegisterTable(register_filter.qs)
    RequestConfig(request, paginate={"per_page": settings.REGISTER_PAGE_SIZE}).configure(table)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("sort", None)
    return render(
        request,
        "kpis/register/register.html",
        {"filter": register_filter, "table": table, "export_query": query.urlencode()},
    )


@require_GET
@require("pmf.read")
def register_export(request: HttpRequest, file_format: str) -> HttpResponse:
    kpis = _filtered_register(request).qs
    stamp = timezone.localdate().isoformat()
    if file_format == "csv":
        content, content_type = register_io.register_export_csv(kpis), "text/csv; charset=utf-8"
    else:
        content = register_io.register_export_xlsx(kpis)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="kpi-register-{stamp}.{file_format}"'
    return response


def kpi_or_404(reference: str) -> Kpi:
    """The KPI with this reference, for any page about one KPI."""
    try:
        return selectors.kpi_detail(reference=reference)
    except Kpi.DoesNotExist as error:
        raise Http404("No KPI has this reference number.") from error


def _save_kpi_form(request: HttpRequest, form: KpiForm) -> Kpi | None:
    if not form.is_valid():
        return None
    try:
        return services.kpi_save(
            kpi=form.save(commit=False),
            by=request.user,
            priorities=form.cleaned_data["priorities"],
            committees=form.cleaned_data["committees"],
            delegates=form.cleaned_data["delegates"],
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None


@require_http_methods(["GET", "POST"])
@require("kpis.keep_register")
def kpi_create(request: HttpRequest) -> HttpResponse:
    form = KpiForm(*posted(request))
    if request.method == "POST" and (kpi := _save_kpi_form(request, form)):
        messages.success(request, f"KPI {kpi.reference} added to the register.")
        return redirect(kpi)
    return render(request, "kpis/register/kpi_form.html", {"form": form, "title": "Add a KPI"})


@require_http_methods(["GET", "POST"])
@require("kpis.keep_register")
def kpi_edit(request: HttpRequest, reference: str) -> HttpResponse:
    kpi = kpi_or_404(reference)
    form = KpiForm(*posted(request), instance=kpi)
    if request.method == "POST" and (saved := _save_kpi_form(request, form)):
        messages.success(request, f"KPI {saved.reference} updated.")
        return redirect(saved)
    title = f"Edit KPI {kpi.reference}"
    return render(
        request, "kpis/register/kpi_form.html", {"form": form, "title": title, "kpi": kpi}
    )


@require_http_methods(["GET", "POST"])
@require("kpis.keep_register")
def kpi_change_status(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    kpi = kpi_or_404(reference)
    form_class = RetireForm if action == "retire" else ReasonForm
    kwargs = {"kpi": kpi} if action == "retire" else {}
    form = form_class(*posted(request), **kwargs)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            if action == "suspend":
                services.kpi_suspend(kpi=kpi, by=request.user, reason=reason)
            elif action == "reinstate":
                services.kpi_reinstate(kpi=kpi, by=request.user, reason=reason)
            else:
                services.kpi_retire(
                    kpi=kpi,
                    by=request.user,
                    on=form.cleaned_data["date_removed"],
                    reason=reason,
                    decision=form.cleaned_data["decision"],
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"KPI {kpi.reference} {action_past(action)}.")
            return redirect(kpi)
    return render(
        request, "kpis/register/kpi_status_form.html", {"form": form, "kpi": kpi, "action": action}
    )


def action_past(action: str) -> str:
    return {"suspend": "suspended", "reinstate": "reinstated", "retire": "retired"}[action]


@require_GET
@require("pmf.read")
def structure(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "kpis/register/structure.html",
        {
            **selectors.structure_overview(),
            "can_keep_register": request.user.has_perm("kpis.keep_register"),
        },
    )


STRUCTURE_FORMS = {
    "directorate": (Directorate, DirectorateForm, ["approvers"]),
    "service": (Service, ServiceForm, []),
    "priority": (Priority, PriorityForm, []),
}


@require_http_methods(["GET", "POST"])
@require("kpis.keep_register")
def structure_edit(request: HttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    model, form_class, m2m_fields = STRUCTURE_FORMS[kind]
    instance: Model | None = get_object_or_404(model, pk=pk) if pk else None
    form = form_class(*posted(request), instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.structure_save(
                obj=form.save(commit=False),
                by=request.user,
                m2m={name: form.cleaned_data[name] for name in m2m_fields},
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{model._meta.verbose_name.capitalize()} “{saved}” saved.")
            return redirect(reverse("kpis:structure") + f"#{kind}-{saved.pk}")
    noun = model._meta.verbose_name
    title = f"Edit {noun}" if instance else f"Add a {noun}"
    return render(request, "kpis/register/structure_form.html", {"form": form, "title": title})


@require_GET
@require("pmf.read")
def units(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "kpis/register/units.html",
        {
            "rows": selectors.unit_list(),
            "history": selectors.unit_history(),
            "can_keep_register": request.user.has_perm("kpis.keep_register"),
        },
    )


@require_http_methods(["GET", "POST"])
@require("kpis.keep_register")
def unit_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    unit = get_object_or_404(Unit, code=code) if code else None
    title = f"Edit the unit {unit.name}" if unit else "Add a unit"
    form = UnitForm(*posted(request), instance=unit)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.unit_save(unit=form.save(commit=False), by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Unit “{saved.name}” saved.")
            return redirect(reverse("kpis:units") + f"#unit-{saved.code}")
    return render(
        request,
        "kpis/register/unit_form.html",
        {
            "form": form,
            "unit": unit,
            "title": title,
            "history": selectors.unit_history(unit) if unit else [],
        },
    )


@require_http_methods(["GET", "POST"])
@require("kpis.keep_register")
def register_import(request: HttpRequest) -> HttpResponse:
    form = RegisterUploadForm(*posted(request, files=True))
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            form.add_error(
                "file", f"The file must be smaller than {settings.MAX_UPLOAD_BYTES // 1_048_576} MB"
            )
        else:
            result = register_io.register_import(
                data=upload.read(), filename=upload.name, by=request.user
            )
            if result.ok:
                messages.success(
                    request,
                    f"Imported {upload.name}: {len(result.created)} added, "
                    f"{len(result.updated)} updated, {len(result.unchanged)} unchanged.",
                )
    errors, more = register_io.errors_to_show(result.errors if result else [])
    context = {"form": form, "result": result, "errors_shown": errors, "errors_more": more}
    return render(request, "kpis/register/register_import.html", context)
