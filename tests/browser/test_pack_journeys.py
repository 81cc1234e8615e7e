"""A committee's quarterly report pack in a real browser: the clerk edits and previews it (marked
DRAFT), checks its readiness and publishes it (with a reason when it is not ready), schedules it
for its papers date and withdraws it; an anonymous visitor reads it. axe-core runs on every HTML
page visited."""

import datetime
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from committees.models import Meeting
from kpis.reporting.models import Measurement, ReportingPeriod
from pmf.roles import Role
from pmf.tests.factories import UserFactory
from reports import services
from reports.models import PackVersion, ScheduledPublication
from reports.tests.factories import committee_pack
from reports.tests.helpers import docx_document, docx_headings, pdf_pages, pdf_text
from reports.word import DOCX
from tests.browser.conftest import (
    TIMEOUT_MS,
    assert_accessible,
    column_header,
    follow,
    signed_in,
    sort_by,
    submit,
    url,
)

pytestmark = pytest.mark.browser

COMMITTEE = "Audit and Governance Committee"
MEETING_DATE = "22 June 2026"
CLERK = "ag-clerk"
RECOMMENDATION = "Ask the Director of Resources to report back on indicator 203 in September."
WITHDRAWAL_REASON = "The figures for indicator 201 were entered against the wrong quarter."
NOT_READY_REASON = "Members asked to see the figures as they stand before the sign-off deadline."
PDF = "application/pdf"


@pytest.fixture
def council(transactional_db, settings, tmp_path):
    """A committee with eight KPIs (two Red), a meeting considering the last quarter, its clerk."""
    settings.MEDIA_ROOT = tmp_path / "media"
    clerk = UserFactory(username=CLERK, first_name="Chris", last_name="Lake", roles=[Role.CLERK])
    _, meeting, _, _ = committee_pack(8, clerks=[clerk], name=COMMITTEE)
    return {"meeting": meeting, "clerk": clerk}


@pytest.fixture
def published(council):
    """Version 1 of the meeting's pack, published by its clerk."""
    return services.pack_publish(meeting=council["meeting"], by=council["clerk"])


@pytest.fixture
def visitor(browser):
    """A page in a second browser context that never signs in."""
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page = context.new_page()
    page.script_errors = []
    page.on("pageerror", lambda error: page.script_errors.append(f"uncaught: {error}"))
    yield page
    context.close()


#: The immediate task backend makes a pack's PDF and Word document inside the request that asks
#: for them; on a busy machine that takes longer than a page is given.
BUILD_TIMEOUT_MS = 60_000


def _submit_and_wait_for_the_pack(page, button_name: str) -> None:
    with page.expect_navigation(timeout=BUILD_TIMEOUT_MS):
        page.get_by_role("button", name=button_name, exact=True).click(timeout=BUILD_TIMEOUT_MS)


