"""The register page with 2,000 KPIs, and its export."""

import datetime

from bench.harness import Result, summarise, time_it

KPI_COUNT = 2000


def _build_register(count: int):
    from django.contrib.auth.models import Group

    from kpis.register.models import (
        Committee,
        CommitteeMembership,
        Directorate,
        Kpi,
        Priority,
        Service,
    )
    from pmf.models import User
    from pmf.roles import Role

    if Kpi.objects.count() >= count:
        return User.objects.get(username="bench-officer")
    user = User.objects.create_user("bench-officer", password="bench-password-123")
    user.groups.add(Group.objects.get(name=Role.OFFICER.value))
    directorates = [
        Directorate.objects.create(name=f"Directorate {n}", short_name=f"D{n}") for n in range(5)
    ]
    services = [
        Service.objects.create(directorate=d, name=f"Service {d.pk}-{n}")
        for d in directorates
        for n in range(6)
    ]
    priorities = [Priority.objects.create(number=n, name=f"Ambition {n}") for n in range(1, 8)]
    committees = [
        Committee.objects.create(name=f"Committee {n}", short_name=f"C{n}", kind="strategic")
        for n in range(8)
    ]
    kpis = Kpi.objects.bulk_create(
        Kpi(
            reference=str(1000 + n),
            name=f"Indicator {n} of residents' outcomes",
            description="A benchmark indicator.",
            directorate=services[n % len(services)].directorate,
            service=services[n % len(services)],
            lead_officer=user,
            level=Kpi.Level.values[n % 3],
            perspective=Kpi.Perspective.RESIDENTS,
            metric_category=Kpi.MetricCategory.LOCAL_AUTHORITY,
            frequency=Kpi.Frequency.QUARTERLY,
            unit=Kpi.Unit.PERCENT,
            direction=Kpi.Direction.HIGHER,
            indicator_type=Kpi.IndicatorType.LAGGING,
            target_kind=Kpi.TargetKind.ANNUAL,
            date_added=datetime.date(2024, 4, 1),
        )
        for n in range(count)
    )
    Kpi.priorities.through.objects.bulk_create(
        Kpi.priorities.through(kpi_id=k.pk, priority_id=priorities[i % 7].pk)
        for i, k in enumerate(kpis)
    )
    CommitteeMembership.objects.bulk_create(
        CommitteeMembership(kpi=k, committee=committees[i % 8], started_on=k.date_added)
        for i, k in enumerate(kpis)
    )
    return user


def register_page() -> list[Result]:
    from django.test import Client
    from django.urls import reverse

    user = _build_register(KPI_COUNT)
    client = Client()
    client.force_login(user)
    url = reverse("kpis:register")
    results = []
    for label, query in [
        ("first page", {}),
        ("sorted by lead officer, page 20", {"sort": "lead_officer", "page": 20}),
        ("filtered by committee and text", {"committee": 1, "q": "residents"}),
    ]:
        timings = time_it(lambda q=query: client.get(url, q), repeat=30)
        results.append(
            summarise(f"register page, {KPI_COUNT:,} KPIs, {label}", timings, 200, "server side")
        )
    return results


def register_export() -> list[Result]:
    from kpis.register.io import register_export_csv, register_export_xlsx
    from kpis.register.models import Kpi

    _build_register(KPI_COUNT)
    kpis = Kpi.objects.all()
    return [
        summarise(
            f"register export CSV, {KPI_COUNT:,} KPIs",
            time_it(lambda: register_export_csv(kpis), repeat=5),
            None,
        ),
        summarise(
            f"register export XLSX, {KPI_COUNT:,} KPIs",
            time_it(lambda: register_export_xlsx(kpis), repeat=5),
            None,
        ),
    ]


BENCHMARKS = [register_page, register_export]
