import pytest
from django.urls import reverse

from kpis.register.tests.factories import (
    CommitteeFactory,
    DirectorateFactory,
    KpiFactory,
    PriorityFactory,
)


def test_it_shows_every_register_field(client, owner):
    kpi = KpiFactory(
        reference="217",
        name="Households in temporary accommodation",
        definition="Households placed in temporary accommodation at the quarter end.",
        calculation="Count on the last day of the quarter.",
        rationale="Replaces KPI 189.",
        data_source="Housing case management system",
        benchmark="CIPFA nearest neighbours",
        priorities=[PriorityFactory(number=5, name="People are helped out of poverty")],
        committees=[CommitteeFactory(name="Communities, Social Mobility and Inclusion")],
        lead_officer=owner,
    )
    client.force_login(owner)
    body = client.get(kpi.get_absolute_url()).content.decode()
    for text in (
        "217",
        "Households in temporary accommodation",
        "Count on the last day of the quarter.",
        "Replaces KPI 189.",
        "Housing case management system",
        "CIPFA nearest neighbours",
        "People are helped out of poverty",
        "Communities, Social Mobility and Inclusion",
        "Direction for improvement",
        "Higher is better",
        "Leading or lagging",
        "Metric category",
        "Perspective",
        "Reporting frequency",
        "Date added",
        "Change history",
    ):
        assert text in body, text


def test_commentary_like_text_is_escaped(client, owner):
    kpi = KpiFactory(description='<script>alert("x")</script>')
    client.force_login(owner)
    body = client.get(kpi.get_absolute_url()).content.decode()
    assert '<script>alert("x")</script>' not in body
    assert "&lt;script&gt;" in body


def test_an_unknown_reference_is_404(client, owner):
    client.force_login(owner)
    assert client.get(reverse("kpis:detail", args=["999999"])).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, db):
    kpi = KpiFactory()
    response = client.get(kpi.get_absolute_url())
    assert response.status_code == 302
    assert reverse("login") in response.url


def test_its_query_count_is_fixed(client, owner, django_assert_max_num_queries):
    kpi = KpiFactory(priorities=[PriorityFactory(number=n) for n in (1, 2, 3)])
    client.force_login(owner)
    with django_assert_max_num_queries(19):
        assert client.get(kpi.get_absolute_url()).status_code == 200


def test_the_history_names_the_priorities_that_changed(client, gp):
    from kpis.register.services import kpi_save

    first, second = PriorityFactory(number=1, name="Net zero"), PriorityFactory(number=2)
    kpi = KpiFactory(priorities=[first])
    kpi_save(kpi=kpi, by=gp, priorities=[first, second], committees=[])
    client.force_login(gp)
    body = client.get(kpi.get_absolute_url()).content.decode()
    assert "Net zero; Ambition 2" in body


def test_the_history_names_a_new_directorate_not_its_id(client, gp):
    from kpis.register.services import kpi_save

    kpi = KpiFactory(directorate__name="Place and Sustainability")
    kpi.directorate = DirectorateFactory(name="Finance and Resources")
    kpi.service = None
    kpi_save(kpi=kpi, by=gp, priorities=[], committees=[])
    client.force_login(gp)
    body = client.get(kpi.get_absolute_url()).content.decode()
    assert "Place and Sustainability</del>" in body
    assert "Finance and Resources</ins>" in body


def test_its_query_count_does_not_grow_with_history(client, gp, django_assert_max_num_queries):
    from kpis.register.services import kpi_save

    kpi = KpiFactory()
    for n in range(10):
        kpi.name = f"Renamed {n}"
        kpi_save(kpi=kpi, by=gp, priorities=[], committees=[])
    client.force_login(gp)
    with django_assert_max_num_queries(19):
        assert client.get(kpi.get_absolute_url()).status_code == 200


# Work in progress: only for those who work on the KPI's values --------------------------------


@pytest.fixture
def worked_on(directorate, owner, approver, gp):
    """KPI 169 with an approved, a provisional (submitted), a returned and a draft value, each
    made through the services, so their histories are real."""
    import datetime
    from decimal import Decimal

    from kpis.reporting import services
    from kpis.reporting.models import ReportingPeriod
    from pmf.roles import system_actor

    kpi = KpiFactory(reference="169", directorate=directorate, lead_officer=owner)
    services.periods_create_for_year(financial_year=2025, by=system_actor())
    quarters = {
        n: ReportingPeriod.objects.get(kind="quarter", financial_year=2025, number=n)
        for n in (1, 2, 3, 4)
    }
    for period in quarters.values():
        services.period_open(
            period=period,
            by=gp,
            submission_deadline=period.ends_on + datetime.timedelta(days=20),
            signoff_deadline=period.ends_on + datetime.timedelta(days=30),
        )

    def save(n, value, commentary, *, submit):
        entry = services.Entry(value=Decimal(value), commentary=commentary, action_plan="Plan")
        return services.measurement_save(
            kpi=kpi, period=quarters[n], by=owner, entry=entry, expected_version=None, submit=submit
        )

    approved = save(1, "71", "APPROVED-TEXT", submit=True)
    services.measurement_approve(
        measurement=approved, by=approver, expected_version=approved.version
    )
    save(2, "72", "PROVISIONAL-TEXT", submit=True)
    returned = save(3, "63", "RETURNED-TEXT", submit=True)
    services.measurement_return(
        measurement=returned, by=approver, expected_version=returned.version, reason="RETURN-REASON"
    )
    save(4, "14", "DRAFT-TEXT", submit=False)
    return kpi


HIDDEN_FROM_READERS = ("RETURNED-TEXT", "RETURN-REASON", "DRAFT-TEXT", "Saved as draft")


@pytest.mark.parametrize("who", ["viewer", "clerk", "outsider"])
def test_readers_never_see_drafts_returned_values_or_return_reasons(
    client, worked_on, who, request
):
    client.force_login(request.getfixturevalue(who))
    body = client.get(worked_on.get_absolute_url()).content.decode()
    assert "APPROVED-TEXT" in body and "PROVISIONAL-TEXT" in body
    assert "Provisional: submitted, not yet approved" in body
    assert "Values still being worked on are not shown." in body
    for hidden in HIDDEN_FROM_READERS:
        assert hidden not in body, hidden
    assert ">Returned<" not in body and ">Draft<" not in body


@pytest.mark.parametrize("who", ["owner", "approver", "gp"])
def test_those_who_work_on_its_values_see_them_all(client, worked_on, who, request):
    client.force_login(request.getfixturevalue(who))
    body = client.get(worked_on.get_absolute_url()).content.decode()
    for shown in ("APPROVED-TEXT", "PROVISIONAL-TEXT", *HIDDEN_FROM_READERS):
        assert shown in body, shown


def test_a_readers_page_takes_no_more_queries(
    client, worked_on, viewer, django_assert_max_num_queries
):
    client.force_login(viewer)
    with django_assert_max_num_queries(19):
        assert client.get(worked_on.get_absolute_url()).status_code == 200
