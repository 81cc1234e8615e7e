import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from django_tables2 import RequestConfig

from committees import selectors, services, workflow
from committees.forms import (
    ActionItemForm,
    ActionUpdateForm,
    AdoptForm,
    AuditCheckForm,
    AuditDrawForm,
    CommitteeDecisionForm,
    CommitteeDetailsForm,
    ConsultationForm,
    DirectorDecisionForm,
    EqualityForm,
    MeetingForm,
    ProposalFilterForm,
    ProposalForm,
    QualityCheckForm,
    SetDateForm,
)
from committees.models import ActionItem, Audit, AuditCheck, Meeting, Proposal
from committees.tables import AuditTable, MeetingTable, ProposalTable
from kpis.register.models import Committee, Kpi
from kpis.reporting.models import ReportingPeriod
from pmf.forms_govuk import posted
from pmf.roles import require

Stage = Proposal.Stage


def _save(form, call) -> object | None:
    """Run a service for a valid form; its refusals become the form's errors."""
    if not form.is_valid():
        return None
    try:
        return call()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return None


def _latest_locked_quarter() -> ReportingPeriod | None:
    return (
        ReportingPeriod.objects.filter(kind=ReportingPeriod.Kind.QUARTER)
        .exclude(state=ReportingPeriod.State.NOT_OPEN)
        .order_by("-starts_on")
        .first()
    )


# --- committees -----------------------------------------------------------------------------


@require_GET
@require("pmf.read")
def index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "committees/index.html",
        {
            "committees": selectors.committee_list(today=today),
            "can_manage": request.user.has_perm("committees.keep_committees"),
        },
    )


@require_GET
@require("pmf.read")
def detail(request: HttpRequest, committee_id: int) -> HttpResponse:
    committee = get_object_or_404(Committee, pk=committee_id)
    today = timezone.localdate()
    form = SetDateForm(request.GET if "on" in request.GET else None, initial={"on": today})
    day = form.cleaned_data["on"] if form.is_bound and form.is_valid() else today
    meetings = MeetingTable(
        selectors.meetings_of(committee), caption=f"Meetings of {committee.name}"
    )
    RequestConfig(request).configure(meetings)
    return render(
        request,
        "committees/detail.html",
        {
            "committee": committee,
            "details": selectors.details_of(committee),
            "form": form,
            "day": day,
            "is_today": day == today,
            "kpis": selectors.kpi_set_on(committee, day),
            "changes": selectors.set_changes(committee),
            "meetings": meetings,
            "period": _latest_locked_quarter(),
            "can_manage": request.user.has_perm("committees.manage_committee", committee),
            "is_gp": request.user.has_perm("committees.keep_committees"),
        },
    )


@require_http_methods(["GET", "POST"])
@require("committees.keep_committees")
def details_edit(request: HttpRequest, committee_id: int) -> HttpResponse:
    committee = get_object_or_404(Committee, pk=committee_id)
    form = CommitteeDetailsForm(*posted(request), instance=services.details_for(committee))
    if request.method == "POST" and _save(
        form,
        lambda: services.committee_details_save(
            details=form.save(commit=False), by=request.user, clerks=form.cleaned_data["clerks"]
        ),
    ):
        messages.success(request, f"{committee.name}: details saved.")
        return redirect("committees:detail", committee.pk)
    return render(
        request,
        "committees/form.html",
        {
            "form": form,
            "title": f"Chair, vice-chair and clerks of {committee.name}",
            "back": reverse("committees:detail", args=[committee.pk]),
        },
    )


def _managed(request: HttpRequest, committee: Committee) -> None:
    if not request.user.has_perm("committees.manage_committee", committee):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
@require("committees.manage_committee")
def meeting_create(request: HttpRequest, committee_id: int) -> HttpResponse:
    committee = get_object_or_404(Committee, pk=committee_id)
    _managed(request, committee)
    return _meeting_form(request, Meeting(committee=committee), f"Add a meeting of {committee}")


