import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis.rating import Rating, trends
from kpis.register import services
from kpis.register.models import CommitteeMembership, Kpi, Unit, unit_table
from kpis.register.tests.factories import (
    CommitteeFactory,
    DirectorateFactory,
    KpiFactory,
    PriorityFactory,
)
from kpis.reporting import policy
from kpis.reporting.models import Measurement, RagPolicy
from scorecards import selectors
from scorecards.tests.helpers import period, quarters, series, target, value

pytestmark = pytest.mark.django_db


def refs(card) -> list[str]:
    return [row.reference for row in card.rows]


@pytest.fixture
def q2():
    return period("quarter", 2025, 2)


# Scope -------------------------------------------------------------------------------------------


def test_the_organisational_scorecard_has_corporate_and_strategic_kpis_of_every_directorate(q2):
    one, two = DirectorateFactory(short_name="ONE"), DirectorateFactory(short_name="TWO")
    KpiFactory(reference="1", directorate=one, level=Kpi.Level.STRATEGIC)
    KpiFactory(reference="2", directorate=two, level=Kpi.Level.CORPORATE)
    KpiFactory(reference="3", directorate=two, level=Kpi.Level.OPERATIONAL)
    assert refs(selectors.scorecard(kind="organisation", period=q2)) == ["1", "2"]


def test_a_directorate_scorecard_has_all_its_levels_and_nothing_else(q2):
    one, two = DirectorateFactory(short_name="ONE"), DirectorateFactory(short_name="TWO")
    for n, level in enumerate(Kpi.Level.values):
        KpiFactory(reference=f"{n + 1}", directorate=one, level=level)
    KpiFactory(reference="9", directorate=two)
    card = selectors.scorecard(kind="directorate", period=q2, directorate=one)
    assert refs(card) == ["1", "2", "3"]
    assert card.title == f"{one.name} scorecard"


def test_kpis_retired_before_the_period_or_added_after_it_are_left_out(q2):
    KpiFactory(reference="1", level=Kpi.Level.STRATEGIC)
    KpiFactory(
        reference="2",
        level=Kpi.Level.STRATEGIC,
        status=Kpi.Status.RETIRED,
        date_removed=datetime.date(2025, 6, 30),
    )
    KpiFactory(
        reference="3",
        level=Kpi.Level.STRATEGIC,
        status=Kpi.Status.RETIRED,
        date_removed=datetime.date(2025, 8, 1),  # retired during the quarter: still reported
    )
    KpiFactory(reference="4", level=Kpi.Level.STRATEGIC, date_added=datetime.date(2025, 10, 1))
    assert refs(selectors.scorecard(kind="organisation", period=q2)) == ["1", "3"]


def test_a_committee_scorecard_has_the_set_as_it_was_at_the_end_of_the_period(q2):
    committee = CommitteeFactory(short_name="SRP")
    day = datetime.date

    def member(reference, started, ended=None):
        kpi = KpiFactory(reference=reference)
        CommitteeMembership.objects.create(
            kpi=kpi, committee=committee, started_on=started, ended_on=ended
        )

    member("1", day(2024, 4, 1))  # current
    member("2", day(2024, 4, 1), day(2025, 8, 31))  # left before the quarter ended
    member("3", day(2025, 10, 1))  # joined after it
    member("4", day(2024, 4, 1), day(2025, 12, 31))  # left later
    member("5", day(2025, 9, 30))  # joined on the last day
    KpiFactory(reference="6")  # never in the set
    card = selectors.scorecard(kind="committee", period=q2, committee=committee)
    assert refs(card) == ["1", "4", "5"]
    assert card.title == f"{committee.name} scorecard"


# Columns -----------------------------------------------------------------------------------------


