"""G&P keep the register: add, edit, suspend, reinstate and retire KPIs. Nobody else may."""

import pytest
from django.urls import reverse

from kpis.register.models import CommitteeMembership, Kpi
from kpis.register.tests.factories import (
    CommitteeFactory,
    DirectorateFactory,
    KpiFactory,
    PriorityFactory,
    ServiceFactory,
)


def _valid_post(in_service, **overrides) -> dict:
    data = {
        "reference": "250",
        "name": "Contract waivers submitted late",
        "description": "Waivers submitted after the contract started.",
        "directorate": in_service.directorate.pk,
        "service": in_service.pk,
        "level": "corporate",
        "perspective": "corporate",
        "metric_category": "local_authority",
        "frequency": "quarterly",
        "unit": "count",
        "direction": "lower",
        "value_basis": "period",
        "year_figure": "sum",
        "indicator_type": "lagging",
        "target_kind": "annual",
        "status": "live",
        "date_added": "2024-04-01",
    }
    data.update(overrides)
    return data


@pytest.fixture
def kpi(db):
    return KpiFactory(reference="169")


def _write_urls(kpi) -> list[str]:
    return [
        reverse("kpis:create"),
        reverse("kpis:edit", args=[kpi.reference]),
        reverse("kpis:change_status", args=[kpi.reference, "suspend"]),
        reverse("kpis:change_status", args=[kpi.reference, "retire"]),
        reverse("kpis:change_status", args=[kpi.reference, "reinstate"]),
        reverse("kpis:import"),
        reverse("kpis:structure_create", args=["directorate"]),
        reverse("kpis:structure_create", args=["service"]),
        reverse("kpis:structure_create", args=["priority"]),
        reverse("kpis:structure_edit", args=["directorate", kpi.directorate.pk]),
        reverse("kpis:structure_edit", args=["service", kpi.service.pk]),
        reverse("kpis:unit_create"),
        reverse("kpis:unit_edit", args=["percent"]),
    ]


def test_every_write_refuses_non_gp_users(client, kpi, owner, approver, clerk, viewer):
    for user in (owner, approver, clerk, viewer):
        client.force_login(user)
        for url in _write_urls(kpi):
            assert client.get(url).status_code == 403, (user, url)
            assert client.post(url, {"reason": "x", "name": "Hacked"}).status_code == 403, (
                user,
                url,
            )
    kpi.refresh_from_db()
    assert kpi.status == Kpi.Status.LIVE
    assert kpi.name != "Hacked"


def test_every_write_sends_anonymous_users_to_sign_in(client, kpi):
    for url in _write_urls(kpi):
        response = client.post(url, {"reason": "x"})
        assert response.status_code == 302, url
        assert reverse("login") in response.url


def test_gp_adds_a_kpi_with_priorities_and_committees(client, gp):
    service = ServiceFactory()
    ambition = PriorityFactory(number=6)
    committee = CommitteeFactory(short_name="AA")
    client.force_login(gp)
    response = client.post(
        reverse("kpis:create"),
        _valid_post(service, priorities=[ambition.pk], committees=[committee.pk]),
    )
    kpi = Kpi.objects.get(reference="250")
    assert response.status_code == 302
    assert response.url == kpi.get_absolute_url()
    assert list(kpi.priorities.all()) == [ambition]
    assert CommitteeMembership.objects.get(kpi=kpi, ended_on__isnull=True).committee == committee
    assert kpi.history.first().history_user == gp


