from decimal import Decimal

import pytest
from django.urls import reverse

from kpis.reporting.models import RagPolicy

URL = reverse("reporting:rag_policy")
GOOD = {
    "amber_tolerance": "5",
    "tolerance_basis": "absolute",
    "blue_margin": "2.5",
    "use_intervention_levels": "yes",
}


def test_gp_change_the_policy_and_see_it_in_words_and_history(client, gp):
    client.force_login(gp)
    response = client.post(URL, GOOD)
    assert response.status_code == 302
    policy = RagPolicy.current()
    assert policy.amber_tolerance == Decimal(5)
    assert policy.tolerance_basis == "absolute"
    assert policy.blue_margin == Decimal("2.5")
    assert policy.use_intervention_levels
    body = client.get(URL).content.decode()
    assert "Blue when better than target by more than 2.5" in body
    assert "RAG policy changed" in body  # the history's reason
    assert "Save the RAG policy" in body


@pytest.mark.parametrize("role", ["owner", "approver", "clerk", "viewer"])
def test_others_see_the_policy_read_only_and_cannot_post(client, request, role):
    client.force_login(request.getfixturevalue(role))
    body = client.get(URL).content.decode()
    assert "Green on or better than target" in body
    assert "Save the RAG policy" not in body
    assert client.post(URL, GOOD).status_code == 403
    assert RagPolicy.current().amber_tolerance == Decimal(10)


def test_anonymous_users_are_sent_to_sign_in(client, db):
    assert client.get(URL).url.startswith(reverse("login"))
    assert client.post(URL, GOOD).url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("field", "bad", "message"),
    [
        ("amber_tolerance", "", "Enter the amber tolerance"),
        ("amber_tolerance", "ten", "Enter the amber tolerance as a number"),
        ("amber_tolerance", "-1", "Enter an amber tolerance of 0 or more"),
        ("blue_margin", "-2", "Enter a Blue margin of 0 or more"),
        ("tolerance_basis", "sideways", "Select a valid choice"),
        ("use_intervention_levels", "", "Choose whether to use intervention levels"),
    ],
)
def test_bad_input_shows_the_error_summary_and_saves_nothing(client, gp, field, bad, message):
    client.force_login(gp)
    response = client.post(URL, {**GOOD, field: bad})
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert message in body
    assert f'href="#id_{field}' in body
    assert RagPolicy.current().amber_tolerance == Decimal(10)


def test_the_old_address_under_scorecards_sends_people_to_the_page(client, viewer):
    client.force_login(viewer)
    response = client.get(reverse("scorecards:rag_policy"))
    assert response.status_code == 301
    assert response["Location"] == URL
