"""Real-browser tests: the system Chromium driven by Playwright against pytest-django's live server.

Every test here is marked `browser`. One Chromium runs for the whole session; each test gets a new
browser context (fresh cookies and storage), so tests cannot leak a signed-in session into each
other. When a test fails, a full-page screenshot is saved to `test-artifacts/<test name>.png`.

Accessibility: `assert_accessible(page)` runs axe-core (bundled with axe-playwright-python, so no
network) against WCAG 2.0, 2.1 and 2.2 A/AA rules and fails listing every violation. axe is
injected with `page.evaluate`, which goes through the DevTools protocol and is not subject to the
page's Content-Security-Policy (`script-src 'self'`), so the browser context keeps the app's real
CSP: nothing is bypassed, and a CSP violation in our own pages would still show up.
"""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in this thread, so Django sees every ORM call the test
# makes (creating data, checking results) as "from an async context" and refuses it. The tests are
# synchronous code; the check is a false alarm here. Set before anything touches the ORM.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.urls import reverse  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from pmf.roles import Role  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "a-long-test-password"  # UserFactory's password
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config, items):
    """Mark every test in this folder `browser`."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (Debian package `chromium`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Sign-ins through the form hash twice per test (create, check): keep that cheap."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def role_groups(transactional_db):
    """The role groups, which a data migration makes and a transactional test's flush removes."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)


@pytest.fixture
def page(browser, request):
    """A page in a new browser context; on failure, a full-page screenshot in test-artifacts/."""
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    # Chromium asks every site for /favicon.ico; the app has none. Keep the 404s out of the log.
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page = context.new_page()
    page.script_errors = []

    def on_console(message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            page.script_errors.append(f"CSP: {message.text}")

    page.on("pageerror", lambda error: page.script_errors.append(f"uncaught: {error}"))
    page.on("console", on_console)
    yield page
    failed = any(
        getattr(request.node, f"rep_{when}", None) is not None
        and getattr(request.node, f"rep_{when}").failed
        for when in ("setup", "call")
    )
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        except Exception as error:  # noqa: BLE001 - a broken page must not hide the real failure
            print(f"Could not save a screenshot: {error}")
    context.close()


def signed_in(page, live_server, username: str, password: str = PASSWORD):
    """Sign in through the real sign-in form, as a person would. Returns the page."""
    sign_in = reverse("login")
    page.goto(f"{live_server.url}{sign_in}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    if urlsplit(page.url).path == sign_in:
        summary = page.locator(".govuk-error-summary")
        problem = summary.inner_text() if summary.count() else page.title()
        pytest.fail(f"{username} could not sign in: {problem}")
    return page


def url(live_server, name: str, *args) -> str:
    return f"{live_server.url}{reverse(name, args=args)}"


def submit(page, button_name: str) -> None:
    """Press the button with exactly this name and wait for the next page."""
    with page.expect_navigation():
        page.get_by_role("button", name=button_name, exact=True).click()


def follow(page, link_name: str) -> None:
    """Follow the link with exactly this name and wait for the next page."""
    with page.expect_navigation():
        page.get_by_role("link", name=link_name, exact=True).click()


def sort_by(page, header: str, *, table=None) -> None:
    """Sort a table by the column headed `header` through its header link, as a person would;
    `table` picks one of several on the page (a locator)."""
    name = re.compile(rf"^{re.escape(header)}\s*, sort (ascending|descending)$")
    with page.expect_navigation():
        (table or page).get_by_role("link", name=name).click()


def column_header(page, header: str, *, table=None):
    """The header cell of the column headed `header` (its aria-sort says how rows are sorted)."""
    return (table or page).get_by_role("columnheader", name=re.compile(rf"^{re.escape(header)}"))


def assert_error_summary_focused_and_linked(page) -> list[str]:
    """The GOV.UK error summary is shown and focused, and each link goes to one field."""
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    hrefs = [link.get_attribute("href") for link in summary.locator("a").all()]
    assert hrefs, "the error summary links to no field"
    for href in hrefs:
        assert href.startswith("#"), href
        expect(page.locator(href)).to_have_count(1)
    return hrefs


_axe = Axe()


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now, for the WCAG 2.x A and AA rules."""
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    return _axe.run(page, options=options).response["violations"]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{violation['helpUrl']}]"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    {target}: {node.get('failureSummary', '').replace(chr(10), ' ')}")
            lines.append(f"      {node['html'][:300]}")
    return "\n".join(lines)


def assert_accessible(page) -> None:
    """Fail listing every axe violation (rule, impact, help, elements) on the page.

    Also fails if, so far in the test, a script threw or the CSP refused something: the GOV.UK
    components (error summary focus, skip link) depend on the page's script running.
    """
    violations = axe_violations(page)
    assert not violations, (
        f"{len(violations)} accessibility violation(s) on {page.url} "
        f"({page.title()}):\n{format_violations(violations)}"
    )
    errors = getattr(page, "script_errors", [])
    assert not errors, f"Script errors or CSP refusals by {page.url}:\n" + "\n".join(errors)