def _field(page, label: str):
    """A field by its label, which says "(optional)" when the field may be left blank."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \(optional\))?$"))


def _assert_error_summary_links_to(page, message: str) -> None:
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name=message)
    expect(link).to_have_count(1)
    expect(page.locator(link.get_attribute("href"))).to_have_count(1)


def _rag_summary_counts(page) -> dict[str, str]:
    table = page.get_by_role("table", name=re.compile(r"^A summary of RAG ratings for "))
    rows = table.locator("tbody tr").all()
    return {row.locator("th").inner_text(): row.locator("td").first.inner_text() for row in rows}


def _open_pack_page_from_committees(page) -> None:
    follow(page, "Committees")
    assert_accessible(page)
    follow(page, COMMITTEE)
    assert_accessible(page)
    follow(page, MEETING_DATE)
    assert_accessible(page)
    follow(page, "Quarterly performance report pack for this meeting")
    expect(page).to_have_title(re.compile(rf"^Report pack: {re.escape(COMMITTEE)}"))
    assert_accessible(page)


def _edit_the_narrative(page) -> None:
    follow(page, "Edit the cover and narrative")
    expect(_field(page, "To")).to_have_value(COMMITTEE)
    assert_accessible(page)

    _field(page, "To").fill("")
    submit(page, "Save")
    expect(page).to_have_title(re.compile(r"^Error: Edit the pack for "))
    _assert_error_summary_links_to(page, "Enter who the report is to")
    assert_accessible(page)

    _field(page, "To").fill(COMMITTEE)
    _field(page, "Recommendations").fill(f"Note the report.\n{RECOMMENDATION}")
    submit(page, "Save")
    expect(page.get_by_role("alert")).to_contain_text("Pack narrative saved.")
    assert_accessible(page)


def _check_the_preview(page) -> None:
    follow(page, "Preview the pack (HTML, live data)")
    expect(page).to_have_title(re.compile(rf"^{re.escape(COMMITTEE)}, {MEETING_DATE}: "))
    expect(page.locator(".running-header")).to_contain_text(COMMITTEE)
    assert _rag_summary_counts(page) == {
        "Blue": "0",
        "Green": "4",
        "Amber": "2",
        "Red": "2",
        "Contextual": "0",
        "Baseline": "0",
        "In development": "0",
        "Suspended": "0",
        "Total": "8",
    }
    recommendations = page.get_by_role("row", name=re.compile(r"^Recommendations"))
    expect(recommendations.locator("ol li")).to_have_text(["Note the report.", RECOMMENDATION])
    # Marked DRAFT, and the mark stays in view as the reader scrolls to the appendix.
    mark = page.locator(".draft-mark")
    expect(mark).to_have_text("DRAFT – a preview from live data, not published")
    page.get_by_role(
        "heading", name="Appendix 2. Performance data for each indicator"
    ).scroll_into_view_if_needed()
    expect(mark).to_be_in_viewport()
    expect(page.get_by_role("row", name=re.compile(r"^Data as at"))).to_be_visible()
    assert_accessible(page)
    page.go_back()
    expect(page.get_by_text("Preview PDF: none made yet")).to_be_visible()
    _submit_and_wait_for_the_pack(page, "Make a preview PDF and Word document from live data")
    expect(page.get_by_role("alert")).to_contain_text(
        "The preview PDF and Word document are being made"
    )
    link = page.get_by_role("link", name="Download the preview PDF")
    response = page.request.get(link.evaluate("a => a.href"))
    assert response.status == 200 and response.headers["content-type"] == PDF
    assert RECOMMENDATION in pdf_text(response.body())
    assert all("DRAFT" in text for text in pdf_pages(response.body()))
    link = page.get_by_role("link", name="download the preview as a Word document")
    response = page.request.get(link.evaluate("a => a.href"))
    assert response.status == 200 and response.headers["content-type"] == DOCX
    cover = docx_document(response.body()).tables[0]
    assert RECOMMENDATION in [p.text for p in cover.rows[-1].cells[1].paragraphs]
    assert_accessible(page)


def _generate(page) -> None:
    expect(page.get_by_text("No version has been published yet.")).to_be_visible()
    submit(page, "Check readiness and publish")  # a link drawn as a button
    expect(page).to_have_title(re.compile(r"^Publish the pack for "))
    expect(page.locator("#readiness-verdict")).to_contain_text("Ready")
    expect(page.get_by_label(re.compile(r"^Why publish it before it is ready"))).to_have_count(0)
    assert_accessible(page)
    submit(page, "Publish version 1")
    expect(page.get_by_role("alert")).to_contain_text("Publishing the pack")
    versions = page.get_by_role("table", name="Every published version stays available")
    expect(versions.locator("tbody tr")).to_have_count(1)
    expect(versions.locator("tbody tr")).to_contain_text("Published")
    jobs = page.get_by_role("table", name="Recent requests to generate this pack")
    expect(jobs.locator("tbody tr").first).to_contain_text("Version 1")
    assert_accessible(page)


def _download_version_pdf(page, number: int) -> bytes:
    link = page.get_by_role("link", name=f"PDF of version {number}")
    response = page.request.get(link.evaluate("a => a.href"))
    assert response.status == 200
    assert response.headers["content-type"] == PDF
    return response.body()


def test_the_clerk_edits_previews_publishes_and_downloads_the_pack(page, live_server, council):
    page.goto(url(live_server, "login"))
    assert_accessible(page)
    signed_in(page, live_server, CLERK)
    assert_accessible(page)
    _open_pack_page_from_committees(page)
    _edit_the_narrative(page)
    _check_the_preview(page)
    _generate(page)

    word = page.request.get(
        page.get_by_role("link", name="Word document of version 1").evaluate("a => a.href")
    )
    assert word.status == 200 and word.headers["content-type"] == DOCX
    version_pdf = _download_version_pdf(page, 1)
    text = pdf_text(version_pdf)
    assert not any("DRAFT" in page_text for page_text in pdf_pages(version_pdf))
    assert COMMITTEE in text
    assert "Page 1 of" in text
    assert RECOMMENDATION in text
    version = PackVersion.objects.get(meeting=council["meeting"])
    assert version.number == 1 and version.published_by == council["clerk"]

    # Each table sorts on its own; then every pack the clerk manages for the quarter.
    jobs = page.get_by_role("table", name="Recent requests to generate this pack")
    sort_by(page, "Status", table=jobs)
    expect(column_header(page, "Status", table=jobs)).to_have_attribute("aria-sort", "ascending")
    versions = page.get_by_role("table", name="Every published version stays available")
    expect(column_header(page, "Version", table=versions)).to_have_attribute(
        "aria-sort", "descending"
    )
    assert_accessible(page)
    page.goto(url(live_server, "reports:generate_period", council["meeting"].period_id))
    meetings = page.get_by_role("table", name=re.compile(r"^Meetings considering "))
    expect(meetings.locator("tbody th")).to_have_text(COMMITTEE)
    assert_accessible(page)


def test_anyone_reads_a_published_pack_without_signing_in(page, live_server, published):
    page.goto(url(live_server, "home"))
    expect(page).to_have_title(re.compile(r"^Sign in"))
    assert_accessible(page)
    follow(page, "Published committee reports")
    expect(page).to_have_title(re.compile(r"^Published committee performance reports"))
    expect(page.get_by_role("heading", name=COMMITTEE)).to_be_visible()
    assert_accessible(page)

    follow(page, "Version 1")
    expect(page).to_have_title(re.compile(rf"^{re.escape(COMMITTEE)}, {MEETING_DATE}: "))
    expect(page.locator("main")).to_contain_text(published.sha256)
    assert_accessible(page)

    pdf = page.request.get(
        page.get_by_role("link", name=re.compile(r"^Download the report \(PDF")).evaluate(
            "a => a.href"
        )
    )
    assert pdf.status == 200
    assert pdf.headers["content-type"] == PDF
    assert COMMITTEE in pdf_text(pdf.body())

    docx = page.request.get(
        page.get_by_role("link", name="Download the report as a Word document (DOCX)").evaluate(
            "a => a.href"
        )
    )
    assert docx.status == 200
    assert docx.headers["content-type"] == DOCX
    assert f'filename="{Path(published.pdf.name).stem}.docx"' in docx.headers["content-disposition"]
    headings = docx_headings(docx_document(docx.body()))
    assert headings[0] == (1, published.data["title"])
    assert (2, "3. Summary of RAG ratings") in headings

    follow(page, "Read the report in your browser (HTML)")
    expect(page.locator("h1")).to_have_text(re.compile(r"^Quarterly performance report: "))
    expect(page.locator(".running-header")).to_contain_text(COMMITTEE)
    assert_accessible(page)


def test_the_clerk_withdraws_a_version_and_the_public_page_says_why(
    page, visitor, live_server, council, published
):
    signed_in(page, live_server, CLERK)
    page.goto(url(live_server, "reports:meeting", council["meeting"].pk))
    assert_accessible(page)
    follow(page, "Withdraw version 1")
    expect(page).to_have_title(re.compile(r"^Withdraw version 1 of the pack"))
    assert_accessible(page)

    submit(page, "Withdraw version 1")
    expect(page).to_have_title(re.compile(r"^Error: Withdraw version 1"))
    _assert_error_summary_links_to(page, "Enter why the pack is withdrawn.")
    assert_accessible(page)

    page.get_by_label("Why is this version withdrawn?").fill(WITHDRAWAL_REASON)
    submit(page, "Withdraw version 1")
    expect(page.get_by_role("alert")).to_contain_text("Version 1 withdrawn.")
    versions = page.get_by_role("table", name="Every published version stays available")
    expect(versions).to_contain_text("Withdrawn")
    expect(versions).to_contain_text(WITHDRAWAL_REASON)
    expect(page.get_by_role("link", name="Withdraw version 1")).to_have_count(0)
    assert_accessible(page)

    visitor.goto(url(live_server, "published:index"))
    expect(visitor.locator("main")).to_contain_text(f"withdrawn: {WITHDRAWAL_REASON}")
    assert_accessible(visitor)
    follow(visitor, "Version 1")
    expect(visitor.locator(".govuk-warning-text")).to_contain_text("This version was withdrawn on")
    expect(visitor.locator(".govuk-warning-text")).to_contain_text(WITHDRAWAL_REASON)
    expect(visitor.get_by_role("link", name=re.compile(r"^Download the report"))).to_have_count(0)
    assert_accessible(visitor)
    gone = visitor.request.get(url(live_server, "published:pdf", council["meeting"].pk, 1))
    assert gone.status == 410


def test_a_published_pdf_changed_on_disk_is_refused_with_a_page_pointing_to_the_html(
    visitor, live_server, council, published
):
    path = Path(published.pdf.path)
    path.write_bytes(path.read_bytes() + b"% tampered")

    response = visitor.goto(url(live_server, "published:pdf", council["meeting"].pk, 1))

    assert response.status == 500
    expect(visitor.get_by_role("heading", level=1)).to_have_text("This PDF cannot be downloaded")
    assert_accessible(visitor)
    follow(visitor, "read the report in your browser (HTML)")
    expect(visitor.locator(".running-header")).to_contain_text(COMMITTEE)


@pytest.fixture
def not_ready(council):
    """The meeting's quarter reopened for entry and one of its values back with its owner."""
    meeting = council["meeting"]
    ReportingPeriod.objects.filter(pk=meeting.period_id).update(
        state=ReportingPeriod.State.OPEN, submission_deadline=datetime.date(2026, 12, 9)
    )
    value = Measurement.objects.filter(period=meeting.period).order_by("kpi__reference").first()
    Measurement.objects.filter(pk=value.pk).update(status=Measurement.Status.DRAFT)
    return council


