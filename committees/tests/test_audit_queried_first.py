"""The quarterly audit sample draws the KPIs whose value was queried at entry first, then the
rest at random as before; the audit page says which were queried, and shows G&P the query and
the officer's explanation."""

import datetime

import pytest
from django.urls import reverse

from committees import services
from kpis.register.models import Kpi
from kpis.register.tests.factories import KpiFactory
from kpis.reporting.models import Measurement, ReportingPeriod
from kpis.reporting.tests.factories import make_measurement

QUERY = "This is 180% higher than 2024/25 Q4 (120)."


@pytest.fixture
def quarter(db):
    return ReportingPeriod.objects.create(
        kind="quarter",
        financial_year=2025,
        number=1,
        starts_on=datetime.date(2025, 4, 1),
        ends_on=datetime.date(2025, 6, 30),
        state=ReportingPeriod.State.LOCKED,
    )


def _committee_set(committee, quarter, *, queried: int, plain: int) -> tuple[set, set]:
    """KPIs in the committee's set with approved values for the quarter, `queried` of them
    queried at entry; their ids (queried, plain)."""
    found: tuple[set, set] = (set(), set())
    for n in range(queried + plain):
        kpi = KpiFactory(committees=[committee], date_added=datetime.date(2024, 4, 1))
        is_queried = n < queried
        make_measurement(
            kpi,
            quarter,
            336,
            status=Measurement.Status.APPROVED,
            data_query=QUERY if is_queried else "",
            query_explanation=f"Explained {kpi.reference}" if is_queried else "",
        )
        found[0 if is_queried else 1].add(kpi.pk)
    return found


@pytest.mark.parametrize("seed", [1, 2, 3, 20250630, 99])
def test_queried_values_are_drawn_first_then_the_rest_at_random(committee, gp, quarter, seed):
    queried, plain = _committee_set(committee, quarter, queried=2, plain=10)
    audit = services.audit_draw(committee=committee, period=quarter, by=gp, seed=seed, size=3)
    checks = {check.kpi_id: check.queried for check in audit.checks.all()}
    assert queried <= set(checks)
    assert len(set(checks) & plain) == 1
    assert {kpi_id for kpi_id, flagged in checks.items() if flagged} == queried
    # Reproducible from the seed, as before.
    assert sorted(checks) == services.draw_sample(
        queried | plain, seed=seed, size=3, queried=queried
    )


def test_more_queried_values_than_the_sample_holds_are_drawn_among_themselves(
    committee, gp, quarter
):
    queried, _ = _committee_set(committee, quarter, queried=5, plain=5)
    audit = services.audit_draw(committee=committee, period=quarter, by=gp, seed=7, size=3)
    assert set(audit.checks.values_list("kpi_id", flat=True)) <= queried
    assert audit.checks.filter(queried=True).count() == 3


def test_with_nothing_queried_the_sample_is_the_random_draw_it_always_was():
    ids = list(range(1, 40))
    assert services.draw_sample(ids, seed=5, size=3, queried=[]) == services.draw_sample(
        ids, seed=5, size=3
    )
    assert services.draw_sample(ids, seed=5, size=3, queried=[7]) != services.draw_sample(
        ids, seed=5, size=3, queried=[]
    )


def test_a_query_in_another_quarter_does_not_count(committee, gp, quarter):
    other = ReportingPeriod.objects.create(
        kind="quarter",
        financial_year=2024,
        number=4,
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 3, 31),
        state=ReportingPeriod.State.LOCKED,
    )
    _, plain = _committee_set(committee, quarter, queried=0, plain=6)
    for kpi_id in plain:
        make_measurement(Kpi.objects.get(pk=kpi_id), other, 1, data_query=QUERY)
    audit = services.audit_draw(committee=committee, period=quarter, by=gp, seed=4, size=3)
    assert not audit.checks.filter(queried=True).exists()


def test_the_audit_page_marks_queried_kpis_and_shows_gp_the_explanation(
    client, committee, gp, viewer, quarter
):
    queried, _ = _committee_set(committee, quarter, queried=1, plain=3)
    audit = services.audit_draw(committee=committee, period=quarter, by=gp, seed=11, size=2)
    reference = audit.checks.get(queried=True).kpi.reference
    url = reverse("committees:audit", args=[audit.pk])
    client.force_login(gp)
    page = client.get(url).content.decode()
    assert page.count("Queried at entry") == 1
    assert QUERY in page and f"Explained {reference}" in page
    client.force_login(viewer)
    page = client.get(url).content.decode()
    assert page.count("Queried at entry") == 1
    assert QUERY not in page and f"Explained {reference}" not in page
