"""Committee pack pages: thin views over reports.selectors and reports.services."""

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from committees.models import Meeting
from kpis.reporting.models import ReportingPeriod
from pmf import clock
from pmf.forms_govuk import posted
from pmf.roles import require
from reports import rendering, scheduling, selectors, services, word
from reports.forms import PackDraftForm, PublishForm, ScheduleForm, WithdrawForm
from reports.models import PackVersion, word_name
from reports.readiness import Readiness, pack_readiness
from reports.tables import PackJobTable, PackVersionTable, PeriodPackTable

PDF = "application/pdf"
logger = logging.getLogger(__name__)


def _meeting(meeting_id: int) -> Meeting:
    try:
        return selectors.meeting_for_pack(meeting_id)
    except Meeting.DoesNotExist as error:
        raise Http404 from error


def _managed(request: HttpRequest, meeting: Meeting) -> None:
    if not request.user.has_perm("reports.manage_packs", meeting):
        raise PermissionDenied


def _may_preview(request: HttpRequest, meeting: Meeting) -> Meeting:
    if not request.user.has_perm("reports.preview_packs", meeting):
        raise PermissionDenied
    return meeting


def _pdf_response(pdf: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    response = HttpResponse(pdf, content_type=PDF)
    kind = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{kind}; filename="{filename}"'
    return response


def _docx_response(docx: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(docx, content_type=word.DOCX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _live_data(meeting: Meeting) -> dict:
    try:
        return selectors.pack_data(meeting)
    except ValueError as error:
        raise Http404(str(error)) from error


@require_GET
@require("pmf.read")
def meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    found = _meeting(meeting_id)
    versions, jobs = selectors.versions_of(found), selectors.jobs_of(found)
    preview_done = selectors.preview_to_download(found)
    config = RequestConfig(request)
    return render(
        request,
        "reports/meeting.html",
        {
            "meeting": found,
            "versions": versions,
            "version_table": config.configure(PackVersionTable(versions)),
            "job_table": config.configure(PackJobTable(jobs)),
            "latest_job": jobs.first(),
            "preview": selectors.latest_preview(found),
            "preview_done": preview_done,
            "preview_word": preview_done is not None
            and selectors.preview_word_exists(preview_done),
            "can_manage": request.user.has_perm("reports.manage_packs", found),
            "can_preview": request.user.has_perm("reports.preview_packs", found),
            "schedule": selectors.waiting_publication(found),
            "stalled_error": services.STALLED_ERROR,
        },
    )


@require_http_methods(["GET", "POST"])
@require("reports.manage_packs")
def edit(request: HttpRequest, meeting_id: int) -> HttpResponse:
    found = _meeting(meeting_id)
    _managed(request, found)
    form = PackDraftForm(*posted(request), instance=selectors.draft_for(found))
    if request.method == "POST" and form.is_valid():
        try:
            services.pack_draft_save(draft=form.save(commit=False), by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Pack narrative saved.")
            return redirect("reports:meeting", meeting_id=found.pk)
    return render(
        request,
        "reports/edit.html",
        {"form": form, "meeting": found, "title": f"Edit the pack for {found}"},
    )


@require_GET
@require("reports.preview_packs")
def preview(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The pack from live data, as the same HTML document the PDF is made from, marked DRAFT."""
    found = _may_preview(request, _meeting(meeting_id))
    html = rendering.render_html(_live_data(found), draft=True)
    return rendering.allow_inline_styles(HttpResponse(html), html)


@require_GET
@require("reports.preview_packs")
def preview_pdf(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The latest preview PDF made in the background (live data then, not published)."""
    job = selectors.preview_to_download(_may_preview(request, _meeting(meeting_id)))
    if job is None:
        raise Http404("No preview PDF has been made for this meeting yet.")
    with job.preview_pdf.open("rb") as file:
        return _pdf_response(file.read(), f"pack-preview-{meeting_id}-{job.pk}.pdf")


@require_GET
@require("reports.preview_packs")
def preview_docx(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The Word document made with the latest preview PDF, from the same live data."""
    job = selectors.preview_to_download(_may_preview(request, _meeting(meeting_id)))
    if job is None or not selectors.preview_word_exists(job):
        raise Http404("No preview Word document has been made for this meeting yet.")
    name = word_name(job.preview_pdf.name)
    with job.preview_pdf.storage.open(name, "rb") as file:
        return _docx_response(file.read(), f"pack-preview-{meeting_id}-{job.pk}.docx")


@require_POST
@require("reports.preview_packs")
def preview_pdf_request(request: HttpRequest, meeting_id: int) -> HttpResponse:
    found = _may_preview(request, _meeting(meeting_id))
    try:
        services.pack_preview_request(meeting=found, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, "The preview PDF and Word document are being made: they appear on this page."
        )
    return redirect("reports:meeting", meeting_id=found.pk)


def _readiness_page(
    request: HttpRequest,
    meeting: Meeting,
    *,
    readiness: Readiness | None = None,
    publish_form: PublishForm | None = None,
    schedule_form: ScheduleForm | None = None,
) -> HttpResponse:
    """The readiness page: the check, then publishing now and on the papers date. A form
    passed in is the one posted: its errors head the page."""
    readiness = readiness or pack_readiness(meeting)
    posted_form = publish_form or schedule_form
    publish_form = publish_form or PublishForm(ready=readiness.ready)
    schedule_form = schedule_form or ScheduleForm()
    versions = selectors.versions_of(meeting)
    return render(
        request,
        "reports/publish.html",
        {
            "meeting": meeting,
            "readiness": readiness,
            "form": posted_form,
            "publish_form": publish_form,
            "schedule_form": schedule_form,
            "next_number": (versions[0].number if versions else 0) + 1,
            "schedule": selectors.waiting_publication(meeting),
            "last_schedule": selectors.last_scheduled_outcome(meeting),
            "can_schedule": meeting.papers_published_on >= clock.localdate(),
            "title": f"Publish the pack for {meeting}",
        },
    )


def _with_period(request: HttpRequest, meeting_id: int) -> Meeting | HttpResponse:
    found = _meeting(meeting_id)
    _managed(request, found)
    if found.period is None:
        messages.error(request, "Set the reporting period this meeting considers first.")
        return redirect("reports:meeting", meeting_id=found.pk)
    return found


@require_http_methods(["GET", "POST"])
@require("reports.manage_packs")
def publish(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The pack's readiness, and publishing it: now (a reason if it is not ready) or scheduled."""
    found = _with_period(request, meeting_id)
    if isinstance(found, HttpResponse):
        return found
    readiness = pack_readiness(found)
    form = PublishForm(*posted(request), ready=readiness.ready)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.pack_request(
                meeting=found, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
            readiness = pack_readiness(found)  # it changed since the page was shown
        else:
            messages.success(request, f"Publishing the pack (job {job.pk}).")
            return redirect("reports:meeting", meeting_id=found.pk)
    if request.method == "GET":
        return _readiness_page(request, found, readiness=readiness)
    return _readiness_page(request, found, readiness=readiness, publish_form=form)


@require_POST
@require("reports.manage_packs")
def schedule(request: HttpRequest, meeting_id: int) -> HttpResponse:
    found = _with_period(request, meeting_id)
    if isinstance(found, HttpResponse):
        return found
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            scheduled = scheduling.pack_schedule(
                meeting=found, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"The pack will be published on {scheduled.publish_on:%-d %B %Y} if it is ready "
                "then. You will be e-mailed either way.",
            )
            return redirect("reports:publish", meeting_id=found.pk)
    return _readiness_page(request, found, schedule_form=form)


@require_POST
@require("reports.manage_packs")
def schedule_cancel(request: HttpRequest, meeting_id: int) -> HttpResponse:
    found = _meeting(meeting_id)
    _managed(request, found)
    if scheduling.pack_schedule_cancel(meeting=found, by=request.user) is None:
        messages.error(request, "No publication of this pack is scheduled.")
    else:
        messages.success(request, "The scheduled publication is cancelled.")
    return redirect("reports:publish", meeting_id=found.pk)


@require_http_methods(["GET", "POST"])
@require("reports.manage_packs")
def generate_period(request: HttpRequest, period_id: int) -> HttpResponse:
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    meetings = [
        m
        for m in selectors.meetings_in_period(period.pk)
        if request.user.has_perm("reports.manage_packs", m)
    ]
    if request.method == "POST":
        jobs, not_ready = services.pack_request_period(period_id=period.pk, by=request.user)
        messages.success(request, f"Queued {len(jobs)} pack{'s' if len(jobs) != 1 else ''}.")
        if not_ready:
            names = "; ".join(str(m) for m in not_ready)
            messages.error(
                request,
                f"Not ready, so not published: {names}. Publish each from its own readiness "
                "page, with a reason if it cannot wait.",
            )
        return redirect("reports:generate_period", period_id=period.pk)
    caption = f"Meetings considering {period.label} that you manage"
    table = RequestConfig(request).configure(PeriodPackTable(meetings, caption=caption))
    return render(
        request, "reports/period.html", {"period": period, "meetings": meetings, "table": table}
    )


def _version(meeting_id: int, number: int) -> PackVersion:
    try:
        return selectors.published_version(meeting_id, number)
    except PackVersion.DoesNotExist as error:
        raise Http404 from error


def _published_pdf(request: HttpRequest, version: PackVersion) -> HttpResponse:
    """The version's PDF if the stored file is still the one published; otherwise a page saying
    it cannot be sent (and an error in the log for whoever looks after the service)."""
    try:
        pdf = selectors.verified_pdf(version)
    except selectors.DamagedPdf as error:
        logger.error(
            "Refused to serve the PDF of %s (pk %s, published with SHA-256 %s): %s",
            version,
            version.pk,
            version.sha256,
            error,
        )
        return render(request, "reports/pdf_damaged.html", {"version": version}, status=500)
    response = _pdf_response(pdf, version.pdf.name.rsplit("/", 1)[-1])
    response["X-Content-SHA256"] = version.sha256
    return response


@require_GET
@require("pmf.read")
def version_pdf(request: HttpRequest, meeting_id: int, number: int) -> HttpResponse:
    """Any version, withdrawn or not, for signed-in users."""
    return _published_pdf(request, _version(meeting_id, number))


def _word_filename(version: PackVersion) -> str:
    return word_name(version.pdf.name).rsplit("/", 1)[-1]


@require_GET
@require("pmf.read")
def version_docx(request: HttpRequest, meeting_id: int, number: int) -> HttpResponse:
    """Any version's Word document, withdrawn or not, for signed-in users."""
    version = _version(meeting_id, number)
    return _docx_response(services.pack_word(version), _word_filename(version))


@require_http_methods(["GET", "POST"])
@require("reports.manage_packs")
def withdraw(request: HttpRequest, meeting_id: int, number: int) -> HttpResponse:
    version = _version(meeting_id, number)
    _managed(request, version.meeting)
    form = WithdrawForm(*posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.pack_withdraw(
                version=version, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error("reason", error.messages)
        else:
            messages.success(request, f"Version {version.number} withdrawn.")
            return redirect("reports:meeting", meeting_id=meeting_id)
    return render(
        request,
        "reports/withdraw.html",
        {
            "form": form,
            "version": version,
            "title": f"Withdraw version {version.number} of the pack for {version.meeting}",
            "back": reverse("reports:meeting", args=[meeting_id]),
        },
    )


# --- public: no sign-in -----------------------------------------------------------------------


@require_GET
def public_index(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/public_index.html", {"meetings": selectors.public_index()})


@require_GET
def public_version(request: HttpRequest, meeting_id: int, number: int) -> HttpResponse:
    version = _version(meeting_id, number)
    return render(request, "reports/public_version.html", {"version": version})


@require_GET
def public_pdf(request: HttpRequest, meeting_id: int, number: int) -> HttpResponse:
    version = _version(meeting_id, number)
    if version.is_withdrawn:
        return render(request, "reports/public_version.html", {"version": version}, status=410)
    return _published_pdf(request, version)


@require_GET
def public_docx(request: HttpRequest, meeting_id: int, number: int) -> HttpResponse:
    """The version's Word document, made from the data it was published with."""
    version = _version(meeting_id, number)
    if version.is_withdrawn:
        return render(request, "reports/public_version.html", {"version": version}, status=410)
    return _docx_response(services.pack_word(version), _word_filename(version))


@require_GET
def public_html(request: HttpRequest, meeting_id: int, number: int) -> HttpResponse:
    version = _version(meeting_id, number)
    if version.is_withdrawn:
        return render(request, "reports/public_version.html", {"version": version}, status=410)
    return rendering.allow_inline_styles(HttpResponse(version.html), version.html)
