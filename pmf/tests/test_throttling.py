"""Sign-in throttling behind the reverse proxy of docs/deployment.md (pmf.throttling).

Every request reaches the app from the proxy (REMOTE_ADDR 10.0.0.5), with the client's address in
X-Forwarded-For. Lock-outs must follow the client's address, not the proxy's, and a client must
not be able to choose its address by sending the header itself.
"""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from pmf.tests.factories import UserFactory
from pmf.throttling import client_address

URL = reverse("login")
PROXY = "10.0.0.5"
ATTACKER = "203.0.113.66"
OFFICE = "198.51.100.20"
PASSWORD = "a-long-test-password"
LOCKED = "Too many attempts to sign in"


def _request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        # No proxy configured: the header is the client's own say-so, ignored.
        ([], PROXY, ATTACKER, PROXY),
        ([], ATTACKER, "192.0.2.1", ATTACKER),
        # From the trusted proxy: the address it received the request from.
        ([PROXY], PROXY, ATTACKER, ATTACKER),
        # The client sends its own header; the proxy appends the real address: the last wins.
        ([PROXY], PROXY, f"192.0.2.1, {ATTACKER}", ATTACKER),
        # A request straight from a client, header and all: the header is ignored.
        ([PROXY], ATTACKER, "192.0.2.1", ATTACKER),
        # Two proxies in a trusted network: walk back past both.
        (["10.0.0.0/24"], PROXY, f"192.0.2.1, {ATTACKER}, 10.0.0.9", ATTACKER),
        # Ports and IPv6, as some proxies write them.
        ([PROXY], PROXY, f"{ATTACKER}:51234", ATTACKER),
        ([PROXY], PROXY, "[2001:db8::7]:443", "2001:db8::7"),
        (["10.0.0.0/24"], f"::ffff:{PROXY}", ATTACKER, ATTACKER),  # a dual-stack socket
        # Junk where the proxy's hop should be: counted as the proxy, never as the junk.
        ([PROXY], PROXY, "not-an-address", PROXY),
        ([PROXY], PROXY, "", PROXY),
        ([PROXY], PROXY, None, PROXY),
    ],
)
def test_the_client_address_is_read_from_the_header_only_behind_a_trusted_proxy(
    settings, trusted, remote, forwarded, expected
):
    settings.TRUSTED_PROXIES = trusted
    assert client_address(_request(remote, forwarded)) == expected


@pytest.fixture
def behind_proxy(settings, db):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_ADDRESS_FAILURE_LIMIT = 5
    for name in ("ann", "bob", "carol", "dave"):
        UserFactory(username=name, roles=["Officer"])


def sign_in(username: str, password: str, client_at: str):
    """A sign-in through the proxy, from a new browser at `client_at`."""
    return Client().post(
        URL,
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=client_at,
    )


def test_bad_passwords_from_one_address_do_not_lock_the_person_out_elsewhere(behind_proxy):
    for _ in range(3):
        sign_in("ann", "wrong", ATTACKER)

    from_attacker = sign_in("ann", PASSWORD, ATTACKER)
    from_office = sign_in("ann", PASSWORD, OFFICE)

    assert from_attacker.status_code == 429 and LOCKED in from_attacker.content.decode()
    assert from_office.status_code == 302  # signed in


def test_one_address_trying_many_usernames_is_locked_out_for_all_of_them(behind_proxy):
    for username in ("bob", "carol", "dave", "bob"):  # none reaches 3 on its own
        assert sign_in(username, "wrong", ATTACKER).status_code == 200

    assert sign_in("carol", "wrong", ATTACKER).status_code == 429  # the address's fifth
    assert sign_in("ann", PASSWORD, ATTACKER).status_code == 429
    assert sign_in("dave", PASSWORD, OFFICE).status_code == 302


def test_signing_in_clears_only_that_persons_failures_not_the_addresss(behind_proxy):
    for username in ("bob", "bob", "carol", "carol"):
        sign_in(username, "wrong", ATTACKER)
    assert sign_in("ann", PASSWORD, ATTACKER).status_code == 302  # four failures from here

    sign_in("dave", "wrong", ATTACKER)  # the fifth

    assert sign_in("ann", PASSWORD, ATTACKER).status_code == 429


def test_a_forged_header_from_outside_the_proxy_cannot_dodge_the_lock_out(behind_proxy):
    client = Client()
    for n in range(3):  # straight at the app, each time claiming to be somewhere new
        client.post(
            URL,
            {"username": "ann", "password": "wrong"},
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    response = client.post(
        URL,
        {"username": "ann", "password": PASSWORD},
        REMOTE_ADDR=ATTACKER,
        HTTP_X_FORWARDED_FOR="192.0.2.99",
    )
    assert response.status_code == 429
