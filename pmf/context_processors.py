from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from pmf.roles import Role, role_names


def _navigation(request: HttpRequest, roles: list[str]) -> list[dict]:
    """Service navigation items for the signed-in user's roles, the current one marked."""
    if not roles:
        return []
    match = request.resolver_match
    current = match.view_name if match else ""
    items = [("KPI register", "kpis:register", ("kpis:register", "kpis:detail"))]
    if Role.GP.label in roles:
        items += [
            ("Structure", "kpis:structure", ("kpis:structure",)),
            ("Import", "kpis:import", ("kpis:import",)),
        ]
    return [
        {"text": text, "href": reverse(name), "active": current.startswith(prefixes)}
        for text, name, prefixes in items
    ]


def service(request: HttpRequest) -> dict:
    """The council's and product's names, and the signed-in user's roles and navigation."""
    user = getattr(request, "user", None)
    roles = role_names(user) if user is not None else []
    return {
        "council_name": settings.COUNCIL_NAME,
        "product_name": settings.PRODUCT_NAME,
        "phase": settings.PHASE,
        "user_roles": roles,
        "navigation": _navigation(request, roles),
    }
