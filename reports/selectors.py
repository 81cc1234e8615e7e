"""The committee pack's content for a meeting, assembled as one frozen, JSON-ready dict.

`pack_data(meeting)` reads everything a pack shows in a fixed number of queries whatever the
number of KPIs: the draft narrative, the committee's scorecard for the meeting's period with each
KPI's history for the appendix (five queries), the KPIs' priorities (one), the proposals table
(two), the action tracker (two) and when its data was taken (one). The result holds only text,
numbers, lists and dicts, so a published version stores it as JSON and renders it again unchanged.

A pack belongs to its meeting: action-tracker updates, decisions and proposals dated after the
meeting's day are left out (they belong to later meetings' packs), and "Data as at" is the time of
the newest change the pack includes, so the same data makes the same pack.

Values, commentary and action plans come from the scorecard alone, which reads approved values
and submitted ones marked provisional, never drafts or returned values (see scorecards.selectors).
"""

from __future__ import annotations

import datetime
import hashlib

from django.db.models import Prefetch, QuerySet, Subquery
from django.utils import timezone

from committees import selectors as committee_selectors
from committees.models import (
    ActionItem,
    CommitteeDecision,
    CommitteeDetails,
    Meeting,
    Proposal,
    ProposalEvent,
)
from kpis.rating import Rating
from kpis.rating.trends import Trend
from kpis.register.models import Kpi
from kpis.reporting.models import Measurement, RagPolicy, Target
from reports.models import PackDraft, PackJob, PackVersion, ScheduledPublication, word_name
from scorecards import selectors as scorecard_selectors

#: Periods of history each appendix section shows (its chart and its table).
APPENDIX_PERIODS = 12
EXCEPTION_RATINGS = (Rating.RED, Rating.BLUE)

DEFAULT_BACKGROUND = (
    "This report sets out the committee's key performance indicators (KPIs) for {period}: "
    "a summary of RAG ratings, commentary on the indicators that need members' attention, "
    "proposed changes to the KPI set and progress on the committee's action tracker. The latest "
    "performance data for every indicator is in the appendix."
)
DEFAULT_RECOMMENDATIONS = (
    "Review and agree the proposed additions to and removals from the KPI set.\n"
    "Monitor performance and identify remedial action as required.\n"
    "Note progress on the committee's action tracker."
)


def meeting_for_pack(meeting_id: int) -> Meeting:
    """The meeting with its committee, details and period (one query)."""
    return Meeting.objects.select_related("committee", "committee__details", "period").get(
        pk=meeting_id
    )


def _details(meeting: Meeting) -> CommitteeDetails | None:
    try:
        return meeting.committee.details
    except CommitteeDetails.DoesNotExist:
        return None


def default_draft(meeting: Meeting) -> PackDraft:
    """An unsaved draft with the committee's defaults."""
    details = _details(meeting)
    members = []
    if details and details.chair:
        members.append(f"Chair: {details.chair}")
    if details and details.vice_chair:
        members.append(f"Vice-chair: {details.vice_chair}")
    period = meeting.period.label if meeting.period else "the latest quarter"
    return PackDraft(
        meeting=meeting,
        to=meeting.committee.name,
        from_text="Head of Governance and Performance",
        outcome=(
            f"The Committee is asked to consider performance information for {period} and "
            "proposed changes to its set of key performance indicators."
        ),
        recommendations=DEFAULT_RECOMMENDATIONS,
        member_contacts="\n".join(members),
        background=DEFAULT_BACKGROUND.format(period=period),
        alignment=(
            "The indicators in this report measure progress against the council's corporate "
            "priorities; the table of alignment shows which indicators serve which priority."
        ),
        implications="There are no significant implications beyond those set out in this report.",
        source_documents="Performance Management Framework.",
    )


def draft_for(meeting: Meeting) -> PackDraft:
    """The meeting's saved draft, or an unsaved one with the committee's defaults (one query)."""
    draft = PackDraft.objects.filter(meeting=meeting).first()
    return draft if draft is not None else default_draft(meeting)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _number(value) -> float | None:
    return None if value is None else float(value)


def _is_exception(row: scorecard_selectors.Row) -> bool:
    return row.rating in EXCEPTION_RATINGS or (
        row.rating is Rating.AMBER and row.trend is Trend.WORSENING
    )


