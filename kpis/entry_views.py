"""The officers' entry pages ("My KPIs this period") and the approvers' sign-off list.

Every write goes through kpis.measurements. A page of several KPIs is saved all or nothing: if
any KPI's block has a problem (a bad value, a missing action plan, someone else's newer save),
nothing on the page is saved and every block is shown again with what the officer typed, so no
one has to wonder which values were kept.
"""

from collections import Counter
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kpis import entry_selectors as selectors
from kpis.entry_forms import EntryForm, ReturnForm
from kpis.measurements import (
    StaleEdit,
    can_approve,
    can_enter,
    measurement_approve,
    measurement_return,
    measurement_save,
)
from kpis.models import Kpi, Measurement, ReportingPeriod
from kpis.periods import FREQUENCY_TO_KIND
from pmf.roles import is_approver, is_gp, is_officer, require

can_use_entry = is_officer | is_gp
can_use_approvals = is_approver | is_gp
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
    period = row.period
    if period.is_locked:
        return f"{period.label} is locked: its values can no longer be changed."
    if is_gp(user):
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
        now = selectors.format_value(kpi, current.value)
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
                    )
                except StaleEdit as stale:
                    form.add_error(
                        form.first_field_name, _stale_message(block.row.kpi, stale.current)
                    )
                    form.refresh_version(stale.current.version)
                except ValidationError as error:
                    form.add_service_errors(error)
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
@require(can_use_entry)
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
        "kpis/entry/my_kpis.html",
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
    if not can_enter(request.user, kpi):
        raise PermissionDenied
    if FREQUENCY_TO_KIND.get(kpi.frequency) != period.kind:
        raise Http404("This KPI is not reported for this kind of period.")
    return kpi, period


@require_http_methods(["GET", "POST"])
@require(can_use_entry)
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
        "kpis/entry/edit.html",
        {"entry_block": block, "row": row, "form": PageErrors([block]), "today": today},
    )


# Sign-off --------------------------------------------------------------------------------------


@require_GET
@require(can_use_approvals)
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
        "kpis/entry/approvals.html",
        {
            "groups": [
                {"directorate": d, "period": p, "rows": items} for (d, p), items in groups.items()
            ],
            "approvable": [row for row in rows if not row.mine],
            "return_error": return_error,
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
    try:
        pairs = [(int(i), int(v)) for i, v in zip(ids, versions, strict=True)]
    except ValueError as error:
        raise _BadRequest from error
    found = Measurement.objects.select_related("kpi__directorate", "period").in_bulk(
        [i for i, _ in pairs]
    )
    result = []
    for measurement_id, version in pairs:
        measurement = found.get(measurement_id)
        if measurement is None:
            raise Http404("No such value.")
        if not can_approve(request.user, measurement.kpi):
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
@require(can_use_approvals)
def approve(request: HttpRequest) -> HttpResponse:
    """Approve one value, or every value shown ("approve all"), all or nothing."""
    try:
        pairs = _posted_measurements(request)
    except _BadRequest:
        return HttpResponseBadRequest("Say which values to approve.")
    current = None
    try:
        with transaction.atomic():
            for current, version in pairs:
                measurement_approve(measurement=current, by=request.user, expected_version=version)
    except (StaleEdit, ValidationError) as error:
        nothing = "Nothing was approved. " if len(pairs) > 1 else ""
        messages.error(
            request,
            f"{nothing}{_sign_off_problem(current, error)} Check the list and try again.",
        )
        return redirect("entry:approvals")
    if len(pairs) == 1:
        m = pairs[0][0]
        messages.success(request, f"KPI {m.kpi.reference} ({m.period.label}) approved.")
    else:
        messages.success(request, f"{len(pairs)} values approved.")
    return redirect("entry:approvals")


@require_POST
@require(can_use_approvals)
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
