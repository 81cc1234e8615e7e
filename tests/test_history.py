"""One history presenter (pmf.history) for every audit trail."""

from decimal import Decimal

import pytest
from simple_history.utils import update_change_reason

from kpis.register.models import Kpi
from kpis.register.tests.factories import DirectorateFactory, KpiFactory
from pmf.history import Change, history_entries

pytestmark = pytest.mark.django_db


def test_each_version_is_compared_with_the_one_before_in_words(gp, django_assert_num_queries):
    kpi = KpiFactory(reference="7", long_term_target=Decimal("80.0000"))
    kpi.name = "A clearer name"
    kpi.status = Kpi.Status.SUSPENDED
    kpi.suspended_reason = "Data source replaced"
    kpi.directorate = DirectorateFactory(name="Finance and Resources", short_name="F&R")
    kpi.long_term_target = Decimal("85")
    kpi._history_user = gp
    kpi.save()
    update_change_reason(kpi, "Suspended while the data source changes")
    records = list(kpi.history.select_related("history_user"))
    fields = ["name", "status", "directorate", "long_term_target", "is_financial"]

    with django_assert_num_queries(1):  # the directorates' names; diffing itself reads nothing
        entries = history_entries(records, fields=fields)

    newest, created = entries
    assert (newest.kind, newest.who) == ("Changed", gp.get_full_name())
    assert newest.reason == "Suspended while the data source changes"
    assert newest.changes == [
        Change("Name", created_name(records), "A clearer name"),
        Change("Status", "Live", "Suspended"),
        Change("Directorate", records[-1].directorate.name, "Finance and Resources"),
        Change("Long term target", "80", "85"),
    ]
    assert (created.kind, created.who, created.changes) == ("Created", "System", [])


def created_name(records) -> str:
    return min(records, key=lambda r: r.history_date).name


def test_a_new_objects_first_values_can_be_listed_and_more_changes_added():
    kpi = KpiFactory(reference="8", is_financial=True)
    kpi.name = "Renamed"
    kpi.save()
    entries = history_entries(
        kpi.history.all(),
        fields=["name", "is_financial"],
        labels={"is_financial": "Financial"},
        scope=lambda record: f"KPI {record.reference}",
        show_initial=True,
        more=lambda record, older: [Change("Priorities", "none", "Ambition 1")],
    )
    assert [entry.scope for entry in entries] == ["KPI 8", "KPI 8"]
    assert Change("Financial", "", "Yes") in entries[1].changes
    assert entries[0].changes == [
        Change("Name", entries[1].changes[0].new, "Renamed"),
        Change("Priorities", "none", "Ambition 1"),
    ]
