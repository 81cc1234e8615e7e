from django.urls import reverse

from kpis.tests.factories import CommitteeFactory, KpiFactory, PriorityFactory


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
    with django_assert_max_num_queries(12):
        assert client.get(kpi.get_absolute_url()).status_code == 200
