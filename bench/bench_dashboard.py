"""G&P's completion dashboard for one open quarter with 2,000 KPIs in a mix of statuses."""

import datetime

from bench.bench_register import KPI_COUNT, _build_register
from bench.harness import Result, summarise, time_it

STATUSES = [None, "draft", "submitted", "approved", "returned"]


def _build_period():
    from django.contrib.auth.models import Group

    from kpis.register.models import Kpi
    from kpis.reporting.models import Measurement, Reminder, ReportingPeriod
    from pmf.models import User
    from pmf.roles import Role

    owner = _build_register(KPI_COUNT)
    period, created = ReportingPeriod.objects.get_or_create(
        kind="quarter",
        financial_year=2025,
        number=3,
        defaults={
            "starts_on": datetime.date(2025, 10, 1),
            "ends_on": datetime.date(2025, 12, 31),
            "state": ReportingPeriod.State.OPEN,
            "submission_deadline": datetime.date(2026, 1, 20),
            "signoff_deadline": datetime.date(2026, 1, 31),
        },
    )
    gp = User.objects.filter(username="bench-gp").first()
    if not created:
        return gp, period
    gp = User.objects.create_user("bench-gp", password="bench-password-123")
    gp.groups.add(Group.objects.get(name=Role.GP.value))
    kpis = list(Kpi.objects.order_by("pk"))
    Measurement.objects.bulk_create(
        Measurement(kpi=kpi, period=period, status=STATUSES[n % 5], value=50)
        for n, kpi in enumerate(kpis)
        if STATUSES[n % 5]
    )
    reminder = Reminder.objects.create(kind="chase", period=period, recipient=owner, sent_by=gp)
    reminder.kpis.set(kpis[::5])
    return gp, period


def completion_dashboard() -> list[Result]:
    from django.test import Client
    from django.urls import reverse

    from kpis.reporting.selectors import completion_dashboard as dashboard_data

    gp, period = _build_period()
    client = Client()
    client.force_login(gp)
    url = reverse("reporting:dashboard", args=[period.pk])
    results = []
    for label, query in [
        ("all KPIs", {}),
        ("one directorate", {"directorate": period.measurements.first().kpi.directorate_id}),
        ("overdue only", {"status": "overdue"}),
        ("all KPIs sorted by last reminded, page 5", {"sort": "-last_reminded", "page": 5}),
    ]:
        response = client.get(url, query)
        assert response.status_code == 200, response.status_code
        filters = {key: query[key] for key in ("directorate", "status") if key in query}
        rows = len(dashboard_data(period, **filters)["rows"])
        timings = time_it(lambda q=query: client.get(url, q), repeat=20)
        results.append(
            summarise(
                f"completion dashboard, {KPI_COUNT:,} KPIs, {label}",
                timings,
                150,
                f"server side, {rows:,} matching rows, 100 a page",
            )
        )
    return results


BENCHMARKS = [completion_dashboard]
