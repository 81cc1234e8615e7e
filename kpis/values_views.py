"""Bulk entry of values: upload a file, check the preview of every row, confirm.

Between the preview and the confirmation the uploaded bytes wait on disk under
MEDIA_ROOT/uploads/values/<random token>, and the person's session holds the token, the file's
name, the historic flag and the preview's fingerprint. Only that session can confirm or cancel
it; the file is deleted on confirmation, cancellation, a new upload, or (when abandoned) by the
sweep that every upload runs over files older than a session can live. On confirmation the file
is checked again from scratch, and nothing is written if anything is now wrong or if the stored
values moved on since the preview (then the new preview is shown to confirm again).
"""

import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from kpis.values_forms import ValuesUploadForm
from kpis.values_io import ValuesImportResult, values_import
from pmf.roles import is_gp, is_officer, require

SESSION_KEY = "values_import"
PREVIEW_ROWS = 2000
TEMPLATE = "kpis/values/upload.html"


@dataclass
class Pending:
    """An upload waiting for its person to confirm it."""

    token: str
    filename: str
    historic: bool
    fingerprint: str
    user_id: int

    @property
    def path(self) -> Path:
        return _uploads_dir() / self.token


def _uploads_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "uploads" / "values"


def _sweep_abandoned() -> None:
    """Delete uploads nobody confirmed: older than any session that could still confirm them."""
    folder = _uploads_dir()
    if not folder.is_dir():
        return
    cutoff = time.time() - settings.SESSION_COOKIE_AGE
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass  # another process got there first


def _pending(request: HttpRequest, token: str | None = None) -> Pending | None:
    """The session's waiting upload, if it is this person's (and carries `token`, if given)."""
    stored = request.session.get(SESSION_KEY)
    if not isinstance(stored, dict):
        return None
    try:
        pending = Pending(**stored)
    except TypeError:
        return None
    if pending.user_id != request.user.pk or (token is not None and token != pending.token):
        return None
    if not pending.path.is_file():
        return None
    return pending


def _keep(request: HttpRequest, *, data: bytes, filename: str, historic: bool, fingerprint: str):
    folder = _uploads_dir()
    folder.mkdir(parents=True, exist_ok=True)
    pending = Pending(
        token=secrets.token_hex(16),
        filename=filename,
        historic=historic,
        fingerprint=fingerprint,
        user_id=request.user.pk,
    )
    pending.path.write_bytes(data)
    request.session[SESSION_KEY] = pending.__dict__.copy()
    return pending


def _discard(request: HttpRequest) -> None:
    stored = request.session.pop(SESSION_KEY, None)
    if isinstance(stored, dict) and isinstance(stored.get("token"), str):
        token = stored["token"]
        if token.isalnum():  # our own hex token: never a path
            (_uploads_dir() / token).unlink(missing_ok=True)


def _preview(
    request: HttpRequest,
    form: ValuesUploadForm,
    result: ValuesImportResult | None,
    pending: Pending | None = None,
    *,
    filename: str = "",
    historic: bool = False,
    stale: bool = False,
) -> HttpResponse:
    rows = result.rows_errors_first()[:PREVIEW_ROWS] if result else []
    return render(
        request,
        TEMPLATE,
        {
            "form": form,
            "result": result,
            "rows": rows,
            "pending": pending,
            "filename": filename,
            "historic": historic,
            "stale": stale,
            "preview_limit": PREVIEW_ROWS,
        },
    )


@require_http_methods(["GET", "POST"])
@require(is_officer | is_gp)
def upload(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _preview(request, ValuesUploadForm(user=request.user), None)
    form = ValuesUploadForm(request.POST, request.FILES, user=request.user)
    if not form.is_valid():
        return _preview(request, form, None)
    _discard(request)
    _sweep_abandoned()
    upload_file = form.cleaned_data["file"]
    historic = bool(form.cleaned_data.get("historic"))
    data = upload_file.read()
    result = values_import(
        data=data, filename=upload_file.name, by=request.user, apply=False, historic=historic
    )
    pending = None
    if result.ok and result.to_write:
        pending = _keep(
            request,
            data=data,
            filename=upload_file.name,
            historic=historic,
            fingerprint=result.fingerprint,
        )
    return _preview(request, form, result, pending, filename=upload_file.name, historic=historic)


@require_POST
@require(is_officer | is_gp)
def confirm(request: HttpRequest) -> HttpResponse:
    pending = _pending(request, request.POST.get("token", ""))
    if pending is None:
        messages.error(
            request, "There is no upload of yours waiting to be imported. Upload the file again."
        )
        return redirect("values:upload")
    historic = pending.historic and is_gp(request.user)
    data = pending.path.read_bytes()
    result = values_import(
        data=data,
        filename=pending.filename,
        by=request.user,
        apply=True,
        historic=historic,
        expected_fingerprint=pending.fingerprint,
    )
    if result.applied:
        _discard(request)
        counts = result.counts
        messages.success(
            request,
            f"Imported {pending.filename}: {counts['new']} new, {counts['changed']} changed, "
            f"{counts['unchanged']} unchanged.",
        )
        return redirect("values:upload")
    form = ValuesUploadForm(user=request.user)
    if result.ok and result.stale:
        # The stored values moved on since the preview: show what it would do now.
        _discard(request)
        pending = _keep(
            request,
            data=data,
            filename=pending.filename,
            historic=historic,
            fingerprint=result.fingerprint,
        )
        return _preview(
            request,
            form,
            result,
            pending,
            filename=pending.filename,
            historic=historic,
            stale=True,
        )
    _discard(request)
    return _preview(request, form, result, filename=pending.filename, historic=historic)


@require_POST
@require(is_officer | is_gp)
def cancel(request: HttpRequest) -> HttpResponse:
    if _pending(request, request.POST.get("token", "")) is not None:
        _discard(request)
        messages.info(request, "Import cancelled: nothing was changed.")
    return redirect("values:upload")
