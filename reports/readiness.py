"""Whether a meeting's pack is ready to publish: what the confirmation page shows, what a
scheduled publication checks on the day, and what a version published before it was ready
records beside its reason.

A pack is ready when the period it reports is closed or locked for entry, every value the pack
reads for it is approved (a KPI in development with no value yet is not waited for), and no
proposal raised for the committee by the meeting's day is still waiting for its director's
decision (it could not go to the meeting). A pack that is not ready can still be published, with
a reason that is stored with the version and shown on its public page.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.utils.formats import date_format

from committees import selectors as committee_selectors
from committees.models import Meeting, Proposal
from kpis.register.models import Kpi
from kpis.reporting.models import Measurement, ReportingPeriod
from kpis.reporting.selectors import (
    NOT_DUE,
    NOT_STARTED,
    VALUE_STATE_LABELS,
    ValueState,
    value_states,
)
from scorecards import selectors as scorecard_selectors

#: Entry has ended for these period states: nothing more can be entered.
ENTRY_ENDED = (ReportingPeriod.State.CLOSED, ReportingPeriod.State.LOCKED)
#: The order value states are counted in, most advanced first.
Status = Measurement.Status
STATE_ORDER = (
    Status.APPROVED,
    Status.SUBMITTED,
    Status.DRAFT,
    Status.RETURNED,
    NOT_STARTED,
    NOT_DUE,
)


@dataclass(frozen=True)
class Readiness:
    """A meeting's pack against the readiness rules (see the module docstring)."""

    period: ReportingPeriod
    values: list[ValueState]
    awaiting_director: list[Proposal]

    @property
    def period_ready(self) -> bool:
        return self.period.state in ENTRY_ENDED

    @property
    def expected(self) -> int:
        """How many values the pack waits for (a KPI in development with none is not)."""
        return sum(1 for value in self.values if value.status != NOT_DUE)

    @property
    def approved(self) -> int:
        return sum(1 for value in self.values if value.status == Status.APPROVED)

    @property
    def counts(self) -> list[tuple[str, str, int]]:
        """(state, label, how many) for each value state the pack's KPIs are in."""
        found = Counter(value.status for value in self.values)
        return [
            (state, VALUE_STATE_LABELS[state], found[state])
            for state in STATE_ORDER
            if found[state]
        ]

    @property
    def values_ready(self) -> bool:
        return self.approved == self.expected

    @property
    def ready(self) -> bool:
        return self.period_ready and self.values_ready and not self.awaiting_director

    @property
    def problems(self) -> list[str]:
        """Why the pack is not ready, one sentence each (none when it is)."""
        problems = []
        if not self.period_ready:
            problems.append(self._period_problem())
        if not self.values_ready:
            others = ", ".join(
                f"{count} {label.lower()}"
                for state, label, count in self.counts
                if state not in (Status.APPROVED, NOT_DUE)
            )
            problems.append(f"{self.approved} of {self.expected} values are approved ({others}).")
        if self.awaiting_director:
            count = len(self.awaiting_director)
            problems.append(
                f"{count} proposal{'s' if count != 1 else ''} for this committee "
                f"{'are' if count != 1 else 'is'} still waiting for the director's decision."
            )
        return problems

    def _period_problem(self) -> str:
        period = self.period
        state = period.get_state_display().lower()
        text = f"{period.label} is {state}"
        if period.state == ReportingPeriod.State.OPEN and period.submission_deadline:
            text += f": values are due by {date_format(period.submission_deadline, 'j F Y')}"
            if period.signoff_deadline:
                text += f" and signed off by {date_format(period.signoff_deadline, 'j F Y')}"
        return text + "."

    def record(self) -> dict:
        """What a published version keeps of its readiness (plain JSON)."""
        return {
            "ready": self.ready,
            "period": self.period.label,
            "period_state": self.period.get_state_display(),
            "approved": self.approved,
            "values": self.expected,
            "awaiting_director": len(self.awaiting_director),
            "problems": self.problems,
        }


def pack_readiness(meeting: Meeting) -> Readiness:
    """The readiness of the meeting's pack now (four queries whatever the number of KPIs)."""
    if meeting.period is None:
        raise ValueError("Set the reporting period this meeting considers before making its pack.")
    period = meeting.period
    kpis = scorecard_selectors.scope_queryset(
        kind="committee", period=period, committee=meeting.committee
    ).only("pk", "reference", "name", "frequency", "status")
    ordered: list[Kpi] = sorted(
        kpis, key=lambda kpi: scorecard_selectors.natural_key(kpi.reference)
    )
    return Readiness(
        period=period,
        values=value_states(ordered, period),
        awaiting_director=committee_selectors.proposals_awaiting_director(
            meeting.committee, up_to=meeting.date
        ),
    )