def test_a_pack_that_is_not_ready_is_published_only_with_a_reason_the_public_page_shows(
    page, visitor, live_server, not_ready
):
    meeting = not_ready["meeting"]
    signed_in(page, live_server, CLERK)
    page.goto(url(live_server, "reports:meeting", meeting.pk))
    submit(page, "Check readiness and publish")  # a link drawn as a button
    verdict = page.locator("#readiness-verdict")
    expect(verdict).to_contain_text("The pack is not ready to publish.")
    problems = page.locator("#readiness-problems li")
    expect(problems).to_have_text(
        [
            re.compile(r"^2025/26 Q4 is open for entry: values are due by 9 December 2026"),
            "7 of 8 values are approved (1 draft).",
        ]
    )
    # Not ready for want of values: the list of each value is open, naming the draft.
    expect(page.locator("details.govuk-details")).to_have_attribute("open", "")
    states = page.get_by_role("table", name=re.compile(r"^Where each indicator's value"))
    expect(states.get_by_role("row", name=re.compile(r"^200 "))).to_contain_text("Draft")
    assert_accessible(page)

    submit(page, "Publish version 1 before it is ready")
    expect(page).to_have_title(re.compile(r"^Error: Publish the pack for "))
    _assert_error_summary_links_to(
        page, "Enter why the pack should be published before it is ready."
    )
    assert not PackVersion.objects.exists()
    assert_accessible(page)

    page.get_by_label("Why publish it before it is ready?").fill(NOT_READY_REASON)
    submit(page, "Publish version 1 before it is ready")
    expect(page.get_by_role("alert")).to_contain_text("Publishing the pack")
    versions = page.get_by_role("table", name="Every published version stays available")
    expect(versions).to_contain_text(f"before it was ready: {NOT_READY_REASON}")
    assert_accessible(page)

    visitor.goto(url(live_server, "published:version", meeting.pk, 1))
    notice = visitor.locator("#published-before-ready")
    expect(notice).to_contain_text("Published before the report was ready")
    expect(notice).to_contain_text("7 of 8 values are approved (1 draft).")
    expect(notice).to_contain_text(f"Reason given: {NOT_READY_REASON}")
    assert_accessible(visitor)