def test_a_row_has_every_column_of_appendix_c_plus_the_forecast():
    q1, q2 = quarters((2025, 1), 2)
    kpi = KpiFactory(
        reference="169",
        name="Household waste recycled",
        level=Kpi.Level.STRATEGIC,
        perspective=Kpi.Perspective.RESIDENTS,
        metric_category=Kpi.MetricCategory.CENTRAL_GOVERNMENT,
        frequency=Kpi.Frequency.QUARTERLY,
        unit=Kpi.Unit.PERCENT,
        direction=Kpi.Direction.HIGHER,
    )
    target(kpi, 75)
    value(kpi, q1, "72.5", rating="amber")
    value(kpi, q2, "68", rating="red", commentary="Fewer collections.", action_plan="Recover.")
    row = selectors.scorecard(kind="organisation", period=q2).rows[0]
    assert row.perspective_label == "Residents"
    assert (row.reference, row.name) == ("169", "Household waste recycled")
    assert row.metric_category_label == "Central government"
    assert row.frequency_label == "Quarterly"
    assert row.last_updated == "2025/26 Q2"
    assert row.target_display == "75%"
    assert row.direction_label == "Higher is better"
    assert (row.current_display, row.period_label) == ("68%", "2025/26 Q2")
    assert (row.previous_display, row.previous_label) == ("72.5%", "2025/26 Q1")
    assert row.change is trends.Change.DECLINED
    assert row.change_text == "↓ Declined (compared with 2025/26 Q1)"
    assert row.rating is Rating.RED
    assert row.trend is trends.Trend.WORSENING
    assert (row.commentary, row.action_plan) == ("Fewer collections.", "Recover.")
    assert row.forecast_text.startswith("Forecast for 2025/26 Q3: 63.5% (Red)")


def test_a_contextual_kpi_shows_contextual_for_target_and_rating(q2):
    kpi = KpiFactory(level=Kpi.Level.STRATEGIC, target_kind=Kpi.TargetKind.CONTEXTUAL)
    value(kpi, q2, 12)
    row = selectors.scorecard(kind="organisation", period=q2).rows[0]
    assert (row.target_display, row.rating) == ("Contextual", Rating.CONTEXTUAL)


def test_a_kpi_without_a_value_is_not_reported_and_says_so(q2):
    kpi = KpiFactory(level=Kpi.Level.STRATEGIC)
    target(kpi, 50)
    row = selectors.scorecard(kind="organisation", period=q2).rows[0]
    assert row.rating is Rating.NOT_REPORTED
    assert row.current_display == ""
    assert row.last_updated == ""
    assert row.change is trends.Change.NOT_COMPARABLE


def test_a_value_marked_not_available_is_not_reported(q2):
    kpi = KpiFactory(level=Kpi.Level.STRATEGIC)
    target(kpi, 50)
    Measurement.objects.create(
        kpi=kpi,
        period=q2,
        not_available=True,
        not_available_reason="System down",
        status="submitted",
    )
    row = selectors.scorecard(kind="organisation", period=q2).rows[0]
    assert (row.rating, row.current_display) == (Rating.NOT_REPORTED, "Not available")


def test_a_submitted_value_keeps_its_stored_rating(q2):
    kpi = KpiFactory(level=Kpi.Level.STRATEGIC)
    target(kpi, 50)
    value(kpi, q2, 40, status="approved", rating="amber")  # as reported, whatever the engine says
    assert selectors.scorecard(kind="organisation", period=q2).rows[0].rating is Rating.AMBER


def test_a_value_without_a_stored_rating_is_rated_by_the_engine(q2):
    kpi = KpiFactory(level=Kpi.Level.STRATEGIC)
    goal = target(kpi, 50)
    value(kpi, q2, 46, status="approved")
    row = selectors.scorecard(kind="organisation", period=q2).rows[0]
    expected = policy.rate_value(kpi, Decimal(46), goal, council=RagPolicy.current())
    assert row.rating is expected is Rating.AMBER
    assert not row.provisional


def test_a_submitted_value_is_shown_and_marked_provisional(q2):
    kpi = KpiFactory(level=Kpi.Level.STRATEGIC)
    target(kpi, 50)
    value(kpi, q2, 46, status="submitted", rating="amber", commentary="Checked.")
    row = selectors.scorecard(kind="organisation", period=q2).rows[0]
    assert (row.current_display, row.rating, row.commentary) == ("46%", Rating.AMBER, "Checked.")
    assert row.provisional
    assert row.value_status == "Provisional: submitted, not yet approved"


