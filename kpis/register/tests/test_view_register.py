import pytest
from django.urls import reverse

from kpis.register.models import Kpi
from kpis.register.tests.factories import (
    CommitteeFactory,
    KpiFactory,
    PriorityFactory,
    ServiceFactory,
)

URL = reverse("kpis:register")


def test_anonymous_user_is_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_every_role_can_browse_the_register(client, owner, approver, gp, clerk, viewer):
    KpiFactory(name="Household waste recycled")
    for user in (owner, approver, gp, clerk, viewer):
        client.force_login(user)
        response = client.get(URL)
        assert response.status_code == 200
        assert "Household waste recycled" in response.content.decode()


def test_a_user_without_a_role_is_refused(client, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="x-long-password-1")
    client.force_login(nobody)
    assert client.get(URL).status_code == 403


def test_only_gp_see_the_register_keeping_links(client, owner, gp):
    client.force_login(owner)
    assert reverse("kpis:create") not in client.get(URL).content.decode()
    client.force_login(gp)
    assert reverse("kpis:create") in client.get(URL).content.decode()


@pytest.mark.parametrize(
    ("query", "expected", "excluded"),
    [
        ({"q": "pothole"}, "Potholes repaired", "Library visits"),
        ({"level": "strategic"}, "Potholes repaired", "Library visits"),
        ({"status": "retired"}, "Library visits", "Potholes repaired"),
        ({"frequency": "monthly"}, "Library visits", "Potholes repaired"),
    ],
)
def test_it_filters_by_field(client, owner, query, expected, excluded):
    KpiFactory(name="Potholes repaired in time", level=Kpi.Level.STRATEGIC)
    KpiFactory(
        name="Library visits",
        frequency=Kpi.Frequency.MONTHLY,
        status=Kpi.Status.RETIRED,
        date_removed="2025-03-31",
    )
    client.force_login(owner)
    body = client.get(URL, query).content.decode()
    assert expected in body
    assert excluded not in body


def test_it_filters_by_directorate_service_priority_and_committee(client, owner):
    service = ServiceFactory(name="Highways")
    ambition = PriorityFactory(number=2, name="Travel across the county is safer")
    committee = CommitteeFactory(short_name="HT", name="Highways and Transport")
    KpiFactory(
        name="Potholes repaired in time",
        directorate=service.directorate,
        service=service,
        priorities=[ambition],
        committees=[committee],
    )
    KpiFactory(name="Library visits")
    client.force_login(owner)
    for query in (
        {"directorate": service.directorate.pk},
        {"service": service.pk},
        {"priority": ambition.pk},
        {"committee": committee.pk},
    ):
        body = client.get(URL, query).content.decode()
        assert "Potholes repaired in time" in body, query
        assert "Library visits" not in body, query


def test_it_sorts_by_a_column(client, owner):
    KpiFactory(reference="300", name="Alpha indicator")
    KpiFactory(reference="100", name="Zulu indicator")
    client.force_login(owner)
    body = client.get(URL, {"sort": "-name"}).content.decode()
    assert body.index("Zulu indicator") < body.index("Alpha indicator")
    body = client.get(URL, {"sort": "reference"}).content.decode()
    assert body.index("Zulu indicator") < body.index("Alpha indicator")


def test_it_paginates(client, owner, settings):
    settings.REGISTER_PAGE_SIZE = 10
    KpiFactory.create_batch(25)
    client.force_login(owner)
    body = client.get(URL).content.decode()
    assert "Showing 1 to 10 of 25" in body
    assert "Showing 21 to 25 of 25" in client.get(URL, {"page": 3}).content.decode()


@pytest.mark.parametrize("rows", [10, 500])
def test_its_query_count_does_not_grow_with_kpis(
    client, owner, rows, django_assert_max_num_queries
):
    KpiFactory.create_batch(rows)
    client.force_login(owner)
    with django_assert_max_num_queries(12):
        response = client.get(URL, {"sort": "lead_officer"})
    assert response.status_code == 200
