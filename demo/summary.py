"""What a load did, model by model, read from the history records it wrote.

A row is *created* if the load wrote its "+" record, *updated* if it wrote a "~" record for a row
that already existed, and otherwise *unchanged*. Reading the history rather than counting in each
step keeps the tally honest whatever path a row was written by (an import, a service).
"""

from dataclasses import dataclass, field

from django.db import models

from committees.models import ActionItem, ActionUpdate, Audit, CommitteeDetails, Meeting, Proposal
from kpis.register.models import Committee, CommitteeMembership, Directorate, Kpi, Priority, Service
from kpis.reporting.models import Measurement, ReportingPeriod, Target
from pmf.models import User
from reports.models import PackVersion

TALLIED: tuple[tuple[str, type[models.Model]], ...] = (
    ("Priorities", Priority),
    ("Directorates", Directorate),
    ("Services", Service),
    ("Committees", Committee),
    ("Users", User),
    ("KPIs", Kpi),
    ("Committee memberships", CommitteeMembership),
    ("Reporting periods", ReportingPeriod),
    ("Targets", Target),
    ("Values", Measurement),
    ("Committee details", CommitteeDetails),
    ("Meetings", Meeting),
    ("Proposals", Proposal),
    ("Action items", ActionItem),
    ("Action updates", ActionUpdate),
    ("Audits", Audit),
    ("Published packs", PackVersion),
)


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class DemoSummary:
    tallies: dict[str, Tally] = field(default_factory=dict)

    def lines(self) -> list[str]:
        return [
            f"{label}: {t.total} ({t.created} created, {t.updated} updated, "
            f"{t.unchanged} unchanged)"
            for label, t in self.tallies.items()
        ]


class Watch:
    """Marks where each model's history stands before a load, to tally the load afterwards."""

    def __init__(self) -> None:
        self._marks: dict[str, int] = {}
        for label, model in TALLIED:
            if hasattr(model, "history"):
                latest = model.history.aggregate(models.Max("history_id"))["history_id__max"]
                self._marks[label] = latest or 0
            else:
                self._marks[label] = model.objects.count()

    def summary(self, *, users_updated: int) -> DemoSummary:
        summary = DemoSummary()
        for label, model in TALLIED:
            total = model.objects.count()
            if hasattr(model, "history"):
                created, updated = self._from_history(model, self._marks[label])
            else:
                created = total - self._marks[label]
                updated = users_updated if model is User else 0
            summary.tallies[label] = Tally(created, updated, total - created - updated)
        return summary

    @staticmethod
    def _from_history(model: type[models.Model], mark: int) -> tuple[int, int]:
        written = model.history.filter(history_id__gt=mark)
        created = set(written.filter(history_type="+").values_list("id", flat=True))
        changed = set(written.filter(history_type="~").values_list("id", flat=True))
        return len(created), len(changed - created)
