"""Who may open every page: each URL pattern × each role (and anonymous), against a table.

Every named URL pattern in the project must have an entry in MATRIX: a new view without one fails
`test_every_view_has_a_permission_decision`, so nobody can add a page without deciding who may use
it. Each entry lists one or more cases (URL kwargs; every alternative of a regex choice such as
`suspend|reinstate|retire` gets its own case) with the expected status of a GET and of an empty POST
for each user. An empty POST is harmless: a form view answers it with its errors and saves nothing.

Expected values: a status code, or LOGIN (302 to the sign-in page with `?next=`).
"""

import datetime
import re
import warnings
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from committees.models import ActionItem, Audit, AuditCheck, CommitteeDetails, Meeting, Proposal
from kpis.register.tests.factories import (
    CommitteeFactory,
    DirectorateFactory,
    KpiFactory,
    PriorityFactory,
    ServiceFactory,
)
from kpis.reporting.models import ReportingPeriod
from pmf.roles import Role
from pmf.tests.factories import UserFactory

LOGIN = "login"  # 302 to the sign-in page, with ?next= the page asked for

USERS = ("anonymous", "officer", "approver", "gp", "clerk", "viewer", "no_role")
ROLE_OF = {
    "officer": Role.OFFICER,
    "approver": Role.APPROVER,
    "gp": Role.GP,
    "clerk": Role.CLERK,
    "viewer": Role.VIEWER,
    "no_role": None,  # signed in, but in no role group (a leaver, or not set up yet)
}


def expect(anonymous, officer, approver, gp, clerk, viewer, no_role) -> dict:
    """One row of the matrix, in USERS order."""
    return dict(zip(USERS, (anonymous, officer, approver, gp, clerk, viewer, no_role), strict=True))


# Rows used again and again.
EVERY_ROLE = expect(LOGIN, 200, 200, 200, 200, 200, 403)
GP_ONLY = expect(LOGIN, 403, 403, 200, 403, 403, 403)
OFFICER_OR_GP = expect(LOGIN, 200, 403, 200, 403, 403, 403)
APPROVER_OR_GP = expect(LOGIN, 403, 200, 200, 403, 403, 403)
GET_ONLY = expect(405, 405, 405, 405, 405, 405, 405)  # require_GET answers before sign-in
PUBLIC = expect(200, 200, 200, 200, 200, 200, 200)
GP_OR_CLERK = expect(LOGIN, 403, 403, 200, 200, 403, 403)  # the clerk of the fixture committee
RAISERS = expect(LOGIN, 200, 200, 200, 403, 403, 403)  # officers, directors, G&P


@dataclass(frozen=True)
class Case:
    get: dict
    post: dict
    kwargs: dict = field(default_factory=dict)  # name -> attribute of the `objects` fixture

    def label(self) -> str:
        return ",".join(f"{key}={value}" for key, value in self.kwargs.items())