def _row_dict(row: scorecard_selectors.Row) -> dict:
    return {
        "kpi_id": row.kpi_id,
        "reference": row.reference,
        "name": row.name,
        "directorate": row.directorate,
        "level": row.level_label,
        "perspective": row.perspective_label,
        "frequency": row.frequency_label,
        "direction": row.direction_label,
        "unit": row.unit,
        "decimals": row.decimals,
        "unit_label": row.unit_label,
        "period_label": row.period_label,
        "target": row.target_display,
        "current": row.current_display,
        "previous": row.previous_display,
        "previous_label": row.previous_label,
        "compared_with": row.compared_with,
        "change": row.change_text,
        "rating": row.rating.value,
        "rating_label": row.rating.label,
        "trend": row.trend_text,
        "worsening": row.trend is Trend.WORSENING,
        "forecast": row.forecast_text,
        "no_forecast": row.no_forecast,
        "year_end": row.year_end_text,
        "commentary": row.commentary,
        "action_plan": row.action_plan,
        "provisional": row.provisional,
        "flags": row.flags,
    }


def pack_data(meeting: Meeting, draft: PackDraft | None = None) -> dict:
    """Everything the pack shows, as plain data (see the module docstring for the queries)."""
    if meeting.period is None:
        raise ValueError("Set the reporting period this meeting considers before making its pack.")
    period, committee = meeting.period, meeting.committee
    draft = draft if draft is not None else draft_for(meeting)
    card = scorecard_selectors.scorecard(
        kind="committee", period=period, committee=committee, keep_points=True
    )
    rows = [_row_dict(row) for row in card.rows]
    by_id = {row["kpi_id"]: row for row in rows}
    reds = [row for row in rows if row["rating"] == Rating.RED.value]
    exceptions = [row for row, full in zip(rows, card.rows, strict=True) if _is_exception(full)]
    # The meeting's own day: later updates, decisions and proposals belong to later meetings.
    tracker = committee_selectors.action_tracker(committee, up_to=meeting.date)
    actions = [_action(item) for item in tracker]
    proposal_rows = committee_selectors.meeting_proposals(meeting, up_to=meeting.date)
    as_at = data_as_at(
        meeting,
        draft,
        kpi_ids=[row.kpi_id for row in card.rows],
        proposal_ids=[row.proposal.pk for row in proposal_rows],
        tracker=tracker,
    )
    meeting_date = f"{meeting.date:%-d %B %Y}"
    return {
        "title": f"Quarterly performance report: {period.label}",
        "committee": committee.name,
        "committee_short_name": committee.short_name,
        "meeting_id": meeting.pk,
        "meeting_date": meeting_date,
        "meeting_date_iso": meeting.date.isoformat(),
        "period": period.label,
        "exception_mode": draft.exception_mode,
        "cover": _cover(draft, committee.name, meeting_date),
        "background": draft.background,
        "proposals": _proposals(meeting, proposal_rows),
        "summary": _summary(card),
        "not_reported": {
            "label": card.not_reported.label,
            "count": card.not_reported.count,
            "percent": card.not_reported.percent,
            "provisional": card.not_reported.provisional,
        },
        "kpi_count": card.kpi_count,
        "provisional_count": card.provisional_count,
        "provisional_text": card.provisional_text,
        "body_kpis": exceptions if draft.exception_mode else reds,
        "red_count": len(reds),
        "exception_count": len(exceptions),
        "perspectives": _perspectives(card),
        "alignment_table": _alignment(by_id),
        "scorecard": [
            {"label": group.label, "rows": [by_id[r.kpi_id] for r in group.rows]}
            for group in card.groups
        ],
        "appendix": [_appendix_section(by_id[row.kpi_id], row) for row in card.rows],
        "actions": actions,
        "overdue_actions": sum(1 for a in actions if a["status"] == "Overdue"),
        "alignment": draft.alignment,
        "implications": draft.implications,
        "source_documents": _lines(draft.source_documents),
        "policy_description": card.policy_description,
        "how_to_read": list(card.how_to_read),
        "data_as_at": as_at.isoformat(timespec="seconds") if as_at else "",
        "data_as_at_text": _moment_text(as_at),
    }


def _cover(draft: PackDraft, committee_name: str, meeting_date: str) -> dict:
    return {
        "to": draft.to or committee_name,
        "meeting_date": meeting_date,
        "from": _lines(draft.from_text),
        "electoral_divisions": draft.electoral_divisions,
        "key_decision": draft.key_decision,
        "forward_plan_ref": draft.forward_plan_ref,
        "outcome": draft.outcome,
        "recommendations": _lines(draft.recommendations),
        "officer_contact": _lines(draft.officer_contact),
        "member_contacts": _lines(draft.member_contacts),
    }


def _summary(card: scorecard_selectors.Scorecard) -> list[dict]:
    return [
        {
            "rating": line.rating.value if line.rating else "",
            "label": line.label,
            "count": line.count,
            "percent": line.percent,
            "provisional": line.provisional,
        }
        for line in card.summary
    ]


