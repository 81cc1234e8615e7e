"""Each committee's report pack for its latest meeting held, published by the clerk on the
meeting's papers date through the product's own publishing (reports.services), so the demo
ships with a published pack for every committee. A pack that is not ready that day (a proposal
still with its director, say) is published with the reason `[packs]` in council.toml gives, as a
clerk whose papers cannot wait would."""

import datetime
from functools import partial

from committees.models import PAPERS_DAYS_BEFORE, Meeting
from demo.committee_work import meeting_days
from demo.context import DemoContext
from demo.timeline import at_hour
from reports import services
from reports.readiness import pack_readiness


def schedule_packs(context: DemoContext) -> None:
    days = meeting_days(context)
    for spec in context.council["committees"]:
        short_name = spec["short_name"]
        held = [
            day for (name, _back), day in days.items() if name == short_name and day < context.today
        ]
        if held:
            latest = max(held)
            papers = latest - datetime.timedelta(days=PAPERS_DAYS_BEFORE)
            publish = partial(_publish, context, short_name, latest)
            context.timeline.add(at_hour(papers, context.council["packs"]["hour"]), publish)


def _publish(context: DemoContext, short_name: str, day: datetime.date) -> None:
    meeting = Meeting.objects.select_related("committee", "period").get(
        committee__short_name=short_name, date=day
    )
    if meeting.pack_versions.exists():
        return
    ready = pack_readiness(meeting).ready
    reason = "" if ready else context.calendar.text(context.council["packs"]["not_ready_reason"])
    services.pack_publish(meeting=meeting, by=context.users["clerk"], reason=reason)
