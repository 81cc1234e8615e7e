"""The questions asked again and again, answered once: custom QuerySets."""

import datetime

import pytest

from kpis.register.models import CommitteeMembership, Kpi, in_force_on
from kpis.register.tests.factories import CommitteeFactory, KpiFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 6, 30)


def membership(committee, reference, started_on, ended_on=None):
    return CommitteeMembership.objects.create(
        kpi=KpiFactory(reference=reference),
        committee=committee,
        started_on=started_on,
        ended_on=ended_on,
    )


def test_a_membership_is_in_force_from_its_start_until_the_day_before_its_end():
    committee = CommitteeFactory()
    on_the_day = membership(committee, "1", DAY)
    ends_after = membership(committee, "2", datetime.date(2025, 4, 1), DAY + datetime.timedelta(1))
    ended = membership(committee, "3", datetime.date(2025, 4, 1), DAY)  # the end is exclusive
    later = membership(committee, "4", DAY + datetime.timedelta(1))

    in_force = set(CommitteeMembership.objects.in_force_on(DAY))

    assert in_force == {on_the_day, ends_after}
    assert [m.is_in_force_on(DAY) for m in (on_the_day, ends_after, ended, later)] == [
        True,
        True,
        False,
        False,
    ]
    assert set(CommitteeMembership.objects.not_ended_by(DAY)) == {on_the_day, ends_after, later}
    counted = Kpi.objects.filter(in_force_on(DAY, via="memberships__")).count()
    assert counted == 2


def test_suspended_and_retired_kpis_do_not_report():
    live = KpiFactory(reference="10")
    KpiFactory(reference="11", status=Kpi.Status.SUSPENDED)
    KpiFactory(reference="12", status=Kpi.Status.RETIRED, date_removed=datetime.date(2026, 3, 31))
    assert list(Kpi.objects.reporting()) == [live]