MATRIX: dict[str, list[Case]] = {
    # --- the shell --------------------------------------------------------------------------
    "home": [Case(get=expect(LOGIN, 302, 302, 302, 302, 302, 302), post=expect(LOGIN, *[302] * 6))],
    # Signed-in users are sent on from the sign-in page; an empty sign-in POST shows its errors.
    "login": [Case(get=expect(200, *[302] * 6), post=expect(200, *[302] * 6))],
    "logout": [Case(get=expect(*[405] * 7), post=expect(*[302] * 7))],
    "accessibility": [Case(get=PUBLIC, post=PUBLIC)],
    "healthz": [Case(get=PUBLIC, post=PUBLIC)],
    # --- the register (kpis) ----------------------------------------------------------------
    "kpis:register": [Case(get=EVERY_ROLE, post=GET_ONLY)],
    "kpis:export": [
        Case(get=EVERY_ROLE, post=GET_ONLY, kwargs={"file_format": "=csv"}),
        Case(get=EVERY_ROLE, post=GET_ONLY, kwargs={"file_format": "=xlsx"}),
    ],
    "kpis:create": [Case(get=GP_ONLY, post=GP_ONLY)],
    "kpis:import": [Case(get=GP_ONLY, post=GP_ONLY)],
    "kpis:structure": [Case(get=EVERY_ROLE, post=GET_ONLY)],
    "kpis:structure_create": [
        Case(get=GP_ONLY, post=GP_ONLY, kwargs={"kind": "=directorate"}),
        Case(get=GP_ONLY, post=GP_ONLY, kwargs={"kind": "=service"}),
        Case(get=GP_ONLY, post=GP_ONLY, kwargs={"kind": "=priority"}),
    ],
    "kpis:structure_edit": [
        Case(get=GP_ONLY, post=GP_ONLY, kwargs={"kind": "=directorate", "pk": "directorate.pk"}),
        Case(get=GP_ONLY, post=GP_ONLY, kwargs={"kind": "=service", "pk": "service.pk"}),
        Case(get=GP_ONLY, post=GP_ONLY, kwargs={"kind": "=priority", "pk": "priority.pk"}),
    ],
    # Every role reads the council's units; only G&P add or change one.
    "kpis:units": [Case(get=EVERY_ROLE, post=GET_ONLY)],
    "kpis:unit_create": [Case(get=GP_ONLY, post=GP_ONLY)],
    "kpis:unit_edit": [Case(get=GP_ONLY, post=GP_ONLY, kwargs={"code": "=percent"})],
    "kpis:detail": [Case(get=EVERY_ROLE, post=GET_ONLY, kwargs={"reference": "kpi.reference"})],
    "kpis:edit": [Case(get=GP_ONLY, post=GP_ONLY, kwargs={"reference": "kpi.reference"})],
    "kpis:change_status": [
        Case(
            get=GP_ONLY,
            post=GP_ONLY,
            kwargs={"reference": "kpi.reference", "action": f"={action}"},
        )
        for action in ("suspend", "reinstate", "retire")
    ],
    # --- officers' entry (/my-kpis/) -----------------------------------------------------------
    # The officer leads KPI 169; an empty POST saves nothing and comes back to the page.
    "entry:my_kpis": [Case(get=OFFICER_OR_GP, post=expect(LOGIN, 302, 403, 302, 403, 403, 403))],
    "entry:edit": [
        Case(
            get=OFFICER_OR_GP,
            post=expect(LOGIN, 302, 403, 302, 403, 403, 403),
            kwargs={"period_id": "period.pk", "reference": "kpi.reference"},
        )
    ],
    "entry:approvals": [Case(get=APPROVER_OR_GP, post=GET_ONLY)],
    # POST-only; an empty POST names no value, so approvers and G&P get 400 Bad Request.
    "entry:approve": [Case(get=GET_ONLY, post=expect(LOGIN, 403, 400, 400, 403, 403, 403))],
    "entry:return": [Case(get=GET_ONLY, post=expect(LOGIN, 403, 400, 400, 403, 403, 403))],
    # --- scorecards (/scorecards/): every role reads -----------------------------------------
    "scorecards:index": [Case(get=EVERY_ROLE, post=GET_ONLY)],
    # The RAG policy page's old address: a permanent redirect to reporting:rag_policy, for anyone.
    "scorecards:rag_policy": [Case(get=expect(*[301] * 7), post=expect(*[301] * 7))],
    "scorecards:kpi": [Case(get=EVERY_ROLE, post=GET_ONLY, kwargs={"reference": "kpi.reference"})],
    "scorecards:organisation": [
        Case(get=EVERY_ROLE, post=GET_ONLY, kwargs={"period_id": "period.pk"})
    ],
    "scorecards:organisation_export": [
        Case(
            get=EVERY_ROLE,
            post=GET_ONLY,
            kwargs={"period_id": "period.pk", "file_format": f"={file_format}"},
        )
        for file_format in ("csv", "xlsx")
    ],
    "scorecards:organisation_summary": [
        Case(get=EVERY_ROLE, post=GET_ONLY, kwargs={"period_id": "period.pk"})
    ],
    "scorecards:directorate": [
        Case(
            get=EVERY_ROLE,
            post=GET_ONLY,
            kwargs={"directorate_id": "directorate.pk", "period_id": "period.pk"},
        )
    ],
    "scorecards:directorate_export": [
        Case(
            get=EVERY_ROLE,
            post=GET_ONLY,
            kwargs={
                "directorate_id": "directorate.pk",
                "period_id": "period.pk",
                "file_format": f"={file_format}",
            },
        )
        for file_format in ("csv", "xlsx")
    ],
    "scorecards:directorate_summary": [
        Case(
            get=EVERY_ROLE,
            post=GET_ONLY,
            kwargs={"directorate_id": "directorate.pk", "period_id": "period.pk"},
        )
    ],
    "scorecards:committee": [
        Case(
            get=EVERY_ROLE,
            post=GET_ONLY,
            kwargs={"committee_id": "committee.pk", "period_id": "period.pk"},
        )
    ],
    "scorecards:committee_export": [
        Case(
            get=EVERY_ROLE,
            post=GET_ONLY,
            kwargs={
                "committee_id": "committee.pk",
                "period_id": "period.pk",
                "file_format": f"={file_format}",
            },
        )
        for file_format in ("csv", "xlsx")
    ],
    "scorecards:committee_summary": [
        Case(
            get=EVERY_ROLE,
            post=GET_ONLY,
            kwargs={"committee_id": "committee.pk", "period_id": "period.pk"},
        )
    ],
    # --- bulk values (/reporting/values/) -------------------------------------------------------
    "values:upload": [Case(get=OFFICER_OR_GP, post=OFFICER_OR_GP)],
    # POST-only; with no upload waiting they send the user back to the upload page.
    "values:confirm": [Case(get=GET_ONLY, post=expect(LOGIN, 302, 403, 302, 403, 403, 403))],
    "values:cancel": [Case(get=GET_ONLY, post=expect(LOGIN, 302, 403, 302, 403, 403, 403))],
    # --- targets in bulk (/reporting/targets/): G&P only -----------------------------------------
    "targets:upload": [Case(get=GP_ONLY, post=GP_ONLY)],
    # POST-only; with no upload waiting they send G&P back to the upload page.
    "targets:confirm": [Case(get=GET_ONLY, post=expect(LOGIN, 403, 403, 302, 403, 403, 403))],
    "targets:cancel": [Case(get=GET_ONLY, post=expect(LOGIN, 403, 403, 302, 403, 403, 403))],
    "targets:download": [
        Case(get=GP_ONLY, post=GET_ONLY, kwargs={"file_format": f"={file_format}"})
        for file_format in ("csv", "xlsx")
    ],
    # --- the reporting cycle (/reporting/) ------------------------------------------------------
    # Every role reads the council's RAG policy; only G&P change it.
    "reporting:rag_policy": [
        Case(get=EVERY_ROLE, post=expect(LOGIN, 403, 403, 200, 403, 403, 403))
    ],
    "reporting:periods": [Case(get=GP_ONLY, post=GP_ONLY)],
    "reporting:targets": [Case(get=GP_ONLY, post=GET_ONLY)],
    "reporting:target_edit": [
        Case(get=GP_ONLY, post=GP_ONLY, kwargs={"reference": "kpi.reference", "year": "=2026"})
    ],
    # Approvers see their own directorates' completion; nobody else but G&P.
    "reporting:dashboard": [
        Case(get=APPROVER_OR_GP, post=GET_ONLY, kwargs={"period_id": "period.pk"})
    ],
    # POST-only; an empty chase names nothing to chase: 404.
    "reporting:chase": [
        Case(
            get=GET_ONLY,
            post=expect(LOGIN, 403, 403, 404, 403, 403, 403),
            kwargs={"period_id": "period.pk"},
        )
    ],
    "reporting:period_open": [Case(get=GP_ONLY, post=GP_ONLY, kwargs={"period_id": "period.pk"})],
    # An empty POST closes the period; it does not lock it, since it does not confirm the
    # value the lock page lists as not approved (KPI 169's, missing): 400 with the list again.
    "reporting:period_confirm": [
        Case(
            get=GP_ONLY,
            post=expect(LOGIN, 403, 403, 302, 403, 403, 403),
            kwargs={"period_id": "period.pk", "action": "=close"},
        ),
        Case(
            get=GP_ONLY,
            post=expect(LOGIN, 403, 403, 400, 403, 403, 403),
            kwargs={"period_id": "period.pk", "action": "=lock"},
        ),
    ],
    "reporting:period_reopen": [
        Case(get=GP_ONLY, post=GP_ONLY, kwargs={"period_id": "locked_period.pk"})
    ],
    # --- committees (/committees/): every role reads; G&P and the committee's own clerk manage
    # meetings and the action tracker; the KPI cycle's steps follow `committees.services`. The
    # fixture's clerk clerks the fixture committee; its proposal is a draft raised by the officer
    # in the approver's directorate. An empty POST to a form shows its errors (200).
    "committees:index": [Case(get=EVERY_ROLE, post=GET_ONLY)],
    "committees:detail": [
        Case(get=EVERY_ROLE, post=GET_ONLY, kwargs={"committee_id": "committee.pk"})
    ],
    "committees:details_edit": [
        Case(get=GP_ONLY, post=GP_ONLY, kwargs={"committee_id": "committee.pk"})
    ],
    "committees:meeting_create": [
        Case(get=GP_OR_CLERK, post=GP_OR_CLERK, kwargs={"committee_id": "committee.pk"})
    ],
    "committees:meeting": [
        Case(get=EVERY_ROLE, post=GET_ONLY, kwargs={"meeting_id": "meeting.pk"})
    ],
    "committees:meeting_edit": [
        Case(get=GP_OR_CLERK, post=GP_OR_CLERK, kwargs={"meeting_id": "meeting.pk"})
    ],
    "committees:actions": [
        Case(get=EVERY_ROLE, post=GET_ONLY, kwargs={"committee_id": "committee.pk"})
    ],
    "committees:action_create": [
        Case(get=GP_OR_CLERK, post=GP_OR_CLERK, kwargs={"committee_id": "committee.pk"})
    ],
    "committees:action_edit": [
        Case(get=GP_OR_CLERK, post=GP_OR_CLERK, kwargs={"action_id": "action.pk"})
    ],
    "committees:action_update": [
        Case(get=GP_OR_CLERK, post=GP_OR_CLERK, kwargs={"action_id": "action.pk"})
    ],
    "committees:proposals": [Case(get=EVERY_ROLE, post=GET_ONLY)],
    "committees:proposal_create": [
        Case(get=RAISERS, post=RAISERS, kwargs={"kind": f"={kind}"})
        for kind in ("add", "remove", "amend")
    ],
    "committees:proposal": [
        Case(get=EVERY_ROLE, post=GET_ONLY, kwargs={"proposal_id": "proposal.pk"})
    ],
    "committees:proposal_edit": [
        Case(get=RAISERS, post=RAISERS, kwargs={"proposal_id": "proposal.pk"})
    ],
    "committees:proposal_step": [
        Case(get=rows, post=rows, kwargs={"proposal_id": "proposal.pk", "step": f"={step}"})
        for step, rows in (
            ("quality", RAISERS),  # the officer who raised it, its director, G&P
            ("consultation", RAISERS),
            ("equality", RAISERS),
            ("director", APPROVER_OR_GP),  # an approver of the proposal's directorate, or G&P
            ("committee", GP_OR_CLERK),  # G&P, or a clerk of one of its committees
            ("adopt", GP_ONLY),
        )
    ],
    # G&P draw samples on the audits page (an empty POST shows its errors); others only read.
    "committees:audits": [Case(get=EVERY_ROLE, post=expect(LOGIN, 403, 403, 200, 403, 403, 403))],
    "committees:audit": [Case(get=EVERY_ROLE, post=GET_ONLY, kwargs={"audit_id": "audit.pk"})],
    "committees:audit_check": [
        Case(get=GP_ONLY, post=GP_ONLY, kwargs={"check_id": "audit_check.pk"})
    ],
    "committees:kpi_audits": [
        Case(get=EVERY_ROLE, post=GET_ONLY, kwargs={"reference": "kpi.reference"})
    ],
    # --- reports: committee packs (/packs/, /published/) --------------------------------------
    # Every signed-in role reads a meeting's pack page (its published versions); G&P and the
    # committee's own clerk preview it from live data (councillors and officers are refused),
    # edit, check readiness, publish, schedule and withdraw; the public reads published versions.
    # The fixture has no published version, so the version URLs answer 404 once the role check
    # has passed (and 404 for the public pages).
    "reports:meeting": [Case(get=EVERY_ROLE, post=GET_ONLY, kwargs={"meeting_id": "meeting.pk"})],
    "reports:edit": [Case(get=GP_OR_CLERK, post=GP_OR_CLERK, kwargs={"meeting_id": "meeting.pk"})],
    "reports:preview": [Case(get=GP_OR_CLERK, post=GET_ONLY, kwargs={"meeting_id": "meeting.pk"})],
    # No preview PDF has been made for the fixture's meeting: 404 once the role check passed.
    "reports:preview_pdf": [
        Case(
            get=expect(LOGIN, 403, 403, 404, 404, 403, 403),
            post=GET_ONLY,
            kwargs={"meeting_id": "meeting.pk"},
        )
    ],
    # The Word document made with the preview PDF: the same roles, the same 404 before one.
    "reports:preview_docx": [
        Case(
            get=expect(LOGIN, 403, 403, 404, 404, 403, 403),
            post=GET_ONLY,
            kwargs={"meeting_id": "meeting.pk"},
        )
    ],
    # POST-only: a preview PDF is made in the background and the pack page shows it.
    "reports:preview_pdf_request": [
        Case(
            get=GET_ONLY,
            post=expect(LOGIN, 403, 403, 302, 302, 403, 403),
            kwargs={"meeting_id": "meeting.pk"},
        )
    ],
    # The readiness page. The fixture's quarter is open with nothing entered: not ready, so an
    # empty POST is answered with "enter why" (200) and publishes nothing.
    "reports:publish": [
        Case(get=GP_OR_CLERK, post=GP_OR_CLERK, kwargs={"meeting_id": "meeting.pk"})
    ],
    # POST-only: the fixture's papers date (13 October 2026) has passed, so the page says so.
    "reports:schedule": [Case(get=GET_ONLY, post=GP_OR_CLERK, kwargs={"meeting_id": "meeting.pk"})],
    # POST-only: nothing is scheduled; back to the readiness page, which says so.
    "reports:schedule_cancel": [
        Case(
            get=GET_ONLY,
            post=expect(LOGIN, 403, 403, 302, 302, 403, 403),
            kwargs={"meeting_id": "meeting.pk"},
        )
    ],
    "reports:generate_period": [
        Case(
            get=GP_OR_CLERK,
            post=expect(LOGIN, 403, 403, 302, 302, 403, 403),
            kwargs={"period_id": "period.pk"},
        )
    ],
    **{
        name: [
            Case(
                get=expect(LOGIN, 404, 404, 404, 404, 404, 403),
                post=GET_ONLY,
                kwargs={"meeting_id": "meeting.pk", "number": "=1"},
            )
        ]
        for name in ("reports:version_pdf", "reports:version_docx")
    },
    "reports:withdraw": [
        Case(
            get=expect(LOGIN, 403, 403, 404, 404, 403, 403),
            post=expect(LOGIN, 403, 403, 404, 404, 403, 403),
            kwargs={"meeting_id": "meeting.pk", "number": "=1"},
        )
    ],
    "published:index": [Case(get=PUBLIC, post=GET_ONLY)],
    **{
        name: [
            Case(
                get=expect(*[404] * 7),
                post=GET_ONLY,
                kwargs={"meeting_id": "meeting.pk", "number": "=1"},
            )
        ]
        for name in ("published:version", "published:pdf", "published:docx", "published:html")
    },
}

