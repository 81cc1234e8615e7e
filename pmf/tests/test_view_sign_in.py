from django.urls import reverse

from pmf.tests.factories import UserFactory

URL = reverse("login")


def test_a_demo_role_signs_in_and_lands_on_the_register(client, db):
    UserFactory(username="ann", roles=["Officer"])
    response = client.post(URL, {"username": "ann", "password": "a-long-test-password"})
    assert response.status_code == 302
    assert client.get(response.url, follow=True).request["PATH_INFO"] == reverse("kpis:register")


def test_a_wrong_password_is_shown_in_an_error_summary(client, db):
    UserFactory(username="ann", roles=["Officer"])
    response = client.post(URL, {"username": "ann", "password": "wrong"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Enter a correct username and password" in body
    assert "<title>Error: " in body


def test_repeated_failures_lock_the_username_out(client, db, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="ann", roles=["Officer"])
    for _ in range(3):
        client.post(URL, {"username": "ann", "password": "wrong"})
    response = client.post(URL, {"username": "ann", "password": "a-long-test-password"})
    assert response.status_code == 429
    assert "Too many attempts to sign in" in response.content.decode()


def test_sign_out_needs_a_post(client, owner):
    client.force_login(owner)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("kpis:register")).status_code == 302


def test_pages_carry_security_headers(client, db):
    response = client.get(URL)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response.cookies.get("csrftoken") is None or response.cookies["csrftoken"]["httponly"]


def test_the_session_cookie_is_http_only(client, owner):
    response = client.post(URL, {"username": "owner", "password": "a-long-test-password"})
    assert response.cookies["sessionid"]["httponly"]
