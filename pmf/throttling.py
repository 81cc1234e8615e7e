"""Sign-in throttling (django-axes): by person and address, and by address, behind a proxy.

Behind a reverse proxy every request comes from the proxy's own address (REMOTE_ADDR). Counting
failures by that address would lock a person out for everyone after a few bad passwords from
anywhere. So:

- `client_address` is the address of whoever connected to the nearest proxy the council trusts
  (`TRUSTED_PROXIES`): read from X-Forwarded-For only when the request came from a trusted proxy,
  walking back from the last hop past the trusted proxies. Without trusted proxies, or from
  anywhere else, it is REMOTE_ADDR: a client cannot choose its own address by sending the header.
- `SignInThrottle` locks out a username *from one address* after `AXES_FAILURE_LIMIT` failures,
  and an address (for every username) after `AXES_ADDRESS_FAILURE_LIMIT`, within the cool-off
  time. Bad passwords from one address therefore never lock a person out elsewhere, and trying a
  password against many usernames from one address is stopped too. Signing in successfully
  clears that person's failures from that address only, never the address's count.
"""

import functools
import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q, Sum
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address as a proxy writes it in X-Forwarded-For (perhaps with a port), or None."""
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 192.0.2.1:443
        text = text.split(":", 1)[0]
    try:
        found = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(found, "ipv4_mapped", None)
    return mapped or found


def _trusted(address, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The sign-in's client address: see the module's docstring."""
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not _trusted(_address(remote), networks):
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return remote  # a trusted proxy would not have written this: count it as the proxy
        if not _trusted(address, networks):
            return str(address)
    # Every hop is a trusted proxy: the request began at the first of them.
    return str(_address(hops[0])) if hops else remote


class SignInThrottle(AxesDatabaseHandler):
    """Failures counted per (username, address) and per address, each against its own limit."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        recent = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if settings.AXES_COOLOFF_TIME is not None:
            recent = recent.filter(attempt_time__gte=get_cool_off_threshold(request))
        username = get_client_username(request, credentials)
        counts = recent.aggregate(
            person=Sum("failures_since_start", filter=Q(username=username)),
            address=Sum("failures_since_start"),
        )
        person, address = counts["person"] or 0, counts["address"] or 0
        # Axes compares one count with AXES_FAILURE_LIMIT: the address's count is scaled so
        # that reaching its own limit reads as reaching that one.
        limit = get_failure_limit(request, credentials)
        return max(person, address * limit // max(settings.AXES_ADDRESS_FAILURE_LIMIT, 1))

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        deleted, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return deleted