@pytest.mark.parametrize("status", ["draft", "returned"])
def test_work_in_progress_is_never_read_and_its_period_reads_as_not_reported(q2, status):
    q1 = period("quarter", 2025, 1)
    kpi = KpiFactory(level=Kpi.Level.STRATEGIC)
    target(kpi, 50)
    value(kpi, q1, 55, rating="green", commentary="Q1 approved.")
    value(
        kpi,
        q2,
        10,
        status=status,
        rating="red",
        commentary="Not yet agreed.",
        action_plan="Not yet agreed either.",
        returned_reason="Wrong figure." if status == "returned" else "",
    )
    card = selectors.scorecard(kind="organisation", period=q2)
    row = card.rows[0]
    assert (row.period_label, row.current, row.current_display) == ("2025/26 Q2", None, "")
    assert row.rating is Rating.NOT_REPORTED
    assert (row.commentary, row.action_plan, row.provisional) == ("", "", False)
    assert row.value_status == "Not reported"
    assert (row.previous_display, row.last_updated) == ("55%", "2025/26 Q1")
    assert card.not_reported.count == 1 and card.provisional_count == 0
    paged = selectors.scorecard(kind="organisation", period=q2, page_size=1)
    assert (paged.not_reported.count, paged.provisional_count) == (1, 0)


def test_a_kpis_own_tolerance_beats_the_council_policy(q2):
    kpi = KpiFactory(level=Kpi.Level.STRATEGIC, rag_amber_tolerance=Decimal(2))
    target(kpi, 50)
    value(kpi, q2, 46, status="submitted")  # 8% off: Amber by the council, Red by the KPI's 2%
    assert selectors.scorecard(kind="organisation", period=q2).rows[0].rating is Rating.RED


def test_statuses_without_a_performance_rating(q2):
    for n, status in enumerate(["suspended", "in_development", "baseline"]):
        kpi = KpiFactory(reference=str(n + 1), level=Kpi.Level.STRATEGIC, status=status)
        target(kpi, 50)
    ratings = [row.rating for row in selectors.scorecard(kind="organisation", period=q2).rows]
    assert ratings == [Rating.SUSPENDED, Rating.IN_DEVELOPMENT, Rating.BASELINE]


def test_a_monthly_kpi_on_a_quarterly_scorecard_shows_the_latest_month_with_a_value(q2):
    kpi = KpiFactory(level=Kpi.Level.STRATEGIC, frequency=Kpi.Frequency.MONTHLY)
    target(kpi, 50)
    june, july, august = (period("month", 2025, n) for n in (3, 4, 5))
    period("month", 2025, 6)  # September: no value yet
    value(kpi, june, 40)
    value(kpi, july, 52)
    value(kpi, august, 55)
    row = selectors.scorecard(kind="organisation", period=q2).rows[0]
    assert (row.period_label, row.current_display) == ("2025/26 Aug", "55%")
    assert (row.previous_label, row.previous_display) == ("2025/26 Jul", "52%")
    assert row.last_updated == "2025/26 Aug"
    assert row.forecast_label == "2025/26 Sep"


def test_an_annual_kpi_on_a_quarterly_scorecard_shows_the_last_complete_year(q2):
    kpi = KpiFactory(level=Kpi.Level.STRATEGIC, frequency=Kpi.Frequency.ANNUAL)
    target(kpi, 50, year=2024)
    value(kpi, period("year", 2024, 1), 61)
    row = selectors.scorecard(kind="organisation", period=q2).rows[0]
    assert (row.period_label, row.current_display, row.rating) == ("2024/25", "61%", Rating.GREEN)


# Summary, grouping and filters -------------------------------------------------------------------


