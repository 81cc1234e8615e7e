"""The officer's "My KPIs this period" page with 15 KPIs: under 150 ms, constant queries."""

import datetime
from decimal import Decimal

from bench.harness import Result, summarise, time_it

KPI_COUNT = 15


def _build_entry(count: int):
    from django.contrib.auth.models import Group

    from kpis.register.models import Directorate, Kpi
    from kpis.reporting.models import Measurement, ReportingPeriod, Target
    from kpis.reporting.periods import period_spec
    from pmf.models import User
    from pmf.roles import Role

    existing = User.objects.filter(username="bench-entry-officer").first()
    if existing:
        return existing
    user = User.objects.create_user("bench-entry-officer", password="bench-password-123")
    user.groups.add(Group.objects.get(name=Role.OFFICER.value))
    directorate, _ = Directorate.objects.get_or_create(
        name="Bench entry directorate", short_name="BENCH-E"
    )
    periods = {}
    for number, state in ((1, "locked"), (2, "open")):
        spec = period_spec("quarter", 2025, number)
        periods[number], _ = ReportingPeriod.objects.get_or_create(
            kind="quarter",
            financial_year=2025,
            number=number,
            defaults={
                "starts_on": spec.starts_on,
                "ends_on": spec.ends_on,
                "state": state,
                "submission_deadline": spec.ends_on + datetime.timedelta(days=20),
                "signoff_deadline": spec.ends_on + datetime.timedelta(days=30),
            },
        )
    kpis = Kpi.objects.bulk_create(
        Kpi(
            reference=f"E{n}",
            name=f"Entry benchmark indicator {n}",
            directorate=directorate,
            lead_officer=user,
            level=Kpi.Level.OPERATIONAL,
            perspective=Kpi.Perspective.RESIDENTS,
            metric_category=Kpi.MetricCategory.LOCAL_AUTHORITY,
            frequency=Kpi.Frequency.QUARTERLY,
            unit=Kpi.Unit.PERCENT,
            direction=Kpi.Direction.HIGHER,
            indicator_type=Kpi.IndicatorType.LAGGING,
            target_kind=Kpi.TargetKind.ANNUAL,
            numerator_label="Done on time" if n % 5 == 0 else "",
            denominator_label="All" if n % 5 == 0 else "",
            date_added=datetime.date(2024, 4, 1),
        )
        for n in range(count)
    )
    Target.objects.bulk_create(Target(kpi=k, financial_year=2025, value=Decimal(70)) for k in kpis)
    statuses = ["approved"] * count
    Measurement.objects.bulk_create(
        Measurement(kpi=k, period=periods[1], value=Decimal(60 + n), status=s, rating="red")
        for n, (k, s) in enumerate(zip(kpis, statuses, strict=True))
    )
    mix = ["draft", "submitted", "returned", None]
    Measurement.objects.bulk_create(
        Measurement(
            kpi=k,
            period=periods[2],
            value=Decimal(65 + n),
            status=mix[n % 4],
            rating="amber",
            commentary="Commentary for the committee. " * 5,
            returned_reason="Check the figure" if mix[n % 4] == "returned" else "",
            version=1,
        )
        for n, k in enumerate(kpis)
        if mix[n % 4]
    )
    return user


def entry_page() -> list[Result]:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    user = _build_entry(KPI_COUNT)
    client = Client()
    client.force_login(user)
    url = reverse("entry:my_kpis")
    assert client.get(url).status_code == 200  # warm up: session, templates
    queries = []
    with connection.execute_wrapper(
        lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)
    ):
        client.get(url)
    timings = time_it(lambda: client.get(url), repeat=30)
    return [
        summarise(
            f"my KPIs entry page, {KPI_COUNT} KPIs",
            timings,
            150,
            f"server side, {len(queries)} queries",
        )
    ]


BENCHMARKS = [entry_page]