# Namespaces whose views are still being written in parallel (November 2026). Their names are not
# guessed here: the lead fills in their rows in the section above, then removes the namespace from
# this set so that a view there without a row fails the suite like everywhere else. A row for a
# pending view is checked as soon as it is written.
PENDING_NAMESPACES: set[str] = set()

# Parts of the URL configuration that are not the product's own views.
SKIPPED_NAMESPACES = {"admin"}  # /django-admin/: Django's own, staff only


def _walk(patterns, namespace: str = "") -> list[tuple[str, URLPattern]]:
    """(full name, pattern) for every URL pattern, through includes and namespaces."""
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            if entry.callback.__module__.startswith(
                ("django.views.static", "django.contrib.staticfiles")
            ):
                continue  # static and media files, when DEBUG serves them
            found.append((f"{namespace}{entry.name}" if entry.name else "", entry))
    return found


def project_views() -> list[tuple[str, URLPattern]]:
    return _walk(get_resolver().url_patterns)


def _namespace(name: str) -> str:
    return name.split(":", 1)[0] if ":" in name else ""


def _choices(pattern: URLPattern) -> dict[str, set[str]]:
    """The alternatives of each `(?P<name>a|b|c)` group in a regex pattern."""
    regex = pattern.pattern.regex.pattern
    return {
        name: set(alternatives.split("|"))
        for name, alternatives in re.findall(r"\(\?P<(\w+)>([\w|-]+)\)", regex)
        if "|" in alternatives
    }