@require_http_methods(["GET", "POST"])
@require("committees.manage_committee")
def meeting_edit(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_object_or_404(Meeting.objects.select_related("committee"), pk=meeting_id)
    _managed(request, meeting.committee)
    return _meeting_form(request, meeting, f"Change the meeting of {meeting}")


def _meeting_form(request: HttpRequest, meeting: Meeting, title: str) -> HttpResponse:
    form = MeetingForm(*posted(request), instance=meeting)
    if request.method == "POST" and (
        saved := _save(
            form, lambda: services.meeting_save(meeting=form.save(commit=False), by=request.user)
        )
    ):
        messages.success(request, f"Meeting saved: {saved}.")
        return redirect(saved)
    back = (
        meeting.get_absolute_url()
        if meeting.pk
        else reverse("committees:detail", args=[meeting.committee_id])
    )
    return render(request, "committees/form.html", {"form": form, "title": title, "back": back})


@require_GET
@require("pmf.read")
def meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    try:
        found = selectors.meeting_detail(meeting_id)
    except Meeting.DoesNotExist as error:
        raise Http404 from error
    return render(
        request,
        "committees/meeting.html",
        {
            "meeting": found,
            "rows": selectors.meeting_proposals(found),
            "decisions": selectors.meeting_decisions(found),
            "kpis": selectors.kpi_set_on(found.committee, found.date),
            "can_manage": request.user.has_perm("committees.manage_committee", found.committee),
        },
    )


# --- action trackers ------------------------------------------------------------------------


@require_GET
@require("pmf.read")
def actions(request: HttpRequest, committee_id: int) -> HttpResponse:
    committee = get_object_or_404(Committee, pk=committee_id)
    return render(
        request,
        "committees/actions.html",
        {
            "committee": committee,
            "items": selectors.action_tracker(committee),
            "can_manage": request.user.has_perm("committees.manage_committee", committee),
        },
    )


@require_http_methods(["GET", "POST"])
@require("committees.manage_committee")
def action_create(request: HttpRequest, committee_id: int) -> HttpResponse:
    committee = get_object_or_404(Committee, pk=committee_id)
    _managed(request, committee)
    return _action_form(request, ActionItem(committee=committee), "Add an action")


@require_http_methods(["GET", "POST"])
@require("committees.manage_committee")
def action_edit(request: HttpRequest, action_id: int) -> HttpResponse:
    item = get_object_or_404(ActionItem.objects.select_related("committee"), pk=action_id)
    _managed(request, item.committee)
    return _action_form(request, item, f"Change action {item.reference}")


def _action_form(request: HttpRequest, item: ActionItem, title: str) -> HttpResponse:
    form = ActionItemForm(*posted(request), instance=item)
    back = reverse("committees:actions", args=[item.committee_id])
    if request.method == "POST" and _save(
        form, lambda: services.action_save(item=form.save(commit=False), by=request.user)
    ):
        messages.success(request, f"Action {item.reference} saved.")
        return redirect(back)
    return render(request, "committees/form.html", {"form": form, "title": title, "back": back})


@require_http_methods(["GET", "POST"])
@require("committees.manage_committee")
def action_update(request: HttpRequest, action_id: int) -> HttpResponse:
    item = get_object_or_404(ActionItem.objects.select_related("committee"), pk=action_id)
    _managed(request, item.committee)
    form = ActionUpdateForm(*posted(request), initial={"status": item.status})
    back = reverse("committees:actions", args=[item.committee_id])
    if request.method == "POST" and _save(
        form,
        lambda: services.action_update_add(
            item=item,
            by=request.user,
            written_on=form.cleaned_data["written_on"],
            status=form.cleaned_data["status"],
            text=form.cleaned_data["text"],
        ),
    ):
        messages.success(request, f"Update on action {item.reference} recorded.")
        return redirect(back)
    title = f"Update action {item.reference}"
    return render(request, "committees/form.html", {"form": form, "title": title, "back": back})


# --- the KPI cycle --------------------------------------------------------------------------


@require_GET
@require("pmf.read")
def proposals(request: HttpRequest) -> HttpResponse:
    form = ProposalFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    found = selectors.proposal_list(
        stage=filters.get("stage") or "",
        committee_id=filters["committee"].pk if filters.get("committee") else None,
        directorate_id=filters["directorate"].pk if filters.get("directorate") else None,
    )
    table = ProposalTable(found)
    RequestConfig(request).configure(table)
    return render(
        request,
        "committees/proposals.html",
        {
            "form": form,
            "table": table,
            "can_raise": request.user.has_perm("committees.raise_proposal"),
        },
    )


KIND_TITLES = {
    Proposal.Kind.ADD: "Propose a KPI",
    Proposal.Kind.REMOVE: "Propose removing a KPI",
    Proposal.Kind.AMEND: "Propose amending a KPI",
}


@require_http_methods(["GET", "POST"])
@require("committees.raise_proposal")
def proposal_create(request: HttpRequest, kind: str) -> HttpResponse:
    return _proposal_form(request, Proposal(kind=kind, raised_by=request.user), kind)


@require_http_methods(["GET", "POST"])
@require("pmf.read")
def proposal_edit(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = get_object_or_404(Proposal, pk=proposal_id)
    if not request.user.has_perm("committees.prepare_proposal", proposal):
        raise PermissionDenied
    return _proposal_form(request, proposal, proposal.kind)


def _proposal_form(request: HttpRequest, proposal: Proposal, kind: str) -> HttpResponse:
    form = ProposalForm(*posted(request), instance=proposal, kind=kind)
    if request.method == "POST" and (
        saved := _save(
            form,
            lambda: services.proposal_save(
                proposal=form.save(commit=False),
                by=request.user,
                committees=form.cleaned_data["committees"],
                priorities=form.cleaned_data.get("priorities") or [],
            ),
        )
    ):
        messages.success(request, f"Proposal {saved.reference} saved as a draft.")
        return redirect(saved)
    title = KIND_TITLES[kind] if not proposal.pk else f"Edit proposal {proposal.reference}"
    back = proposal.get_absolute_url() if proposal.pk else reverse("committees:proposals")
    return render(request, "committees/form.html", {"form": form, "title": title, "back": back})


@require_GET
@require("pmf.read")
def proposal(request: HttpRequest, proposal_id: int) -> HttpResponse:
    try:
        found = selectors.proposal_detail(proposal_id)
    except Proposal.DoesNotExist as error:
        raise Http404 from error
    return render(
        request,
        "committees/proposal.html",
        {
            "proposal": found,
            "steps": workflow.available_steps(request.user, found),
            "can_edit": found.stage == Stage.DRAFT
            and request.user.has_perm("committees.prepare_proposal", found),
        },
    )


def _step_form(step: str, proposal: Proposal, request: HttpRequest):
    data = posted(request)
    if step == "quality":
        return QualityCheckForm(*data)
    if step == "consultation":
        return ConsultationForm(*data)
    if step == "equality":
        return EqualityForm(*data)
    if step == "director":
        return DirectorDecisionForm(*data)
    if step == "committee":
        meetings = selectors.open_meetings_for(proposal)
        if not request.user.has_perm("committees.keep_committees"):  # a clerk: their committees
            meetings = meetings.filter(committee__details__clerks=request.user)
        return CommitteeDecisionForm(*data, meetings=meetings)
    return AdoptForm(*data)


def _take_step(step: str, proposal: Proposal, form, user) -> Proposal:
    data = form.cleaned_data
    if step == "quality":
        return services.proposal_quality_check(proposal=proposal, by=user, answers=form.answers())
    if step == "consultation":
        return services.proposal_consult(
            proposal=proposal, by=user, plan=data["plan"], responses=data["responses"]
        )
    if step == "equality":
        return services.proposal_record_equality(
            proposal=proposal, by=user, outcome=data["outcome"], summary=data["summary"]
        )
    if step == "director":
        return services.proposal_director_decide(
            proposal=proposal,
            by=user,
            approve=data["decision"] == "approve",
            reasons=data["reasons"],
        )
    if step == "committee":
        return services.proposal_committee_decide(
            proposal=proposal,
            by=user,
            meeting=data["meeting"],
            outcome=data["outcome"],
            note=data["note"],
        )
    return services.proposal_adopt(proposal=proposal, by=user)


@require_http_methods(["GET", "POST"])
@require("pmf.read")
def proposal_step(request: HttpRequest, proposal_id: int, step: str) -> HttpResponse:
    found = get_object_or_404(Proposal.objects.select_related("directorate", "kpi"), pk=proposal_id)
    if not workflow.may_take(request.user, step, found):
        raise PermissionDenied
    title, stages = workflow.STEPS[step].title, workflow.STEPS[step].stages
    form = _step_form(step, found, request)
    if request.method == "POST" and _save(
        form, lambda: _take_step(step, found, form, request.user)
    ):
        messages.success(request, f"Proposal {found.reference}: {title.lower()} recorded.")
        return redirect(found)
    return render(
        request,
        "committees/proposal_step.html",
        {
            "proposal": found,
            "form": form,
            "title": title,
            "step": step,
            "out_of_order": found.stage not in stages,
        },
    )


# --- the quarterly audit sample -------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@require("pmf.read")
def audits(request: HttpRequest) -> HttpResponse:
    form = (
        AuditDrawForm(*posted(request))
        if request.user.has_perm("committees.keep_committees")
        else None
    )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        drawn = _save(
            form,
            lambda: services.audit_draw_all(period=form.cleaned_data["period"], by=request.user),
        )
        if drawn is not None:
            messages.success(
                request,
                f"Samples drawn for {len(drawn)} committee{'s' if len(drawn) != 1 else ''}.",
            )
            return redirect("committees:audits")
    table = AuditTable(selectors.audit_list())
    RequestConfig(request).configure(table)
    return render(request, "committees/audits.html", {"table": table, "form": form})


@require_GET
@require("pmf.read")
def audit(request: HttpRequest, audit_id: int) -> HttpResponse:
    try:
        found = selectors.audit_detail(audit_id)
    except Audit.DoesNotExist as error:
        raise Http404 from error
    can_check = request.user.has_perm("committees.keep_committees")
    checks = selectors.audit_checks(found, with_queries=can_check)
    return render(
        request,
        "committees/audit.html",
        {"audit": found, "checks": checks, "can_check": can_check},
    )


@require_http_methods(["GET", "POST"])
@require("committees.keep_committees")
def audit_check(request: HttpRequest, check_id: int) -> HttpResponse:
    check = get_object_or_404(
        AuditCheck.objects.select_related("audit__committee", "audit__period", "kpi"), pk=check_id
    )
    form = AuditCheckForm(*posted(request), instance=check)
    back = check.audit.get_absolute_url()
    if request.method == "POST" and _save(
        form,
        lambda: services.audit_check_record(
            check=check, by=request.user, **{name: form.cleaned_data[name] for name in form.fields}
        ),
    ):
        messages.success(request, f"Audit of KPI {check.kpi.reference} recorded.")
        return redirect(back)
    title = f"Audit KPI {check.kpi.reference} {check.kpi.name}"
    return render(request, "committees/form.html", {"form": form, "title": title, "back": back})


@require_GET
@require("pmf.read")
def kpi_audits(request: HttpRequest, reference: str) -> HttpResponse:
    kpi = get_object_or_404(Kpi, reference=reference)
    return render(
        request,
        "committees/kpi_audits.html",
        {"kpi": kpi, "checks": selectors.audits_of_kpi(kpi), "today": datetime.date.today()},
    )
