"""The Units page: every role reads the council's units; G&P add and change them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kpis.register import services
from kpis.register.models import Kpi, Unit
from kpis.register.tests.factories import KpiFactory, ServiceFactory

NEW_UNIT = {
    "code": "mwh",
    "name": "Megawatt hours",
    "suffix": "MWh",
    "decimals": "1",
    "lowest": "0",
    "aliases": "megawatt-hours; MW h",
}


def test_every_role_reads_the_units_and_how_each_writes_a_figure(client, viewer):
    KpiFactory(unit="tonnes_co2e")
    client.force_login(viewer)

    body = client.get(reverse("kpis:units")).content.decode()

    assert "Tonnes CO2e" in body
    assert "1,250.5 tCO2e" in body
    assert "£1,250.50" in body
    assert "1,250.5%" in body
    assert "0 to 100" in body
    assert "Add a unit" not in body
    assert reverse("kpis:unit_edit", args=["percent"]) not in body
    # Its history starts with the units the register used, set up by the system.
    assert "The council&#x27;s units, as the register used them" in body


def test_the_register_links_gp_to_the_units_and_the_rag_policy(client, gp):
    client.force_login(gp)
    body = client.get(reverse("kpis:register")).content.decode()
    assert f'href="{reverse("kpis:units")}"' in body
    assert f'href="{reverse("reporting:rag_policy")}"' in body


def test_gp_add_a_unit_and_a_kpi_in_it_writes_its_figures_that_way(client, gp, owner):
    client.force_login(gp)
    response = client.post(reverse("kpis:unit_create"), NEW_UNIT)
    assert response.status_code == 302
    assert Unit.objects.get(code="mwh").history.get().history_user == gp

    service = ServiceFactory()
    response = client.post(
        reverse("kpis:create"),
        {
            "reference": "250",
            "name": "Electricity used in council buildings",
            "directorate": service.directorate.pk,
            "service": service.pk,
            "level": "corporate",
            "perspective": "corporate",
            "metric_category": "local_authority",
            "frequency": "quarterly",
            "unit": "mwh",
            "direction": "lower",
            "value_basis": "period",
            "year_figure": "sum",
            "indicator_type": "lagging",
            "target_kind": "long_term",
            "long_term_target": "1200",
            "status": "live",
            "date_added": "2024-04-01",
        },
    )
    assert response.status_code == 302, response.content.decode()
    kpi = Kpi.objects.get(reference="250")
    assert kpi.unit == "mwh"

    page = client.get(kpi.get_absolute_url()).content.decode()
    assert "Megawatt hours" in page
    assert "1,200.0 MWh" in page  # its long-term target, to the unit's one decimal place


def test_gp_change_how_a_unit_is_written_and_its_history_says_who_and_what(client, gp):
    kpi = KpiFactory(unit="days", long_term_target=Decimal(1))
    client.force_login(gp)
    days = Unit.objects.get(code="days")
    form = {
        "name": days.name,
        "suffix": "working days",
        "singular_suffix": "working day",
        "lowest": "0",
        "aliases": days.aliases,
    }

    response = client.post(reverse("kpis:unit_edit", args=["days"]), form)

    assert response.status_code == 302
    assert response.url == reverse("kpis:units") + "#unit-days"
    assert kpi.value_text(Decimal(12)) == "12 working days"
    assert "1 working day" in client.get(kpi.get_absolute_url()).content.decode()
    history = client.get(reverse("kpis:unit_edit", args=["days"])).content.decode()
    assert 'Suffix: <del><span class="govuk-visually-hidden">was </span>days</del>' in history
    assert str(gp) in history


def test_a_units_code_stays_as_it_was(client, gp):
    client.force_login(gp)
    client.post(
        reverse("kpis:unit_edit", args=["score"]),
        {"code": "points", "name": "Score", "suffix": "points"},
    )
    assert Unit.objects.get(code="score").suffix == "points"
    assert not Unit.objects.filter(code="points").exists()


def test_bad_input_is_shown_with_the_field_and_nothing_is_saved(client, gp):
    client.force_login(gp)
    before = list(Unit.history.values_list("history_id", flat=True))

    response = client.post(
        reverse("kpis:unit_create"),
        {**NEW_UNIT, "code": "Mega Watts", "lowest": "10", "highest": "5", "aliases": "GBP"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Use small letters, digits and underscores" in body
    assert "The highest value must be at least the lowest." in body
    assert "“GBP” already means Money (£)." in body
    assert list(Unit.history.values_list("history_id", flat=True)) == before


@pytest.mark.parametrize("role", ["owner", "approver", "clerk", "viewer"])
def test_nobody_but_gp_may_add_or_change_a_unit(client, request, role):
    client.force_login(request.getfixturevalue(role))
    for url in (reverse("kpis:unit_create"), reverse("kpis:unit_edit", args=["percent"])):
        assert client.get(url).status_code == 403
        assert client.post(url, {**NEW_UNIT, "code": "percent", "suffix": "pc"}).status_code == 403
    assert Unit.objects.get(code="percent").suffix == "%"
    assert not Unit.objects.filter(code="mwh").exists()


def test_an_unknown_unit_is_not_found(client, gp):
    client.force_login(gp)
    assert client.get(reverse("kpis:unit_edit", args=["furlongs"])).status_code == 404


def test_the_list_takes_the_same_queries_for_few_and_many_units(
    client, gp, django_assert_max_num_queries
):
    client.force_login(gp)
    client.get(reverse("kpis:units"))
    for n in range(20):
        Unit.objects.create(code=f"unit_{n}", name=f"Unit {n}", suffix=f"u{n}")
    with django_assert_max_num_queries(7):
        assert client.get(reverse("kpis:units")).status_code == 200


def test_a_kpis_history_names_its_units_in_words(client, gp):
    kpi = KpiFactory(unit=Kpi.Unit.COUNT)
    client.force_login(gp)
    kpi.unit = "tonnes_co2e"
    services.kpi_save(kpi=kpi, by=gp, priorities=[], committees=[])

    page = client.get(kpi.get_absolute_url()).content.decode()

    assert 'Unit: <del><span class="govuk-visually-hidden">was </span>Number</del>' in page
    assert '<span class="govuk-visually-hidden">now </span>Tonnes CO2e</ins>' in page
