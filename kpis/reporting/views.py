"""The reporting cycle's pages: G&P's periods, completion dashboard with chasing, and targets (one
KPI's, or many from a file, and their download); the officers' entry pages ("My KPIs this
period"); the approvers' sign-off list; bulk entry of values from a file; and a KPI's page with
its values.

The dashboard's KPIs and the targets are record tables (`kpis.reporting.tables`), sorted and
paged like the register. The sign-off list is not: each value is a card with its commentary and
action plan, an Approve button, and a Return form with its own reason and error message, which
a table row cannot hold; and "Approve all" approves every value shown, so paging or sorting the
list would change what that button approves.

Every write goes through `kpis.reporting.services`. A page of several KPIs is saved all or
nothing: if any KPI's block has a problem (a bad value, a missing action plan, someone else's
newer save), nothing on the page is saved and every block is shown again with what the officer
typed, so no one has to wonder which values were kept.

Bulk entry of values, and of targets: between the preview and the confirmation the uploaded bytes
wait on disk under MEDIA_ROOT/uploads/<values or targets>/<random token>, and the person's
session holds the token, the file's name, the historic flag with its authority and the preview's
fingerprint. Only that session can confirm or cancel it; the file is deleted on confirmation,
cancellation, a new upload, or (when abandoned) by the sweep that every upload runs over files
older than a session can live. On confirmation the file is checked again from scratch, and
nothing is written if anything is now wrong or if the stored data moved on since the preview
(then the new preview is shown to confirm again).
"""

import secrets
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from kpis.register import selectors as register_selectors
from kpis.register.io import errors_to_show
from kpis.register.models import Directorate, Kpi
from kpis.register.views import kpi_or_404
from kpis.reporting import policy, quality, reminders, selectors, services
from kpis.reporting.forms import (
    EntryForm,
    FinancialYearForm,
    PeriodOpenForm,
    RagPolicyForm,
    ReopenForm,
    ReturnForm,
    TargetFilterForm,
    TargetForm,
    TargetsUploadForm,
    UploadForm,
    ValuesUploadForm,
)
from kpis.reporting.io import (
    ValuesImportResult,
    targets_export_csv,
    targets_export_xlsx,
    targets_import,
    values_import,
)
from kpis.reporting.models import (
    MEASUREMENT_TEXT_LENGTHS,
    Measurement,
    RagPolicy,
    ReportingPeriod,
)
from kpis.reporting.periods import FREQUENCY_TO_KIND, financial_year_of, year_label
from kpis.reporting.services import (
    StaleEdit,
    ValueQueried,
    measurement_return,
    measurement_save,
    measurements_approve,
)
from kpis.reporting.tables import CompletionTable, TargetTable
from pmf.forms_govuk import posted
from pmf.ids import parse_id
from pmf.models import User
from pmf.roles import require

DASHBOARD_FILTERS = ("directorate", "status")


def _get_period(period_id: int) -> ReportingPeriod:
    return get_object_or_404(ReportingPeriod, pk=period_id)


# Periods ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@require("kpis.run_cycle")
def periods(request: HttpRequest) -> HttpResponse:
    form = FinancialYearForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["financial_year"]
        created = services.periods_create_for_year(financial_year=year, by=request.user)
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
@require("kpis.run_cycle")
def period_open(request: HttpRequest, period_id: int) -> HttpResponse:
    period = _get_period(period_id)
    initial = {
        "submission_deadline": period.submission_deadline,
        "signoff_deadline": period.signoff_deadline,
    }
    form = PeriodOpenForm(request.POST or None, initial=initial, period=period)
    if request.method == "POST" and form.is_valid():
        try:
            services.period_open(period=period, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, f"{period.label} is open for entry.")
            return redirect(reverse("reporting:periods") + f"#year-{period.financial_year}")
    return render(request, "kpis/reporting/period_open.html", {"form": form, "period": period})


CONFIRM_ACTIONS = {
    "close": (
        services.period_close,
        "Close {label} for entry",
        "Officers will no longer be able to enter or change values. Governance and Performance "
        "can still correct values until the period is locked, and can open it again.",
        "{label} is closed for entry.",
    ),
    "lock": (
        services.period_lock,
        "Lock {label}",
        "Nobody will be able to change its values through any page or import. Locking is for a "
        "period that has been reported; reopening it later needs a recorded reason.",
        "{label} is locked.",
    ),
}