def test_the_rag_summary_counts_and_percentages_follow_the_2022_report(q2):
    # The 2022 report: Blue 3 15%, Green 5 25%, Amber 3 15%, Red 3 15%, Contextual 0 0%,
    # Baseline 2 10%, In Development 4 20%, Suspended 0 0%, Total 20 100%.
    n = iter(range(1, 100))
    for rated, count in [("blue", 3), ("green", 5), ("amber", 3), ("red", 3)]:
        for _ in range(count):
            kpi = KpiFactory(reference=str(next(n)), level=Kpi.Level.STRATEGIC)
            value(kpi, q2, 1, rating=rated)
    for status, count in [("baseline", 2), ("in_development", 4)]:
        for _ in range(count):
            KpiFactory(reference=str(next(n)), level=Kpi.Level.STRATEGIC, status=status)
    KpiFactory(reference=str(next(n)), level=Kpi.Level.STRATEGIC)  # not reported
    card = selectors.scorecard(kind="organisation", period=q2)
    assert [(line.label, line.count, line.percent) for line in card.summary] == [
        ("Blue", 3, 15),
        ("Green", 5, 25),
        ("Amber", 3, 15),
        ("Red", 3, 15),
        ("Contextual", 0, 0),
        ("Baseline", 2, 10),
        ("In development", 4, 20),
        ("Suspended", 0, 0),
        ("Total", 20, 100),
    ]
    assert (card.not_reported.count, card.not_reported.percent) == (1, 5)
    assert card.kpi_count == 21


def test_the_rag_summary_says_how_many_ratings_are_provisional(q2):
    n = iter(range(1, 100))
    for rated, status in [
        ("red", "submitted"),
        ("red", "approved"),
        ("green", "submitted"),
        ("green", "approved"),
        ("green", "draft"),  # read as not reported
        ("amber", "returned"),  # read as not reported
    ]:
        kpi = KpiFactory(reference=str(next(n)), level=Kpi.Level.STRATEGIC)
        value(kpi, q2, 1, rating=rated, status=status)
    submitted_not_available = KpiFactory(reference=str(next(n)), level=Kpi.Level.STRATEGIC)
    Measurement.objects.create(
        kpi=submitted_not_available,
        period=q2,
        not_available=True,
        not_available_reason="System down",
        status="submitted",
    )
    for card in (
        selectors.scorecard(kind="organisation", period=q2),
        selectors.scorecard(kind="organisation", period=q2, page_size=2, rag=["red"]),
    ):
        lines = {line.label: (line.count, line.provisional) for line in card.summary}
        assert (lines["Red"], lines["Green"], lines["Amber"]) == ((2, 1), (2, 1), (0, 0))
        assert lines["Total"] == (4, 2)
        assert (card.not_reported.count, card.not_reported.provisional) == (3, 1)
        assert card.provisional_count == 3
        assert card.provisional_text == (
            "3 of 7 ratings are provisional: submitted, not yet approved."
        )


def test_provisional_words_count_in_the_singular_and_plural():
    assert selectors.provisional_words(1, 1) == (
        "1 of 1 rating is provisional: submitted, not yet approved."
    )
    assert selectors.provisional_words(0, 42) == (
        "0 of 42 ratings are provisional: submitted, not yet approved."
    )
    assert selectors.provisional_words(0, 0) == ""


def test_rows_are_grouped_by_perspective_in_natural_reference_order(q2):
    for reference, perspective in [("10", "corporate"), ("9", "residents"), ("2", "corporate")]:
        KpiFactory(reference=reference, level=Kpi.Level.STRATEGIC, perspective=perspective)
    card = selectors.scorecard(kind="organisation", period=q2)
    assert [(g.label, [r.reference for r in g.rows]) for g in card.groups] == [
        ("Residents", ["9"]),
        ("Corporate (staff)", ["2", "10"]),
    ]


