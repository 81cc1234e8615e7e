from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from pmf.roles import role_names

# (label, url name, view-name prefixes that mark it current, the permission its page requires)
NAVIGATION = [
    ("My KPIs", "entry:my_kpis", ("entry:my_kpis", "entry:edit"), "kpis.enter_value"),
    ("Approvals", "entry:approvals", ("entry:approv", "entry:return"), "kpis.approve_value"),
    ("Scorecards", "scorecards:index", ("scorecards:",), "pmf.read"),
    ("Committees", "committees:index", ("committees:",), "pmf.read"),
    ("KPI register", "kpis:register", ("kpis:register", "kpis:detail", "kpis:edit"), "pmf.read"),
    ("Reporting cycle", "reporting:periods", ("reporting:",), "kpis.run_cycle"),
    ("Import values", "values:upload", ("values:",), "kpis.enter_value"),
    ("Structure", "kpis:structure", ("kpis:structure",), "kpis.keep_register"),
]


def _navigation(request: HttpRequest, user) -> list[dict]:
    """Service navigation items for the pages the signed-in user may open, the current marked."""
    if user is None or not user.is_authenticated:
        return []
    match = request.resolver_match
    current = match.view_name if match else ""
    items = []
    for text, name, prefixes, permission in NAVIGATION:
        if not user.has_perm(permission):
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
        "navigation": _navigation(request, user),
    }