@require_http_methods(["GET", "POST"])
@require("kpis.run_cycle")
def period_confirm(request: HttpRequest, period_id: int, action: str) -> HttpResponse:
    """Close or lock a period, once confirmed. Locking first lists the values not approved, by
    KPI; the confirmation carries how many it listed (none, if it carries nothing), and nothing
    is locked if that has changed since."""
    period = _get_period(period_id)
    service, title, warning, done = CONFIRM_ACTIONS[action]
    error = ""
    if request.method == "POST":
        confirmed = {}
        if action == "lock":
            confirmed["expected_unapproved"] = parse_id(request.POST.get("unapproved")) or 0
        try:
            service(period=period, by=request.user, **confirmed)
        except ValidationError as failure:
            error = " ".join(failure.messages)
        else:
            messages.success(request, done.format(label=period.label))
            return redirect(reverse("reporting:periods") + f"#year-{period.financial_year}")
    unapproved = selectors.unapproved_in(period) if action == "lock" else None
    return render(
        request,
        "kpis/reporting/period_confirm.html",
        {
            "period": period,
            "action": action,
            "title": title.format(label=period.label),
            "warning": warning,
            "error": error,
            "unapproved": unapproved,
        },
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
@require("kpis.run_cycle")
def period_reopen(request: HttpRequest, period_id: int) -> HttpResponse:
    period = _get_period(period_id)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.period_reopen(
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
    kept = {key: query[key] for key in (*DASHBOARD_FILTERS, "sort", "page") if query.get(key)}
    url = reverse("reporting:dashboard", args=[period.pk])
    return f"{url}?{urlencode(kept)}" if kept else url


@require_GET
@require("kpis.view_completion")
def dashboard(request: HttpRequest, period_id: int) -> HttpResponse:
    period = _get_period(period_id)
    can_chase = request.user.has_perm("kpis.run_cycle")
    directorate_ids = None
    if not can_chase:
        # Approvers see their own directorates only, read-only.
        directorate_ids = list(request.user.approves_for.values_list("pk", flat=True))
        if not directorate_ids:
            raise PermissionDenied
    directorate = parse_id(request.GET.get("directorate"))
    if directorate_ids is not None and directorate and directorate not in directorate_ids:
        raise PermissionDenied
    status = request.GET.get("status", "")
    if status not in selectors.STATUS_LABELS and status != selectors.OVERDUE:
        status = ""
    data = selectors.completion_dashboard(
        period, directorate_ids=directorate_ids, directorate=directorate, status=status
    )
    table = CompletionTable(data.pop("rows"), can_chase=can_chase and period.is_open)
    RequestConfig(request).configure(table)
    return render(
        request,
        "kpis/reporting/dashboard.html",
        {
            **data,
            "table": table,
            "period": period,
            "can_chase": can_chase and period.is_open,
            "is_gp": can_chase,
            "selected_directorate": directorate,
            "selected_status": status,
        },
    )


@require_POST
@require("kpis.run_cycle")
def chase(request: HttpRequest, period_id: int) -> HttpResponse:
    period = _get_period(period_id)
    kpi_id = parse_id(request.POST.get("kpi"))
    directorate_id = parse_id(request.POST.get("chase_directorate"))
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
@require("kpis.run_cycle")
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
    year_label = f"{year}/{(year + 1) % 100:02d}"
    rows = selectors.targets_for_year(year, directorate=directorate)
    table = TargetTable(rows, year=year, year_label=year_label)
    RequestConfig(request).configure(table)
    shown = {"year": year} | ({"directorate": directorate} if directorate else {})
    return render(
        request,
        "kpis/reporting/targets.html",
        {
            "filter_form": form,
            "year_label": year_label,
            "table": table,
            "download_query": urlencode(shown),
            "directorate_name": next((d.name for d in directorates if d.pk == directorate), ""),
        },
    )


@require_http_methods(["GET", "POST"])
@require("kpis.run_cycle")
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
    services.target_set(
        kpi=kpi,
        financial_year=year,
        by=by,
        value=form.cleaned_data["value"],
        intervention_level=intervention,
        note=form.cleaned_data["note"],
    )
    for period, value in form.period_targets():
        services.target_set(
            kpi=kpi,
            financial_year=year,
            by=by,
            value=value,
            intervention_level=intervention,
            period=period,
        )


UNSUBMITTED = (Measurement.Status.DRAFT, Measurement.Status.RETURNED)


@dataclass
class Block:
    """One KPI's part of an entry page: its row, and a form unless it is read-only."""

    row: selectors.EntryRow
    form: EntryForm | None
    read_only_reason: str = ""


class PageErrors:
    """Every block's errors as one GOV.UK error summary (it quacks like a form for the include)."""

    def __init__(self, blocks: list[Block]) -> None:
        self.blocks = blocks

    @property
    def errors(self) -> bool:
        return any(block.form is not None and block.form.errors for block in self.blocks)

    def error_list(self) -> list[tuple[str, str]]:
        items = []
        for block in self.blocks:
            if block.form is None:
                continue
            for anchor, message in block.form.error_list():
                kpi = block.row.kpi
                items.append((anchor or block.row.anchor, f"KPI {kpi.reference}: {message}"))
        return items


class _Refused(Exception):
    """Raised inside the page's transaction to undo every save when any block failed."""


def _read_only_reason(row: selectors.EntryRow, user) -> str:
    """Why the block has no form, or blank: the KPI's status first, then the period, then the
    value's place in its sign-off."""
    if row.not_collected_reason:
        return row.not_collected_reason
    period = row.period
    if period.is_locked:
        return f"{period.label} is locked: its values can no longer be changed."
    if user.has_perm("kpis.run_cycle"):
        return ""
    if not period.is_open:
        return f"{period.label} is not open for entry."
    if row.status == Measurement.Status.SUBMITTED:
        return "Submitted for sign-off. Ask your approver to return it if it needs to change."
    if row.status == Measurement.Status.APPROVED:
        return "Approved."
    return ""


def _block(row: selectors.EntryRow, user, data) -> Block:
    reason = _read_only_reason(row, user)
    if reason:
        return Block(row, None, reason)
    form = EntryForm(
        data,
        kpi=row.kpi,
        prefix=f"e{row.period.pk}-{row.kpi.pk}",
        initial=EntryForm.initial_for(row.measurement),
    )
    return Block(row, form)


def _stale_message(kpi: Kpi, current: Measurement) -> str:
    if current.pk is None or current.updated_at is None:
        return "This value has changed since you opened the page: check it and save again."
    when = timezone.localtime(current.updated_at).strftime("%H:%M")
    if current.not_available:
        now = "marked not available"
    elif current.value is None:
        now = "blank"
    else:
        now = kpi.value_text(current.value)
    status = selectors.STATUS_LABELS.get(current.status, current.status)
    return (
        f"Someone else saved this value at {when}: the value is now {now} ({status}). "
        "Your changes have not been saved: check them and save again to replace it."
    )


def _save_blocks(request: HttpRequest, blocks: list[Block], *, submit: bool, single: bool):
    """Save every changed block in one transaction; a Counter of what was done, or None."""
    editable = [block for block in blocks if block.form is not None]
    plan = []
    for block in editable:
        form = block.form
        if not form.is_valid():
            continue
        entry = form.entry()
        existing = block.row.measurement
        if not single and existing is None and form.is_blank():
            continue  # an untouched KPI on a page of several
        has_value = entry.value is not None or entry.not_available
        block_submit = submit and (single or has_value)
        unchanged = existing is not None and entry.matches(existing)
        if unchanged and not block_submit and existing.status in UNSUBMITTED:
            continue  # nothing changed: no new history record
        plan.append((block, entry, block_submit))
    done: Counter = Counter()
    try:
        with transaction.atomic():
            for block, entry, block_submit in plan:
                form = block.form
                try:
                    measurement_save(
                        kpi=block.row.kpi,
                        period=block.row.period,
                        by=request.user,
                        entry=entry,
                        expected_version=form.cleaned_data.get("version") or 0,
                        submit=block_submit,
                        confirmed_query=form.confirmed_query(),
                    )
                except StaleEdit as stale:
                    form.add_error(
                        form.first_field_name, _stale_message(block.row.kpi, stale.current)
                    )
                    form.refresh_version(stale.current.version)
                except ValidationError as error:
                    form.add_service_errors(error)
                    if isinstance(error, ValueQueried):
                        form.show_query(error.query)
                else:
                    done["submitted" if block_submit else "draft"] += 1
            if any(block.form.errors for block in editable):
                raise _Refused
    except _Refused:
        return None
    return done


def _done_message(done: Counter) -> str:
    parts = []
    if done["submitted"]:
        parts.append(f"{done['submitted']} submitted for sign-off")
    if done["draft"]:
        parts.append(f"{done['draft']} saved as {'a draft' if done['draft'] == 1 else 'drafts'}")
    if not parts:
        return "Nothing has changed, so nothing was saved."
    return "KPI values saved: " + " and ".join(parts) + "."


def _handle_post(request: HttpRequest, blocks: list[Block], *, single: bool):
    submit = request.POST.get("action") == "submit"
    done = _save_blocks(request, blocks, submit=submit, single=single)
    if done is None:
        return None
    messages.success(request, _done_message(done))
    return redirect(request.get_full_path())


@require_http_methods(["GET", "POST"])
@require("kpis.enter_value")
def my_kpis(request: HttpRequest) -> HttpResponse:
    """Every open period's KPIs the user leads or is delegated, on one form."""
    today = timezone.localdate()
    groups = selectors.my_entry_groups(request.user, today=today)
    data = request.POST if request.method == "POST" else None
    blocks_by_period = [
        (group, [_block(row, request.user, data) for row in group.rows]) for group in groups
    ]
    blocks = [block for _, period_blocks in blocks_by_period for block in period_blocks]
    if request.method == "POST" and (response := _handle_post(request, blocks, single=False)):
        return response
    return render(
        request,
        "kpis/reporting/entry/my_kpis.html",
        {
            "groups": blocks_by_period,
            "form": PageErrors(blocks),
            "has_forms": any(block.form is not None for block in blocks),
            "today": today,
        },
    )


def _kpi_for_entry(request: HttpRequest, period_id: int, reference: str):
    """The KPI and period, or 404; 403 unless the user may enter this KPI's values."""
    kpi = get_object_or_404(Kpi.objects.select_related("directorate"), reference=reference)
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    if not request.user.has_perm("kpis.enter_value", kpi):
        raise PermissionDenied
    if FREQUENCY_TO_KIND.get(kpi.frequency) != period.kind:
        raise Http404("This KPI is not reported for this kind of period.")
    return kpi, period


@require_http_methods(["GET", "POST"])
@require("kpis.enter_value")
def edit(request: HttpRequest, period_id: int, reference: str) -> HttpResponse:
    """One KPI's value for one period: the officer's own, or any for G&P."""
    kpi, period = _kpi_for_entry(request, period_id, reference)
    today = timezone.localdate()
    row = selectors.entry_row(kpi, period, today=today)
    data = request.POST if request.method == "POST" else None
    block = _block(row, request.user, data)
    if request.method == "POST":
        if block.form is None:
            # A crafted or late POST to a read-only value: refuse it, saving nothing.
            messages.error(request, block.read_only_reason)
            return redirect(request.get_full_path())
        if response := _handle_post(request, [block], single=True):
            return response
    return render(
        request,
        "kpis/reporting/entry/edit.html",
        {"entry_block": block, "row": row, "form": PageErrors([block]), "today": today},
    )


# Sign-off --------------------------------------------------------------------------------------


@require_GET
@require("kpis.approve_value")
def approvals(request: HttpRequest) -> HttpResponse:
    return _render_approvals(request)


def _render_approvals(request: HttpRequest, *, return_error: dict | None = None, status=200):
    rows = selectors.approval_rows(request.user)
    groups: dict[tuple, list] = {}
    for row in rows:
        groups.setdefault((row.kpi.directorate.name, row.period.label), []).append(row)
    summary = _ReturnErrors(return_error)
    return render(
        request,
        "kpis/reporting/entry/approvals.html",
        {
            "groups": [
                {"directorate": d, "period": p, "rows": items} for (d, p), items in groups.items()
            ],
            "approvable": [row for row in rows if not row.mine],
            "return_error": return_error,
            "return_reason_limit": MEASUREMENT_TEXT_LENGTHS["returned_reason"],
            "form": summary,
        },
        status=status,
    )


class _ReturnErrors:
    def __init__(self, return_error: dict | None) -> None:
        self.return_error = return_error

    @property
    def errors(self) -> bool:
        return bool(self.return_error)

    def error_list(self) -> list[tuple[str, str]]:
        if not self.return_error:
            return []
        return [(self.return_error["anchor"], self.return_error["message"])]


def _posted_measurements(request: HttpRequest) -> list[tuple[Measurement, int]]:
    """The (measurement, version) pairs posted, each checked: 400 if malformed, 404 if unknown,
    403 if the user may not sign it off (another directorate, or their own submission)."""
    ids, versions = request.POST.getlist("measurement"), request.POST.getlist("version")
    if not ids or len(ids) != len(versions):
        raise _BadRequest
    pairs = [(parse_id(i), parse_id(v)) for i, v in zip(ids, versions, strict=True)]
    if any(None in pair for pair in pairs):
        raise _BadRequest
    found = Measurement.objects.select_related("kpi__directorate", "period").in_bulk(
        [i for i, _ in pairs]
    )
    result = []
    for measurement_id, version in pairs:
        measurement = found.get(measurement_id)
        if measurement is None:
            raise Http404("No such value.")
        if not request.user.has_perm("kpis.approve_value", measurement.kpi):
            raise PermissionDenied("You cannot sign off this directorate's values.")
        if measurement.submitted_by_id == request.user.pk:
            raise PermissionDenied("Nobody can approve or return their own submission.")
        result.append((measurement, version))
    return result


class _BadRequest(Exception):
    pass


def _sign_off_problem(measurement: Measurement, error: Exception) -> str:
    name = f"KPI {measurement.kpi.reference} ({measurement.period.label})"
    if isinstance(error, StaleEdit):
        current = error.current
        when = timezone.localtime(current.updated_at).strftime("%H:%M")
        status = selectors.STATUS_LABELS.get(current.status, current.status).lower()
        return f"{name} was changed by someone else at {when}: it is now {status}."
    text = " ".join(getattr(error, "messages", [str(error)]))
    return f"{name}: {text}"


@require_POST
@require("kpis.approve_value")
def approve(request: HttpRequest) -> HttpResponse:
    """Approve one value, or every value shown ("approve all"), all or nothing."""
    try:
        pairs = _posted_measurements(request)
    except _BadRequest:
        return HttpResponseBadRequest("Say which values to approve.")
    try:
        measurements_approve(items=pairs, by=request.user)
    except (StaleEdit, ValidationError) as error:
        nothing = "Nothing was approved. " if len(pairs) > 1 else ""
        problem = _sign_off_problem(error.measurement, error)
        messages.error(request, f"{nothing}{problem} Check the list and try again.")
        return redirect("entry:approvals")
    if len(pairs) == 1:
        m = pairs[0][0]
        messages.success(request, f"KPI {m.kpi.reference} ({m.period.label}) approved.")
    else:
        messages.success(request, f"{len(pairs)} values approved.")
    return redirect("entry:approvals")


@require_POST
@require("kpis.approve_value")
def return_value(request: HttpRequest) -> HttpResponse:
    """Send a submitted value back to its officer with a reason (required)."""
    try:
        pairs = _posted_measurements(request)
    except _BadRequest:
        return HttpResponseBadRequest("Say which value to return.")
    if len(pairs) != 1:
        return HttpResponseBadRequest("Return one value at a time.")
    measurement, version = pairs[0]
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _render_approvals(
            request,
            return_error={
                "measurement_id": measurement.pk,
                "anchor": f"return-{measurement.pk}-reason",
                "message": form.errors["reason"][0],
            },
        )
    try:
        measurement_return(
            measurement=measurement,
            by=request.user,
            expected_version=version,
            reason=form.cleaned_data["reason"],
        )
    except (StaleEdit, ValidationError) as error:
        messages.error(request, f"{_sign_off_problem(measurement, error)} Nothing was changed.")
        return redirect("entry:approvals")
    officer = selectors.person_name(measurement.submitted_by) or "its officer"
    messages.success(
        request,
        f"KPI {measurement.kpi.reference} ({measurement.period.label}) returned to {officer}.",
    )
    return redirect(reverse("entry:approvals"))


PREVIEW_ROWS = 2000
TEMPLATE = "kpis/reporting/upload.html"
VALUES, TARGETS = "values", "targets"  # what an upload holds: its session key and its folder
PAGES = {
    VALUES: {
        "title": "Import values",
        "intro": [
            "Upload a CSV or Excel file with one value per row: the KPI's reference, the period "
            "(like 2025/26 Q3) and the value, with any commentary, action plan and data-quality "
            "note. The columns are described in the import guide.",
            "You will see what every row would do before anything is saved. If any row has a "
            "problem, nothing is imported. Values you import into an open period are saved as "
            "drafts for you to submit.",
        ],
        "noun": "values",
        "period_heading": "Period",
        "value_heading": "Value",
        "back": ("home", "Back to home"),
    },
    TARGETS: {
        "title": "Import targets",
        "intro": [
            "Upload a CSV or Excel file with one target per row: the KPI's reference, the "
            "financial year (like 2025/26), the period for a target through the year (blank for "
            "the annual target), the target, and any intervention level and note. It is the "
            "format of the targets download, so a downloaded file can be changed and imported.",
            "You will see what every row would do before anything is saved. If any row has a "
            "problem, nothing is imported. Values not yet locked are re-rated against the new "
            "targets.",
        ],
        "noun": "targets",
        "period_heading": "Year or period",
        "value_heading": "Target",
        "back": ("reporting:targets", "Back to targets"),
    },
}


@dataclass
class Pending:
    """An upload waiting for its person to confirm it."""

    token: str
    filename: str
    historic: bool
    fingerprint: str
    user_id: int
    kind: str = VALUES
    authority: str = ""  # for a historic load

    @property
    def path(self) -> Path:
        return _uploads_dir(self.kind) / self.token


def _uploads_dir(kind: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "uploads" / kind


def _session_key(kind: str) -> str:
    return f"{kind}_import"


def _sweep_abandoned(kind: str) -> None:
    """Delete uploads nobody confirmed: older than any session that could still confirm them."""
    folder = _uploads_dir(kind)
    if not folder.is_dir():
        return
    cutoff = time.time() - settings.SESSION_COOKIE_AGE
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass  # another process got there first


def _pending(request: HttpRequest, kind: str, token: str | None = None) -> Pending | None:
    """The session's waiting upload, if it is this person's (and carries `token`, if given)."""
    stored = request.session.get(_session_key(kind))
    if not isinstance(stored, dict):
        return None
    try:
        pending = Pending(**{**stored, "kind": kind})
    except TypeError:
        return None
    if pending.user_id != request.user.pk or (token is not None and token != pending.token):
        return None
    if not pending.path.is_file():
        return None
    return pending


def _keep(
    request: HttpRequest,
    kind: str,
    *,
    data: bytes,
    filename: str,
    historic: bool,
    fingerprint: str,
    authority: str = "",
) -> Pending:
    folder = _uploads_dir(kind)
    folder.mkdir(parents=True, exist_ok=True)
    pending = Pending(
        token=secrets.token_hex(16),
        filename=filename,
        historic=historic,
        fingerprint=fingerprint,
        user_id=request.user.pk,
        kind=kind,
        authority=authority if historic else "",
    )
    pending.path.write_bytes(data)
    request.session[_session_key(kind)] = pending.__dict__.copy()
    return pending


def _discard(request: HttpRequest, kind: str) -> None:
    stored = request.session.pop(_session_key(kind), None)
    if isinstance(stored, dict) and isinstance(stored.get("token"), str):
        token = stored["token"]
        if token.isalnum():  # our own hex token: never a path
            (_uploads_dir(kind) / token).unlink(missing_ok=True)


def _preview(
    request: HttpRequest,
    kind: str,
    form: UploadForm,
    result: ValuesImportResult | None,
    pending: Pending | None = None,
    *,
    filename: str = "",
    historic: bool = False,
    authority: str = "",
    stale: bool = False,
) -> HttpResponse:
    rows = result.rows_errors_first()[:PREVIEW_ROWS] if result else []
    errors, more = errors_to_show(result.errors if result else [])
    return render(
        request,
        TEMPLATE,
        {
            **PAGES[kind],
            "kind": kind,
            "form": form,
            "result": result,
            "rows": rows,
            "pending": pending,
            "filename": filename,
            "historic": historic,
            "authority": authority,
            "stale": stale,
            "preview_limit": PREVIEW_ROWS,
            "errors_shown": errors,
            "errors_more": more,
        },
    )


def _confirmed(
    request: HttpRequest, kind: str, pending: Pending, data: bytes, result, form: UploadForm
) -> HttpResponse:
    """After a confirmation: back to the upload page with what was imported; or, when the stored
    data moved on since the preview, the new preview to confirm again; or the file's problems."""
    _discard(request, kind)
    if result.applied:
        counts = result.counts
        messages.success(
            request,
            f"Imported {pending.filename}: {counts['new']} new, {counts['changed']} changed, "
            f"{counts['unchanged']} unchanged.",
        )
        return redirect(f"{kind}:upload")
    stale = result.ok and result.stale
    again = None
    if stale:
        again = _keep(
            request,
            kind,
            data=data,
            filename=pending.filename,
            historic=pending.historic,
            fingerprint=result.fingerprint,
            authority=pending.authority,
        )
    return _preview(
        request,
        kind,
        form,
        result,
        again,
        filename=pending.filename,
        historic=pending.historic,
        authority=pending.authority,
        stale=stale,
    )


def _no_upload_waiting(request: HttpRequest, kind: str) -> HttpResponse:
    messages.error(
        request, "There is no upload of yours waiting to be imported. Upload the file again."
    )
    return redirect(f"{kind}:upload")


@require_http_methods(["GET", "POST"])
@require("kpis.enter_value")
def upload(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _preview(request, VALUES, ValuesUploadForm(user=request.user), None)
    form = ValuesUploadForm(request.POST, request.FILES, user=request.user)
    if not form.is_valid():
        return _preview(request, VALUES, form, None)
    _discard(request, VALUES)
    _sweep_abandoned(VALUES)
    upload_file = form.cleaned_data["file"]
    historic = bool(form.cleaned_data.get("historic"))
    authority = (form.cleaned_data.get("authority") or "").strip() if historic else ""
    data = upload_file.read()
    result = values_import(
        data=data,
        filename=upload_file.name,
        by=request.user,
        apply=False,
        historic=historic,
        authority=authority,
    )
    pending = None
    if result.ok and result.to_write:
        pending = _keep(
            request,
            VALUES,
            data=data,
            filename=upload_file.name,
            historic=historic,
            fingerprint=result.fingerprint,
            authority=authority,
        )
    return _preview(
        request,
        VALUES,
        form,
        result,
        pending,
        filename=upload_file.name,
        historic=historic,
        authority=authority,
    )


@require_POST
@require("kpis.enter_value")
def confirm(request: HttpRequest) -> HttpResponse:
    pending = _pending(request, VALUES, request.POST.get("token", ""))
    if pending is None:
        return _no_upload_waiting(request, VALUES)
    pending.historic = pending.historic and request.user.has_perm("kpis.run_cycle")
    pending.authority = pending.authority if pending.historic else ""
    data = pending.path.read_bytes()
    result = values_import(
        data=data,
        filename=pending.filename,
        by=request.user,
        apply=True,
        historic=pending.historic,
        authority=pending.authority,
        expected_fingerprint=pending.fingerprint,
    )
    form = ValuesUploadForm(user=request.user)
    return _confirmed(request, VALUES, pending, data, result, form)


@require_POST
@require("kpis.enter_value")
def cancel(request: HttpRequest) -> HttpResponse:
    return _cancel(request, VALUES)


def _cancel(request: HttpRequest, kind: str) -> HttpResponse:
    if _pending(request, kind, request.POST.get("token", "")) is not None:
        _discard(request, kind)
        messages.info(request, "Import cancelled: nothing was changed.")
    return redirect(f"{kind}:upload")


# Targets in bulk: the same upload, preview and confirmation ------------------------------------


@require_http_methods(["GET", "POST"])
@require("kpis.run_cycle")
def targets_upload(request: HttpRequest) -> HttpResponse:
    form = TargetsUploadForm(*posted(request, files=True))
    if request.method != "POST" or not form.is_valid():
        return _preview(request, TARGETS, form, None)
    _discard(request, TARGETS)
    _sweep_abandoned(TARGETS)
    upload_file = form.cleaned_data["file"]
    data = upload_file.read()
    result = targets_import(data=data, filename=upload_file.name, by=request.user, apply=False)
    pending = None
    if result.ok and result.to_write:
        pending = _keep(
            request,
            TARGETS,
            data=data,
            filename=upload_file.name,
            historic=False,
            fingerprint=result.fingerprint,
        )
    return _preview(request, TARGETS, form, result, pending, filename=upload_file.name)


@require_POST
@require("kpis.run_cycle")
def targets_confirm(request: HttpRequest) -> HttpResponse:
    pending = _pending(request, TARGETS, request.POST.get("token", ""))
    if pending is None:
        return _no_upload_waiting(request, TARGETS)
    data = pending.path.read_bytes()
    result = targets_import(
        data=data,
        filename=pending.filename,
        by=request.user,
        apply=True,
        expected_fingerprint=pending.fingerprint,
    )
    return _confirmed(request, TARGETS, pending, data, result, TargetsUploadForm())


@require_POST
@require("kpis.run_cycle")
def targets_cancel(request: HttpRequest) -> HttpResponse:
    return _cancel(request, TARGETS)


@require_GET
@require("kpis.run_cycle")
def targets_download(request: HttpRequest, file_format: str) -> HttpResponse:
    """A year's targets (or every year's; one directorate's, or all) in the import format."""
    year = parse_id(request.GET.get("year"))
    directorate = parse_id(request.GET.get("directorate"))
    name = f"targets-{year_label(year).replace('/', '-')}" if year else "targets"
    if file_format == "csv":
        content = targets_export_csv(financial_year=year, directorate=directorate)
        content_type = "text/csv; charset=utf-8"
    else:
        content = targets_export_xlsx(financial_year=year, directorate=directorate)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response


# A KPI's page ----------------------------------------------------------------------------------


@require_GET
@require("pmf.read")
def kpi_detail(request: HttpRequest, reference: str) -> HttpResponse:
    kpi = kpi_or_404(reference)
    # Readers see approved and provisional values only; drafts, returned values and why they
    # were returned are for those who work on the KPI's values.
    work_in_progress = request.user.has_perm("kpis.see_work_in_progress", kpi)
    show_queries = request.user.has_perm("kpis.see_data_queries", kpi)
    return render(
        request,
        "kpis/reporting/kpi_detail.html",
        {
            "kpi": kpi,
            "committees": register_selectors.current_committees(kpi),
            "history": register_selectors.kpi_change_history(kpi),
            "value_history": selectors.kpi_value_history(
                kpi, work_in_progress=work_in_progress, show_queries=show_queries
            ),
            "work_in_progress": work_in_progress,
            "can_keep_register": request.user.has_perm("kpis.keep_register"),
        },
    )


# The council's RAG policy -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@require("pmf.read")
def rag_policy(request: HttpRequest) -> HttpResponse:
    can_edit = request.user.has_perm("kpis.run_cycle")
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    council = RagPolicy.current()
    form = RagPolicyForm(*posted(request)) if request.method == "POST" else None
    if form is not None and form.is_valid():
        try:
            services.policy_update(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "RAG policy saved. Values not yet locked have been re-rated.")
            return redirect("reporting:rag_policy")
    if form is None:
        form = RagPolicyForm.for_policy(council)
    return render(
        request,
        "kpis/reporting/rag_policy.html",
        {
            "form": form,
            "can_edit": can_edit,
            "description": policy.policy_words(council),
            "query_description": quality.policy_words(council),
            "council": council,
            "history": selectors.rag_policy_history(council),
        },
    )