def test_filters_by_rag_level_and_priority_leave_the_summary_whole(q2):
    ambition = PriorityFactory(number=3)
    red = KpiFactory(reference="1", level=Kpi.Level.STRATEGIC, priorities=[ambition])
    value(red, q2, 1, rating="red")
    green = KpiFactory(reference="2", level=Kpi.Level.CORPORATE)
    value(green, q2, 1, rating="green")
    by_rag = selectors.scorecard(kind="organisation", period=q2, rag=["red"])
    assert refs(by_rag) == ["1"]
    assert [line.count for line in by_rag.summary if line.label in ("Green", "Red")] == [1, 1]
    assert refs(selectors.scorecard(kind="organisation", period=q2, level=["corporate"])) == ["2"]
    assert refs(selectors.scorecard(kind="organisation", period=q2, priority=ambition.pk)) == ["1"]


# Trends, flags and forecasts ---------------------------------------------------------------------


def test_a_green_kpi_on_a_worsening_trend_is_flagged_green_but_declining():
    periods = quarters((2024, 3), 4)
    kpi = KpiFactory(level=Kpi.Level.STRATEGIC)
    target(kpi, 80, year=2024)
    target(kpi, 80, year=2025)
    series(kpi, periods, [95, 91, 87, 83], rating="green")
    row = selectors.scorecard(kind="organisation", period=periods[-1]).rows[0]
    assert row.assessment.green_but_declining
    assert row.flags == ["Green but declining"]


def test_three_reds_in_a_row_make_a_deep_dive_candidate_and_two_do_not():
    periods = quarters((2024, 3), 4)
    kpi = KpiFactory(reference="1", level=Kpi.Level.STRATEGIC)
    series(kpi, periods, [50, 40, 41, 40], rating="red")
    Measurement.objects.filter(kpi=kpi, period=periods[0]).update(rating="green")
    other = KpiFactory(reference="2", level=Kpi.Level.STRATEGIC)
    series(other, periods, [50, 50, 40, 40], rating="green")
    Measurement.objects.filter(kpi=other, period__in=periods[2:]).update(rating="red")
    first, second = selectors.scorecard(kind="organisation", period=periods[-1]).rows
    assert first.assessment.consistently_red and first.red_run == 3
    assert first.flags == ["Deep-dive candidate: red for 3 periods"]
    assert not second.assessment.consistently_red and second.flags == []


def test_an_unreported_quarter_does_not_break_a_run_of_reds():
    periods = quarters((2024, 4), 4)
    kpi = KpiFactory(level=Kpi.Level.STRATEGIC)
    series(kpi, periods, [40, None, 41, 40], rating="red")
    assert (
        selectors.scorecard(kind="organisation", period=periods[-1])
        .rows[0]
        .assessment.consistently_red
    )


def test_the_forecast_is_labelled_as_a_forecast_with_its_rating():
    periods = quarters((2024, 3), 4)
    kpi = KpiFactory(level=Kpi.Level.STRATEGIC)
    target(kpi, 75, year=2025)
    target(kpi, 75, year=2024)
    series(kpi, periods, [80, 78, 76, 74], rating="green")
    row = selectors.scorecard(kind="organisation", period=periods[-1]).rows[0]
    assert row.forecast == pytest.approx(72.0)
    assert row.forecast_text == "Forecast for 2025/26 Q3: 72% (Amber)"
    assert not row.forecast_from_last_year
    how_to_read = selectors.scorecard(kind="organisation", period=periods[-1]).how_to_read
    assert any(rule.startswith("Forecasts extend") for rule in how_to_read)


def test_a_seasonal_quarterly_kpi_with_a_year_and_a_half_of_values_gets_a_seasonal_forecast():
    periods = quarters((2024, 1), 6)
    kpi = KpiFactory(level=Kpi.Level.STRATEGIC, seasonal=True)
    series(kpi, periods, [10, 20, 30, 40, 12, 22])
    row = selectors.scorecard(kind="organisation", period=periods[-1]).rows[0]
    assert row.forecast_from_last_year
    assert row.forecast == pytest.approx(32.0)  # Q3 last year (30) + the average rise of 2
    assert row.compared_with == "2024/25 Q2, the same quarter last year"
    assert row.change is trends.Change.IMPROVED  # 22 against last year's Q2 20, not Q1's 12