def test_every_view_has_a_permission_decision():
    views = project_views()
    unnamed = [str(pattern.pattern) for name, pattern in views if not name]
    assert not unnamed, f"URL patterns without a name cannot be in the matrix: {unnamed}"

    missing = [name for name, _ in views if name not in MATRIX]
    pending = [name for name in missing if _namespace(name) in PENDING_NAMESPACES]
    missing = [name for name in missing if name not in pending]
    assert not missing, "\n".join(
        f"new view without an entry in the permission matrix: {name}" for name in missing
    )
    if pending:
        warnings.warn(
            "views in PENDING_NAMESPACES without a permission-matrix row yet: "
            + ", ".join(sorted(pending)),
            stacklevel=1,
        )

    stale = sorted(set(MATRIX) - {name for name, _ in views})
    assert not stale, f"permission matrix rows for views that no longer exist: {stale}"

    for name, pattern in views:
        for kwarg, alternatives in _choices(pattern).items():
            covered = {case.kwargs.get(kwarg, "").lstrip("=") for case in MATRIX.get(name, [])}
            if name in MATRIX:
                assert alternatives <= covered, (
                    f"{name}: the matrix has no case for {kwarg}={sorted(alternatives - covered)}"
                )


@pytest.fixture
def objects(db, settings):
    """One of each thing a URL can name, and one user per role."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = False  # the sign-in POSTs below must not be throttled
    directorate = DirectorateFactory(name="Place and Sustainability", short_name="P&S")
    service = ServiceFactory(directorate=directorate, name="Waste")
    priority = PriorityFactory(number=1, name="Net zero by 2045")
    committee = CommitteeFactory(short_name="EGI")
    users = {
        user: UserFactory(username=f"matrix-{user}", roles=[role] if role else [])
        for user, role in ROLE_OF.items()
    }
    directorate.approvers.add(users["approver"])
    kpi = KpiFactory(
        reference="169",
        directorate=directorate,
        service=service,
        lead_officer=users["officer"],
        priorities=[priority],
        committees=[committee],
    )
    period = ReportingPeriod.objects.create(
        kind="quarter",
        financial_year=2026,
        number=2,
        starts_on=datetime.date(2026, 7, 1),
        ends_on=datetime.date(2026, 9, 30),
        state=ReportingPeriod.State.OPEN,
        submission_deadline=datetime.date(2026, 12, 1),
        signoff_deadline=datetime.date(2026, 12, 8),
    )
    locked_period = ReportingPeriod.objects.create(
        kind="quarter",
        financial_year=2026,
        number=1,
        starts_on=datetime.date(2026, 4, 1),
        ends_on=datetime.date(2026, 6, 30),
        state=ReportingPeriod.State.LOCKED,
    )
    # --- committees: the clerk clerks the committee; a meeting, a draft proposal, an action and
    # an audit of the locked quarter with one sampled KPI.
    details = CommitteeDetails.objects.create(committee=committee, chair="Councillor Chair")
    details.clerks.add(users["clerk"])
    meeting = Meeting.objects.create(
        committee=committee,
        date=datetime.date(2026, 10, 20),
        period=period,
        papers_published_on=datetime.date(2026, 10, 13),
    )
    proposal = Proposal.objects.create(
        kind=Proposal.Kind.ADD,
        directorate=directorate,
        raised_by=users["officer"],
        rationale="Replaces KPI 189",
        name="Website quality",
        unit="percent",
        direction="higher",
        frequency="quarterly",
        level="corporate",
        target_kind="annual",
    )
    proposal.committees.add(committee)
    action = ActionItem.objects.create(committee=committee, reference="F.9", action="SPMO")
    audit = Audit.objects.create(
        committee=committee, period=locked_period, seed=1, sample_size=3, drawn_by=users["gp"]
    )
    audit_check = AuditCheck.objects.create(audit=audit, kpi=kpi)
    return SimpleNamespace(
        meeting=meeting,
        proposal=proposal,
        action=action,
        audit=audit,
        audit_check=audit_check,
        directorate=directorate,
        service=service,
        priority=priority,
        kpi=kpi,
        committee=committee,
        users=users,
        period=period,
        locked_period=locked_period,
    )


def _kwargs(case: Case, objects) -> dict:
    """Resolve "=literal" and "thing.attribute" kwargs against the created objects."""
    resolved = {}
    for key, spec in case.kwargs.items():
        if spec.startswith("="):
            resolved[key] = spec[1:]
        else:
            thing, attribute = spec.split(".")
            resolved[key] = getattr(getattr(objects, thing), attribute)
    return resolved


def _matches(response, expected) -> bool:
    if expected == LOGIN:
        return response.status_code == 302 and response["Location"].startswith(
            f"{reverse('login')}?next="
        )
    return response.status_code == expected


def _describe(response) -> str:
    if response.status_code in (301, 302):
        return f"{response.status_code} to {response['Location']}"
    return str(response.status_code)


CASES = [
    pytest.param(name, case, id=f"{name}[{case.label()}]" if case.kwargs else name)
    for name, cases in MATRIX.items()
    for case in cases
]


@pytest.mark.parametrize(("name", "case"), CASES)
def test_each_user_gets_the_expected_answer(name, case, objects):
    url = reverse(name, kwargs=_kwargs(case, objects))
    wrong = []
    for user in USERS:
        for method, expected in (("GET", case.get[user]), ("POST", case.post[user])):
            client = Client(raise_request_exception=False)  # a 500 is a mismatch, listed
            if user != "anonymous":
                client.force_login(objects.users[user])
            response = client.get(url) if method == "GET" else client.post(url, {})
            if not _matches(response, expected):
                wrong.append(
                    f"{method} {url} as {user}: expected {expected}, got {_describe(response)}"
                )
    assert not wrong, "\n".join(wrong)
