"""What the demo's tests share: the day they load it as of, and questions about what it holds."""

import datetime
from collections import Counter

from demo.files import read_files
from kpis.register.models import Kpi
from kpis.reporting.models import Measurement, ReportingPeriod

# A Monday in 2026/27 Q3: 2026/27 Q2 (July to September) and October 2026 are open.
TODAY = datetime.date(2026, 11, 23)
Status = Measurement.Status
State = ReportingPeriod.State
MINIMUM_HISTORY = {"quarterly": 8, "monthly": 24, "annual": 3}
FILES = read_files()


def open_period(kind: str) -> ReportingPeriod:
    return ReportingPeriod.objects.get(kind=kind, state=State.OPEN)


def signed_off_counts() -> Counter:
    """Approved values in locked periods by KPI reference."""
    return Counter(
        Measurement.objects.filter(status=Status.APPROVED, period__state=State.LOCKED).values_list(
            "kpi__reference", flat=True
        )
    )


def assert_eight_quarters_of_history() -> None:
    counts = signed_off_counts()
    kpis = Kpi.objects.filter(status=Kpi.Status.LIVE, targets__isnull=False).distinct()
    assert kpis.count() >= 40
    for kpi in kpis:
        assert counts[kpi.reference] >= MINIMUM_HISTORY[kpi.frequency], kpi.reference


def open_statuses() -> Counter:
    """What the open quarter and month hold for every KPI that reports in them."""
    found = Counter()
    for kind, frequency in (("quarter", "quarterly"), ("month", "monthly")):
        period = open_period(kind)
        entered = dict(period.measurements.values_list("kpi_id", "status"))
        for kpi in Kpi.objects.filter(frequency=frequency).exclude(
            status__in=[Kpi.Status.SUSPENDED, Kpi.Status.RETIRED]
        ):
            found[entered.get(kpi.pk, "missing")] += 1
    return found