def test_a_kpi_not_marked_seasonal_is_forecast_along_its_straight_line():
    periods = quarters((2024, 1), 6)
    kpi = KpiFactory(level=Kpi.Level.STRATEGIC)
    series(kpi, periods, [10, 20, 30, 40, 12, 22])
    row = selectors.scorecard(kind="organisation", period=periods[-1]).rows[0]
    assert not row.forecast_from_last_year and row.previous_label == "2025/26 Q1"


def test_a_kpi_with_an_annual_target_gets_a_projected_year_end_and_its_rating():
    periods = quarters((2025, 1), 2)
    kpi = KpiFactory(level=Kpi.Level.STRATEGIC, target_kind=Kpi.TargetKind.ANNUAL)
    target(kpi, 80, year=2025)
    series(kpi, periods, [70, 74], rating="red")
    row = selectors.scorecard(kind="organisation", period=periods[-1]).rows[0]
    assert row.year_end == pytest.approx(72.0)  # a percentage: the average so far
    assert row.year_end_text == "Projected year-end: 72% (Amber)"


# Queries -----------------------------------------------------------------------------------------


STATUSES = ("approved", "submitted", "draft", "returned")


def _bulk(count: int, periods) -> None:
    directorate = DirectorateFactory(short_name="BULK")
    kpis = Kpi.objects.bulk_create(
        Kpi(
            reference=f"B{n}",
            name=f"Bulk {n}",
            directorate=directorate,
            level=Kpi.Level.STRATEGIC,
            perspective=Kpi.Perspective.values[n % 2],
            metric_category=Kpi.MetricCategory.LOCAL_AUTHORITY,
            frequency=Kpi.Frequency.QUARTERLY if n % 3 else Kpi.Frequency.MONTHLY,
            unit=Kpi.Unit.PERCENT,
            direction=Kpi.Direction.HIGHER,
            indicator_type=Kpi.IndicatorType.LAGGING,
            target_kind=Kpi.TargetKind.ANNUAL,
            date_added=datetime.date(2024, 4, 1),
            rag_amber_tolerance=Decimal(5) if n % 4 == 0 else None,
        )
        for n in range(count)
    )
    Measurement.objects.bulk_create(
        Measurement(kpi=kpi, period=on, value=Decimal(50 + k), status=STATUSES[(n + k) % 4])
        for n, kpi in enumerate(kpis)
        for k, on in enumerate(periods)
    )
    from kpis.reporting.models import Target

    Target.objects.bulk_create(
        Target(kpi=kpi, financial_year=year, value=Decimal(60))
        for kpi in kpis
        for year in (2024, 2025)
    )


@pytest.mark.parametrize("kind", ["organisation", "directorate", "committee"])
def test_a_scorecard_takes_the_same_number_of_queries_for_10_and_200_kpis(kind):
    periods = quarters((2024, 1), 6) + [period("month", 2025, n) for n in (4, 5, 6)]
    committee = CommitteeFactory(short_name="ALL")
    counts = []
    for size in (10, 200):
        Measurement.objects.all().delete()
        CommitteeMembership.objects.all().delete()
        from kpis.reporting.models import Target

        Target.objects.all().delete()
        Kpi.objects.all().delete()
        _bulk(size, periods)
        CommitteeMembership.objects.bulk_create(
            CommitteeMembership(kpi=k, committee=committee, started_on=datetime.date(2024, 4, 1))
            for k in Kpi.objects.all()
        )
        directorate = Kpi.objects.first().directorate
        RagPolicy.current()
        with CaptureQueriesContext(connection) as queries:
            card = selectors.scorecard(
                kind=kind, period=periods[5], directorate=directorate, committee=committee
            )
        assert len(card.rows) == size
        counts.append(len(queries))
        with CaptureQueriesContext(connection) as queries:
            card = selectors.scorecard(
                kind=kind,
                period=periods[5],
                directorate=directorate,
                committee=committee,
                page_size=7,
                page=2,
            )
        assert len(card.rows) == 3 if size == 10 else 7
        counts.append(len(queries))
    assert counts[0] == counts[2] <= 5
    assert counts[1] == counts[3] <= 8


