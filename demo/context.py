"""What every part of the loader shares: files, calendar, timeline and the rows it works on."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from demo.files import DemoFiles
from demo.relative import DemoCalendar
from demo.timeline import Timeline, at_hour
from kpis.register.models import Directorate, Kpi
from kpis.reporting.models import Measurement, ReportingPeriod
from pmf.models import User

PeriodKey = tuple[str, int, int]  # (kind, financial year, number)


def period_key(period: Any) -> PeriodKey:
    return (period.kind, period.financial_year, period.number)


@dataclass
class Stored:
    """The rows the steps work on, kept up to date as they run (so a step costs no lookups)."""

    kpis: dict[str, Kpi] = field(default_factory=dict)
    periods: dict[PeriodKey, ReportingPeriod] = field(default_factory=dict)
    values: dict[tuple[int, int], Measurement] = field(default_factory=dict)

    def value(self, kpi: Kpi, period: ReportingPeriod) -> Measurement | None:
        return self.values.get((kpi.pk, period.pk))

    def keep(self, measurement: Measurement) -> None:
        self.values[(measurement.kpi_id, measurement.period_id)] = measurement

    def keep_period(self, period: ReportingPeriod) -> ReportingPeriod:
        self.periods[period_key(period)] = period
        return period


@dataclass
class DemoContext:
    files: DemoFiles
    calendar: DemoCalendar
    timeline: Timeline
    users: dict[str, User] = field(default_factory=dict)
    stored: Stored = field(default_factory=Stored)
    # When each KPI joins the register (register.csv's date_added), by reference.
    adopted_on: dict[str, datetime.date] = field(default_factory=dict)
    # (committee short name, quarters back from Q0) → its meeting day (committee_work).
    meeting_days: dict[tuple[str, int], datetime.date] = field(default_factory=dict)

    @property
    def council(self) -> dict[str, Any]:
        return self.files.council

    @property
    def today(self) -> datetime.date:
        return self.calendar.today

    @property
    def gp(self) -> User:
        return self.users["gp"]

    def lead_of(self, kpi: Kpi) -> User:
        """The KPI's lead officer, as the same object each time (its roles are read once)."""
        return next(user for user in self.users.values() if user.pk == kpi.lead_officer_id)

    def approver_of(self, kpi: Kpi) -> User:
        return self.approver_of_directorate(kpi.directorate)

    def approver_of_directorate(self, directorate: Directorate) -> User:
        """The first approver the council file names for the directorate."""
        for spec in self.council["directorates"]:
            if spec["short_name"] == directorate.short_name:
                return self.users[spec["approvers"][0]]
        raise KeyError(f"No approver for {directorate.short_name}")

    def adoption_moment(self, reference: str) -> datetime.datetime:
        """09:00 on the day the KPI joins the register: its register import runs then."""
        return at_hour(self.adopted_on[reference], 9)