def test_bad_input_is_shown_with_the_field_and_nothing_is_saved(client, gp):
    service = ServiceFactory()
    other_service = ServiceFactory(directorate=DirectorateFactory())
    client.force_login(gp)
    response = client.post(
        reverse("kpis:create"),
        _valid_post(service, name="", service=other_service.pk, unit="furlongs"),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Enter name" in body
    assert "furlongs is not one of the council&#x27;s units. Select one of: Days, " in body
    assert "Percentage (%), Rate per 1,000" in body
    assert 'href="#id_name"' in body
    assert not Kpi.objects.filter(reference="250").exists()


def test_a_service_from_another_directorate_is_refused(client, gp):
    service = ServiceFactory()
    other_service = ServiceFactory(directorate=DirectorateFactory())
    client.force_login(gp)
    response = client.post(reverse("kpis:create"), _valid_post(service, service=other_service.pk))
    assert "This service belongs to another directorate." in response.content.decode()
    assert not Kpi.objects.filter(reference="250").exists()


def test_a_reference_number_is_unique_for_ever(client, gp):
    retired = KpiFactory(
        reference="189", status=Kpi.Status.RETIRED, date_removed="2022-06-27", status_reason="x"
    )
    client.force_login(gp)
    response = client.post(reverse("kpis:create"), _valid_post(retired.service, reference="189"))
    assert "KPI with this Reference number already exists." in response.content.decode()
    assert Kpi.objects.filter(reference="189").count() == 1


def test_editing_cannot_change_the_reference(client, gp, kpi):
    client.force_login(gp)
    data = _valid_post(kpi.service, reference="999", name="Renamed indicator")
    response = client.post(reverse("kpis:edit", args=[kpi.reference]), data)
    assert response.status_code == 302
    kpi.refresh_from_db()
    assert kpi.reference == "169"
    assert kpi.name == "Renamed indicator"
    history = client.get(kpi.get_absolute_url()).content.decode()
    assert "Renamed indicator" in history


def test_gp_suspends_and_reinstates_with_a_reason(client, gp, kpi):
    client.force_login(gp)
    url = reverse("kpis:change_status", args=[kpi.reference, "suspend"])
    assert "Enter the reason" in client.post(url, {"reason": ""}).content.decode()
    client.post(url, {"reason": "Data supplier contract ended"})
    kpi.refresh_from_db()
    assert kpi.status == Kpi.Status.SUSPENDED
    assert kpi.status_reason == "Data supplier contract ended"
    client.post(
        reverse("kpis:change_status", args=[kpi.reference, "reinstate"]), {"reason": "New feed"}
    )
    kpi.refresh_from_db()
    assert kpi.status == Kpi.Status.LIVE


def test_gp_retires_a_kpi_and_it_stays_in_the_register(client, gp):
    committee = CommitteeFactory()
    kpi = KpiFactory(reference="189", committees=[committee], date_added="2020-04-01")
    client.force_login(gp)
    client.post(
        reverse("kpis:change_status", args=[kpi.reference, "retire"]),
        {
            "reason": "Replaced by 217 and 218",
            "date_removed": "2022-06-27",
            "decision": "SRP 27/06/22",
        },
    )
    kpi.refresh_from_db()
    assert kpi.status == Kpi.Status.RETIRED
    assert str(kpi.date_removed) == "2022-06-27"
    membership = kpi.memberships.get()
    assert str(membership.ended_on) == "2022-06-27"
    body = client.get(reverse("kpis:register"), {"status": "retired"}).content.decode()
    assert "189" in body
    detail = client.get(kpi.get_absolute_url()).content.decode()
    assert "Retired on 27 June 2022: Replaced by 217 and 218" in detail


def test_retiring_before_the_kpi_was_added_is_refused(client, gp, kpi):
    client.force_login(gp)
    response = client.post(
        reverse("kpis:change_status", args=[kpi.reference, "retire"]),
        {"reason": "Typo", "date_removed": "2001-01-01"},
    )
    assert "on or after the date it was added" in response.content.decode()
    kpi.refresh_from_db()
    assert kpi.status == Kpi.Status.LIVE


def test_gp_keeps_directorates_services_and_priorities(client, gp):
    client.force_login(gp)
    client.post(
        reverse("kpis:structure_create", args=["directorate"]),
        {"name": "Strategy and Partnerships", "short_name": "S&P", "is_active": "on"},
    )
    directorate = DirectorateFactory._meta.model.objects.get(short_name="S&P")
    client.post(
        reverse("kpis:structure_create", args=["service"]),
        {"directorate": directorate.pk, "name": "Policy and Insight", "is_active": "on"},
    )
    client.post(
        reverse("kpis:structure_create", args=["priority"]),
        {"number": 7, "name": "Children and young people thrive", "is_active": "on"},
    )
    body = client.get(reverse("kpis:structure")).content.decode()
    for text in (
        "Strategy and Partnerships",
        "Policy and Insight",
        "Children and young people thrive",
    ):
        assert text in body
    client.post(
        reverse("kpis:structure_edit", args=["directorate", directorate.pk]),
        {"name": "Strategy and Partnerships", "short_name": "S&P"},
    )
    directorate.refresh_from_db()
    assert directorate.is_active is False


def test_gp_sets_delegates_and_the_kpis_own_rag_rules(client, gp, owner, colleague):
    service = ServiceFactory()
    client.force_login(gp)
    client.post(
        reverse("kpis:create"),
        _valid_post(
            service,
            lead_officer=owner.pk,
            delegates=[colleague.pk],
            rag_amber_tolerance="5",
            rag_tolerance_basis="absolute",
            query_threshold="30",
        ),
    )
    kpi = Kpi.objects.get(reference="250")
    assert list(kpi.delegates.all()) == [colleague]
    assert kpi.rag_amber_tolerance == 5
    assert kpi.query_threshold == 30
    body = client.get(kpi.get_absolute_url()).content.decode()
    assert "Amber tolerance 5 (in the kpi&#x27;s own units)" in body
    assert "Its own data-quality query threshold" in body
    assert "30% from the last period or the same period last year" in body  # a count: per cent


def test_gp_says_how_a_kpis_figures_add_up_and_the_register_page_shows_it(client, gp):
    service = ServiceFactory()
    client.force_login(gp)
    form = client.get(reverse("kpis:create")).content.decode()
    assert 'name="year_figure"' in form and 'name="seasonal"' in form
    response = client.post(
        reverse("kpis:create"),
        _valid_post(service, value_basis="ytd", year_figure="sum", seasonal="on"),
    )
    assert response.status_code == 302
    kpi = Kpi.objects.get(reference="250")
    assert (kpi.value_basis, kpi.year_figure, kpi.seasonal) == ("ytd", "sum", True)
    page = client.get(kpi.get_absolute_url()).content.decode()
    assert "How a year&#x27;s figure is formed" in page or "How a year's figure is formed" in page
    assert "Total" in page
    assert "Yes: compared with the same period last year" in page


def test_a_snapshots_year_figure_must_be_its_latest_value(client, gp):
    service = ServiceFactory()
    client.force_login(gp)
    response = client.post(
        reverse("kpis:create"), _valid_post(service, value_basis="snapshot", year_figure="sum")
    )
    assert response.status_code == 200
    assert "The year&#x27;s figure of a snapshot is its latest value" in response.content.decode()
    assert not Kpi.objects.filter(reference="250").exists()