def test_kpis_in_any_of_the_councils_units_with_their_own_decimals_cost_no_more_queries(q2, gp):
    """Figures are written from the units held in memory (kpis.register.units): however many
    units and decimal places the rows use, the scorecard asks the database the same five times."""
    services.unit_save(unit=Unit(code="mwh", name="Megawatt hours", suffix="MWh"), by=gp)
    unit_table.all()  # this process reads the table again once after a save, not per scorecard
    RagPolicy.current()  # the first call creates the council's policy
    written = {
        ("mwh", 2): "12.00 MWh",
        ("tonnes_co2e", None): "12 tCO2e",
        ("money", 0): "£12",
        ("percent", 1): "12.0%",
        ("days", None): "12 days",
    }
    counts = []
    for kpis in (
        [KpiFactory(level=Kpi.Level.STRATEGIC)],
        [
            KpiFactory(level=Kpi.Level.STRATEGIC, unit=unit, decimals=decimals)
            for unit, decimals in written
        ]
        + [KpiFactory(level=Kpi.Level.STRATEGIC, unit=unit.code) for unit in Unit.objects.all()],
    ):
        for kpi in kpis:
            value(kpi, q2, 12, status="approved")
        with CaptureQueriesContext(connection) as queries:
            card = selectors.scorecard(kind="organisation", period=q2)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 5
    rows = {row.reference: row for row in card.rows}
    for kpi, text in zip(kpis, written.values(), strict=False):
        assert rows[kpi.reference].current_display == text


def test_a_page_number_out_of_range_or_malformed_gives_the_nearest_page(q2):
    for n in range(5):
        value(
            KpiFactory(level=Kpi.Level.STRATEGIC, reference=str(n + 1)), q2, n, status="submitted"
        )
    last = selectors.scorecard(kind="organisation", period=q2, page_size=2, page=99)
    assert (last.page.number, refs(last)) == (3, ["5"])
    first = selectors.scorecard(kind="organisation", period=q2, page_size=2, page="x")
    assert (first.page.number, refs(first), first.row_count) == (1, ["1", "2"], 5)


def test_rows_from_the_fast_fetch_match_the_orm(q2):
    kpi = KpiFactory(level=Kpi.Level.STRATEGIC)
    target(kpi, 50)
    value(kpi, q2, "12345.6789", status="submitted", commentary="Ünïcode & <b>", action_plan="Plan")
    row = selectors.scorecard(kind="organisation", period=q2).rows[0]
    stored = Measurement.objects.get(kpi=kpi)
    assert row.current == stored.value
    assert (row.commentary, row.action_plan) == (stored.commentary, stored.action_plan)


# Choosing --------------------------------------------------------------------------------------


def test_the_latest_quarter_with_values_is_the_default(q2):
    q3 = period("quarter", 2025, 3)
    assert selectors.latest_period_with_values() is None
    value(KpiFactory(), q2, 5)
    assert selectors.latest_period_with_values() == q2
    value(KpiFactory(), q3, 5, status="draft")  # drafts are nobody's values but their owner's
    assert selectors.latest_period_with_values() == q2
    value(KpiFactory(), q3, 5, status="submitted")
    assert selectors.latest_period_with_values() == q3


def test_specs_and_labels_resolve_or_explain(q2):
    directorate = DirectorateFactory(short_name="P&S")
    assert selectors.resolve_spec("organisation") == ("organisation", None, None)
    assert selectors.resolve_spec("directorate:p&s")[1] == directorate
    assert selectors.period_by_label("2025/26 Q2") == q2
    with pytest.raises(ValueError, match="no directorate"):
        selectors.resolve_spec("directorate:XYZ")
    with pytest.raises(ValueError, match="not a scorecard"):
        selectors.resolve_spec("team:1")
    with pytest.raises(ValueError, match="no reporting period"):
        selectors.period_by_label("2019/20 Q1")
