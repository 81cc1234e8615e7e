from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from pmf.roles import Role, role_names

# (label, url name, view-name prefixes that mark it current, roles that see it; None = all)
NAVIGATION = [
    ("My KPIs", "entry:my_kpis", ("entry:my_kpis", "entry:edit"), {Role.OFFICER, Role.GP}),
    ("Approvals", "entry:approvals", ("entry:approv", "entry:return"), {Role.APPROVER, Role.GP}),
    ("Scorecards", "scorecards:index", ("scorecards:",), None),
    ("Committees", "committees:index", ("committees:",), None),
    ("KPI register", "kpis:register", ("kpis:register", "kpis:detail", "kpis:edit"), None),
    ("Reporting cycle", "reporting:periods", ("reporting:",), {Role.GP}),
    ("Import values", "values:upload", ("values:",), {Role.OFFICER, Role.GP}),
    ("Structure", "kpis:structure", ("kpis:structure",), {Role.GP}),
]


def _navigation(request: HttpRequest, roles: list[str]) -> list[dict]:
    """Service navigation items for the signed-in user's roles, the current one marked."""
    if not roles:
        return []
    held = {role for role in Role if role.label in roles}
    match = request.resolver_match
    current = match.view_name if match else ""
    items = []
    for text, name, prefixes, allowed in NAVIGATION:
        if allowed is not None and not held & allowed:
            continue
        try:
            href = reverse(name)
        except NoReverseMatch:  # a section not installed in this deployment
            continue
        items.append({"text": text, "href": href, "active": current.startswith(prefixes)})
    return items


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