def test_the_clerk_schedules_the_pack_for_its_papers_date_and_it_is_published_then(
    page, live_server, council, mailoutbox
):
    meeting = council["meeting"]
    papers = timezone.localdate() + datetime.timedelta(days=5)
    Meeting.objects.filter(pk=meeting.pk).update(
        date=papers + datetime.timedelta(days=7), papers_published_on=papers
    )
    signed_in(page, live_server, CLERK)
    page.goto(url(live_server, "reports:publish", meeting.pk))
    expect(page.get_by_role("heading", name="Publish on the papers date")).to_be_visible()
    assert_accessible(page)

    submit(page, f"Schedule for {papers:%-d %B %Y}")
    expect(page.get_by_role("alert")).to_contain_text(
        f"The pack will be published on {papers:%-d %B %Y} if it is ready then."
    )
    expect(page.locator("#scheduled")).to_contain_text(f"to publish on {papers:%-d %B %Y}")
    expect(page.get_by_role("button", name="Cancel the scheduled publication")).to_be_visible()
    assert_accessible(page)
    follow(page, f"Report pack for the meeting of {papers + datetime.timedelta(days=7):%-d %B %Y}")
    expect(page.locator("main")).to_contain_text(f"To publish on {papers:%-d %B %Y}")
    assert_accessible(page)

    call_command("publish_scheduled_packs", "--today", papers.isoformat(), stdout=StringIO())
    assert ScheduledPublication.objects.get().status == ScheduledPublication.Status.PUBLISHED
    assert mailoutbox[0].to == [council["clerk"].email]
    page.reload()
    versions = page.get_by_role("table", name="Every published version stays available")
    expect(versions.locator("tbody tr")).to_have_count(1)
    page.goto(url(live_server, "reports:publish", meeting.pk))
    expect(page.locator("#last-scheduled")).to_contain_text("Version 1 of the pack was published.")
    assert_accessible(page)
