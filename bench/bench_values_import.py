"""Importing 100,000 historic values from one XLSX (2,000 KPIs × 50 closed quarters)."""

import datetime
import io

from bench.harness import Result, summarise, time_it

KPI_COUNT = 2000
QUARTERS = 50
TARGET_MS = 30_000


def _build(kpi_count: int, quarters: int):
    """KPIs, closed quarterly periods and a year's target for each KPI; returns the G&P user."""
    from django.contrib.auth.models import Group

    from kpis.register.models import Directorate, Kpi, Service
    from kpis.reporting import periods as fy
    from kpis.reporting.models import ReportingPeriod, Target
    from pmf.models import User
    from pmf.roles import Role

    user = User.objects.filter(username="bench-gp").first()
    if user is None:
        user = User.objects.create_user("bench-gp", password="bench-password-123")
        user.groups.add(Group.objects.get(name=Role.GP.value))
    directorate, _ = Directorate.objects.get_or_create(name="Bench values", short_name="BV")
    service, _ = Service.objects.get_or_create(directorate=directorate, name="Bench service")
    existing = set(Kpi.objects.values_list("reference", flat=True))
    Kpi.objects.bulk_create(
        Kpi(
            reference=f"V{n}",
            name=f"Historic indicator {n}",
            directorate=directorate,
            service=service,
            level=Kpi.Level.OPERATIONAL,
            perspective=Kpi.Perspective.RESIDENTS,
            metric_category=Kpi.MetricCategory.LOCAL_AUTHORITY,
            frequency=Kpi.Frequency.QUARTERLY,
            unit=Kpi.Unit.PERCENT,
            direction=Kpi.Direction.HIGHER,
            indicator_type=Kpi.IndicatorType.LAGGING,
            target_kind=Kpi.TargetKind.ANNUAL,
            date_added=datetime.date(2010, 4, 1),
        )
        for n in range(kpi_count)
        if f"V{n}" not in existing
    )
    first_year = 2012
    specs = [fy.period_spec("quarter", first_year + q // 4, q % 4 + 1) for q in range(quarters)]
    stored = set(ReportingPeriod.objects.values_list("kind", "financial_year", "number"))
    ReportingPeriod.objects.bulk_create(
        ReportingPeriod(
            kind=s.kind,
            financial_year=s.financial_year,
            number=s.number,
            starts_on=s.starts_on,
            ends_on=s.ends_on,
            state=ReportingPeriod.State.CLOSED,
        )
        for s in specs
        if (s.kind, s.financial_year, s.number) not in stored
    )
    kpis = list(Kpi.objects.filter(reference__startswith="V"))
    years = sorted({s.financial_year for s in specs})
    if not Target.objects.filter(kpi__in=kpis[:1]).exists():
        Target.objects.bulk_create(
            Target(kpi=kpi, financial_year=year, value=75) for kpi in kpis for year in years
        )
    return user, kpis, specs


def _workbook(kpis, specs) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Values")
    sheet.append(["reference", "period", "value", "commentary"])
    labels = [f"{s.financial_year}/{(s.financial_year + 1) % 100:02d} Q{s.number}" for s in specs]
    for i, kpi in enumerate(kpis):
        for j, label in enumerate(labels):
            value = round(50 + (i * 7 + j * 13) % 500 / 10, 1)
            sheet.append([kpi.reference, label, value, "Loaded from the old spreadsheet."])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def values_import_100k() -> list[Result]:
    from kpis.reporting.io import values_import
    from kpis.reporting.models import Measurement

    user, kpis, specs = _build(KPI_COUNT, QUARTERS)
    data = _workbook(kpis, specs)
    rows = len(kpis) * len(specs)
    outcome = {}

    def run() -> None:
        outcome["result"] = values_import(
            data=data, filename="historic.xlsx", by=user, apply=True, historic=True
        )

    timings = time_it(run, repeat=1, warmup=0)
    result = outcome["result"]
    if not result.applied or result.counts["new"] != rows:
        raise RuntimeError(
            f"the import did not write every row: {result.counts} {result.errors[:3]}"
        )
    history = Measurement.history.count()
    note = f"{rows:,} rows, {len(data) / 1e6:.1f} MB XLSX, {history:,} history rows"
    return [
        summarise(f"values import, {rows:,} historic values from XLSX", timings, TARGET_MS, note)
    ]


BENCHMARKS = [values_import_100k]
