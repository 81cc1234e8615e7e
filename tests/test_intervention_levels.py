"""Where a council rates by intervention levels (the RAG policy's setting, or a KPI's own), the
scorecard, its export and the committee pack show each target with its intervention level; where
it does not, the level (kept with the target) is not shown, as it decides nothing."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kpis.register.models import Kpi
from kpis.reporting.models import RagPolicy, Target
from reports import rendering
from reports import selectors as pack_selectors
from reports.tests.factories import committee_pack
from scorecards import exports
from scorecards import selectors as scorecard_selectors

WITH_LEVEL = "80%, intervention level 70%"


@pytest.fixture
def pack(db):
    committee, meeting, kpis, history = committee_pack(4)
    Target.objects.filter(financial_year=history[-1].financial_year).update(
        intervention_level=Decimal(70)
    )
    return committee, meeting, kpis, history[-1]


def _use_intervention_levels(on: bool) -> None:
    council = RagPolicy.current()
    council.use_intervention_levels = on
    council.save()


def _card(committee, period):
    return scorecard_selectors.scorecard(kind="committee", period=period, committee=committee)


def _pack_html(meeting) -> str:
    return rendering.render_html(
        pack_selectors.pack_data(pack_selectors.meeting_for_pack(meeting.pk))
    )


def test_a_council_that_rates_by_intervention_levels_sees_them_everywhere(pack, client, viewer):
    committee, meeting, kpis, period = pack
    _use_intervention_levels(True)
    card = _card(committee, period)
    assert {row.target_display for row in card.rows} == {WITH_LEVEL}

    client.force_login(viewer)
    page = client.get(reverse("scorecards:committee", args=[committee.pk, period.pk]))
    assert page.content.decode().count(WITH_LEVEL) == 4

    assert exports.scorecard_csv(card).decode("utf-8-sig").count(WITH_LEVEL) == 4
    assert _pack_html(meeting).count(WITH_LEVEL) >= 4  # the summary table and every appendix


def test_a_council_that_does_not_sees_the_target_alone(pack, client, viewer):
    committee, meeting, kpis, period = pack
    _use_intervention_levels(False)
    assert {row.target_display for row in _card(committee, period).rows} == {"80%"}
    client.force_login(viewer)
    page = client.get(reverse("scorecards:committee", args=[committee.pk, period.pk]))
    assert "intervention level" not in page.content.decode()
    assert "intervention level" not in _pack_html(meeting)


def test_a_kpi_rated_by_its_own_intervention_level_shows_it_alone(pack):
    committee, meeting, kpis, period = pack
    _use_intervention_levels(False)
    Kpi.objects.filter(pk=kpis[0].pk).update(rag_use_intervention_levels=True)
    targets = {row.reference: row.target_display for row in _card(committee, period).rows}
    assert targets[kpis[0].reference] == WITH_LEVEL
    assert {targets[kpi.reference] for kpi in kpis[1:]} == {"80%"}