def _appendix_section(row: dict, full: scorecard_selectors.Row) -> dict:
    """A KPI's appendix section: its scorecard row with the last APPENDIX_PERIODS points from
    its first reported value, and its forecast, for the chart and the values line."""
    points = full.points[-APPENDIX_PERIODS:]
    first = next((n for n, p in enumerate(points) if p.value is not None), len(points) - 1)
    forecast = [full.forecast_label, full.forecast] if full.forecast is not None else None
    return {
        **row,
        "points": [
            {
                "label": p.label,
                "value": _number(p.value),
                "value_display": p.value_display or "Not reported",
                "target": _number(p.target),
                "target_display": p.target_display,
                "rating_label": p.rating.label,
                "provisional": p.provisional,
            }
            for p in points[max(first, 0) :]
        ],
        "forecast_point": forecast,
    }


def _perspectives(card: scorecard_selectors.Scorecard) -> list[dict]:
    """Each perspective's Blue, Green, Amber and Red counts, the rest, and its total."""
    shown = (Rating.BLUE, Rating.GREEN, Rating.AMBER, Rating.RED)
    perspectives = []
    for group in card.groups:
        ratings = [row.rating for row in group.rows]
        perspectives.append(
            {
                "label": group.label,
                "counts": [ratings.count(r) for r in shown],
                "other": sum(1 for r in ratings if r not in shown),
                "total": len(group.rows),
            }
        )
    return perspectives


def _alignment(by_id: dict[int, dict]) -> list[dict]:
    """Each corporate priority with the pack's KPIs that serve it (one query)."""
    priorities: dict[int, dict] = {}
    for kpi_id, number, name in Kpi.priorities.through.objects.filter(
        kpi_id__in=list(by_id)
    ).values_list("kpi_id", "priority__number", "priority__name"):
        entry = priorities.setdefault(number, {"number": number, "name": name, "kpis": []})
        entry["kpis"].append(by_id[kpi_id])
    alignment = []
    for number in sorted(priorities):
        entry = priorities[number]
        linked = sorted(
            entry["kpis"], key=lambda r: scorecard_selectors.natural_key(r["reference"])
        )
        kpis = [
            {"reference": r["reference"], "name": r["name"], "rating": r["rating_label"]}
            for r in linked
        ]
        alignment.append({"number": number, "name": entry["name"], "kpis": kpis})
    return alignment


def _proposals(meeting: Meeting, rows: list[committee_selectors.ProposalRow]) -> list[dict]:
    decisions = committee_selectors.meeting_decisions(meeting)
    return [
        {
            "kpi_number": p.kpi_number,
            "kpi_name": p.kpi_name,
            "service": p.service,
            "proposal": p.proposal_word,
            "rationale": p.rationale,
            "outcome": decisions.get(p.proposal.pk, ""),
        }
        for p in rows
    ]


def _action(item: ActionItem) -> dict:
    latest = next(iter(item.updates.all()), None)
    return {
        "reference": item.reference,
        "action": item.action,
        "milestone": item.milestone,
        "lead_officer": item.lead_officer,
        "success_criteria": item.success_criteria,
        "baseline": item.baseline,
        "status": (latest.get_status_display() if latest else item.get_status_display()),
        "update": latest.text if latest else "",
        "update_on": f"{latest.written_on:%-d %B %Y}" if latest else "",
    }


# Data as at --------------------------------------------------------------------------------------


def _newest(queryset: QuerySet, field: str) -> Subquery:
    return Subquery(queryset.order_by(f"-{field}").values(field)[:1])


def data_as_at(
    meeting: Meeting,
    draft: PackDraft,
    *,
    kpi_ids: list[int],
    proposal_ids: list[int],
    tracker: list[ActionItem],
) -> datetime.datetime | None:
    """When the newest change the pack includes was made (one query): its KPIs and their values
    and targets up to its period, the RAG policy, the committee's details and the narrative, and
    its proposals, decisions and action tracker as they stood at the end of the meeting's day.
    The same data gives the same moment."""
    period = meeting.period
    end = committee_selectors.end_of(meeting.date)
    sources = {
        "values": Measurement.history.filter(
            kpi_id__in=kpi_ids, period__ends_on__lte=period.ends_on
        ),
        "targets": Target.history.filter(kpi_id__in=kpi_ids),
        "kpis": Kpi.history.filter(id__in=kpi_ids),
        "policy": RagPolicy.history.all(),
        "committee": CommitteeDetails.history.filter(committee_id=meeting.committee_id),
        "proposals": Proposal.history.filter(id__in=proposal_ids, history_date__lt=end),
        "actions": ActionItem.history.filter(
            id__in=[item.pk for item in tracker], history_date__lt=end
        ),
    }
    newest = {f"newest_{name}": _newest(rows, "history_date") for name, rows in sources.items()}
    newest["newest_steps"] = _newest(
        ProposalEvent.objects.filter(proposal_id__in=proposal_ids, at__lt=end), "at"
    )
    newest["newest_decisions"] = _newest(CommitteeDecision.objects.filter(meeting=meeting), "at")
    found = list(Meeting.objects.filter(pk=meeting.pk).values(**newest).get().values())
    found += [update.at for item in tracker for update in item.updates.all()]
    if draft.pk is not None:
        found.append(draft.updated_at)
    moments = [moment for moment in found if moment is not None]
    return max(moments) if moments else None


