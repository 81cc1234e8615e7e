"""The organisational scorecard for 2,000 KPIs with 40 quarters of history, and one KPI chart.

Run with `python bench/run.py scorecard chart` once bench.bench_scorecards is in run.py's MODULES,
or directly: `python -m bench.bench_scorecards`.
"""

import datetime
import random
import statistics
import time
from decimal import Decimal

from bench.harness import Result, summarise, time_it

KPI_COUNT = 2000
QUARTERS = 40  # 2016/17 Q1 … 2025/26 Q4
FIRST_YEAR = 2016


def _build(count: int):
    """2,000 corporate and strategic quarterly KPIs, 40 quarters of rated values; built once."""
    from django.contrib.auth.models import Group

    from kpis import rating
    from kpis.register.models import Directorate, Kpi
    from kpis.reporting.models import Measurement, ReportingPeriod, Target
    from kpis.reporting.periods import period_spec
    from pmf.models import User
    from pmf.roles import Role

    last = ReportingPeriod.objects.filter(kind="quarter").order_by("-starts_on").first()
    if Kpi.objects.count() >= count and last is not None:
        return User.objects.get(username="bench-viewer"), last
    user = User.objects.create_user("bench-viewer", password="bench-password-123")
    user.groups.add(Group.objects.get(name=Role.VIEWER.value))
    directorates = [
        Directorate.objects.create(name=f"Scorecard directorate {n}", short_name=f"SD{n}")
        for n in range(5)
    ]
    periods = []
    for k in range(QUARTERS):
        year, number = FIRST_YEAR + k // 4, k % 4 + 1
        spec = period_spec("quarter", year, number)
        periods.append(
            ReportingPeriod(
                kind="quarter",
                financial_year=year,
                number=number,
                starts_on=spec.starts_on,
                ends_on=spec.ends_on,
                state=ReportingPeriod.State.LOCKED,
            )
        )
    periods = ReportingPeriod.objects.bulk_create(periods)
    kpis = Kpi.objects.bulk_create(
        Kpi(
            reference=str(5000 + n),
            name=f"Scorecard indicator {n}",
            directorate=directorates[n % 5],
            level=(Kpi.Level.STRATEGIC, Kpi.Level.CORPORATE)[n % 2],
            perspective=Kpi.Perspective.values[n % 2],
            metric_category=Kpi.MetricCategory.LOCAL_AUTHORITY,
            frequency=Kpi.Frequency.QUARTERLY,
            unit=Kpi.Unit.PERCENT,
            direction=Kpi.Direction.values[n % 2],
            indicator_type=Kpi.IndicatorType.LAGGING,
            target_kind=Kpi.TargetKind.ANNUAL,
            date_added=datetime.date(FIRST_YEAR, 4, 1),
        )
        for n in range(count)
    )
    rng = random.Random(2026)
    targets, values = [], []
    for kpi in kpis:
        goal = rng.uniform(40, 90)
        for year in range(FIRST_YEAR, FIRST_YEAR + QUARTERS // 4):
            targets.append(Target(kpi=kpi, financial_year=year, value=Decimal(f"{goal:.2f}")))
        level, slope = rng.uniform(30, 95), rng.uniform(-0.5, 0.5)
        for k, on in enumerate(periods):
            amount = Decimal(f"{max(0.0, min(100.0, level + slope * k + rng.gauss(0, 2))):.2f}")
            rated = rating.rate(amount, Decimal(f"{goal:.2f}"), direction=kpi.direction)
            values.append(
                Measurement(
                    kpi=kpi,
                    period=on,
                    value=amount,
                    status="approved",
                    rating=rated.value,
                    commentary="Performance this quarter, with the reasons for it.",
                )
            )
    Target.objects.bulk_create(targets, batch_size=5000)
    Measurement.objects.bulk_create(values, batch_size=5000)
    return user, periods[-1]


def organisational_scorecard() -> list[Result]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from scorecards.selectors import scorecard

    user, period = _build(KPI_COUNT)
    page_size = settings.SCORECARD_PAGE_SIZE

    def page_of_it():
        return scorecard(kind="organisation", period=period, page_size=page_size, page=1)

    def whole():
        return scorecard(kind="organisation", period=period)

    whole()  # the first call creates the RAG policy row
    results = []
    for name, run, expected, target in (
        (f"first page ({page_size} rows, summary of all)", page_of_it, page_size, 300),
        ("every row (exports, packs)", whole, KPI_COUNT, None),
    ):
        with CaptureQueriesContext(connection) as queries:
            card = run()
        assert len(card.rows) == expected and card.kpi_count == KPI_COUNT, len(card.rows)
        cpu = []
        for _ in range(5):
            start = time.process_time()
            run()
            cpu.append((time.process_time() - start) * 1000)
        results.append(
            summarise(
                f"organisational scorecard selector, {KPI_COUNT:,} KPIs × {QUARTERS} quarters: "
                + name,
                time_it(run, repeat=10),
                target,
                f"{len(queries)} queries; CPU time {statistics.median(cpu):.0f} ms",
            )
        )
    client = Client()
    client.force_login(user)
    url = reverse("scorecards:organisation", args=[period.pk])
    assert client.get(url).status_code == 200
    results.append(
        summarise(
            f"organisational scorecard page (HTML), {KPI_COUNT:,} KPIs, {page_size} a page",
            time_it(lambda: client.get(url), repeat=10, warmup=1),
            300,
            "server side, whole response",
        )
    )
    export = reverse("scorecards:organisation_export", args=[period.pk, "csv"])
    results.append(
        summarise(
            f"organisational scorecard CSV export, {KPI_COUNT:,} KPIs",
            time_it(lambda: client.get(export), repeat=5, warmup=1),
            None,
            "server side",
        )
    )
    return results


def kpi_chart() -> list[Result]:
    from scorecards.charts import kpi_chart

    rng = random.Random(5)
    points = [
        (f"20{16 + k // 4}/{17 + k // 4} Q{k % 4 + 1}", rng.uniform(50, 90)) for k in range(12)
    ]
    targets = [75.0] * 8 + [80.0] * 4

    def draw():
        return kpi_chart(
            points,
            target=targets,
            forecast=("2019/20 Q1", 77.5),
            unit_label="Percentage (%)",
            title="KPI 169: Household waste recycled",
        )

    return [summarise("one KPI chart (SVG, 12 periods)", time_it(draw, repeat=200), 5)]


BENCHMARKS = [organisational_scorecard, kpi_chart]


if __name__ == "__main__":
    from bench.harness import print_table, setup_django

    setup_django()
    out = []
    for benchmark in BENCHMARKS:
        out.extend(benchmark())
    print_table(out)
