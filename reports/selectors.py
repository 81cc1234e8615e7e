"""The committee pack's content for a meeting, assembled as one frozen, JSON-ready dict.

`pack_data(meeting)` reads everything a pack shows in a fixed number of queries whatever the
number of KPIs: the draft narrative, the committee's scorecard for the meeting's period with each
KPI's history for the appendix (five queries), the KPIs' priorities (one), the proposals table
(two) and the action tracker (two). The result holds only text, numbers,
lists and dicts, so a published version stores it as JSON and renders it again unchanged.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from committees import selectors as committee_selectors
from committees.models import CommitteeDetails, Meeting
from kpis.rating import Rating
from kpis.rating.trends import Trend
from kpis.register.models import Kpi
from reports.models import PackDraft, PackJob, PackVersion, word_name
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
        "unit_label": row.unit_label,
        "period_label": row.period_label,
        "target": row.target_display,
        "current": row.current_display,
        "previous": row.previous_display,
        "previous_label": row.previous_label,
        "change": row.change_text,
        "rating": row.rating.value,
        "rating_label": row.rating.label,
        "trend": row.trend_text,
        "worsening": row.trend is Trend.WORSENING,
        "forecast": row.forecast_text,
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
    actions = _actions(committee)
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
        "proposals": _proposals(meeting),
        "summary": _summary(card),
        "not_reported": {
            "label": card.not_reported.label,
            "count": card.not_reported.count,
            "percent": card.not_reported.percent,
        },
        "kpi_count": card.kpi_count,
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
        "built_at": timezone.now().isoformat(timespec="seconds"),
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


def _proposals(meeting: Meeting) -> list[dict]:
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
        for p in committee_selectors.meeting_proposals(meeting)
    ]


def _actions(committee) -> list[dict]:
    actions = []
    for item in committee_selectors.action_tracker(committee):
        latest = next(iter(item.updates.all()), None)
        actions.append(
            {
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
        )
    return actions


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