def _moment_text(moment: datetime.datetime | None) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{local:%-d %B %Y} at {local:%H:%M}"


# The pack pages ----------------------------------------------------------------------------------


def versions_of(meeting: Meeting) -> list[PackVersion]:
    return list(
        PackVersion.objects.filter(meeting=meeting)
        .select_related("published_by", "withdrawn_by")
        .defer("data", "html")
        .order_by("-number")
    )


def jobs_of(meeting: Meeting) -> QuerySet[PackJob]:
    """The requests to generate and publish the pack (previews aside), newest first."""
    jobs = PackJob.objects.filter(meeting=meeting, preview=False)
    return jobs.select_related("requested_by", "version")


def latest_preview(meeting: Meeting) -> PackJob | None:
    """The latest request for a preview PDF, whatever became of it."""
    return PackJob.objects.filter(meeting=meeting, preview=True).first()


def preview_to_download(meeting: Meeting) -> PackJob | None:
    """The latest preview PDF made for the meeting."""
    done = PackJob.objects.filter(meeting=meeting, preview=True, status=PackJob.Status.DONE)
    return done.exclude(preview_pdf="").first()


class DamagedPdf(Exception):
    """A published version's stored PDF is missing, or is no longer the file that was published."""


def verified_pdf(version: PackVersion) -> bytes:
    """The version's PDF exactly as published: the stored file, checked against its SHA-256.

    A file changed on disk (by a fault, a restore from the wrong backup, or someone with access
    to the storage) is refused rather than sent as the council's published report.
    """
    try:
        if version.pdf_size and version.pdf.size != version.pdf_size:
            raise DamagedPdf(
                f"{version.pdf.name} is {version.pdf.size} bytes, not {version.pdf_size}"
            )
        with version.pdf.open("rb") as stored:
            pdf = stored.read()
    except (OSError, ValueError) as error:  # no such file, or no file name at all
        raise DamagedPdf(f"{version.pdf.name or 'no file'} cannot be read: {error}") from error
    if hashlib.sha256(pdf).hexdigest() != version.sha256:
        raise DamagedPdf(f"{version.pdf.name} no longer has that SHA-256")
    return pdf


def waiting_publication(meeting: Meeting) -> ScheduledPublication | None:
    """The meeting's pack's publication scheduled for its papers date, if one is waiting."""
    waiting = ScheduledPublication.objects.filter(
        meeting=meeting, status=ScheduledPublication.Status.SCHEDULED
    )
    return waiting.select_related("requested_by").first()


def last_scheduled_outcome(meeting: Meeting) -> ScheduledPublication | None:
    """The latest scheduled publication that has run on its day (not one cancelled by hand)."""
    ran = ScheduledPublication.objects.filter(
        meeting=meeting, finished_at__isnull=False, cancelled_by__isnull=True
    )
    return ran.select_related("version").order_by("-finished_at", "-pk").first()


def preview_word_exists(job: PackJob) -> bool:
    """Whether the preview's Word document was made with its PDF (not before Word packs were)."""
    return job.preview_pdf.storage.exists(word_name(job.preview_pdf.name))


def published_version(meeting_id: int, number: int) -> PackVersion:
    return PackVersion.objects.select_related("meeting__committee", "withdrawn_by").get(
        meeting_id=meeting_id, number=number
    )


def public_index() -> list[Meeting]:
    """Meetings with at least one published version, each with its versions (two queries)."""
    versions = PackVersion.objects.defer("data", "html").order_by("-number")
    return list(
        Meeting.objects.filter(pack_versions__isnull=False)
        .distinct()
        .select_related("committee", "period")
        .prefetch_related(Prefetch("pack_versions", queryset=versions))
        .order_by("committee__name", "-date")
    )


def meetings_in_period(period_id: int) -> list[Meeting]:
    return list(
        Meeting.objects.filter(period_id=period_id)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("committee")
        .order_by("date", "committee__name")
    )
