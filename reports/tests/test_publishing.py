import base64
import hashlib
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from kpis.reporting.models import Measurement
from reports import rendering, selectors, services
from reports.models import PackVersion
from reports.tests.helpers import pdf_pages, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(setup):
    return selectors.meeting_for_pack(setup[1].pk)


def test_publishing_freezes_data_html_and_pdf_with_its_sha256(meeting, pack_clerk):
    version = services.pack_publish(meeting=meeting, by=pack_clerk)
    assert version.number == 1
    assert version.published_by == pack_clerk and version.published_at
    pdf = version.pdf.read()
    assert pdf.startswith(b"%PDF")
    assert version.sha256 == hashlib.sha256(pdf).hexdigest()
    assert version.pdf_size == len(pdf)
    assert version.data["summary"][-1]["count"] == 8
    assert "Indicator 203 percentage" in version.html


def test_a_published_version_is_never_marked_draft(client, meeting, pack_clerk):
    version = services.pack_publish(meeting=meeting, by=pack_clerk)
    pages = pdf_pages(version.pdf.read())
    assert len(pages) > 3
    assert [n for n, text in enumerate(pages, start=1) if "DRAFT" in text] == []
    assert "DRAFT" not in version.html and "draft-mark" not in version.html
    public = client.get(reverse("published:html", args=[meeting.pk, version.number]))
    assert "DRAFT" not in public.content.decode()


def test_later_edits_to_values_never_change_a_published_version(setup, meeting, pack_clerk):
    _, _, kpis, history = setup
    version = services.pack_publish(meeting=meeting, by=pack_clerk)
    before = (version.data, version.html, version.sha256)
    Measurement.objects.filter(kpi=kpis[3], period=history[-1]).update(
        value=Decimal(99), commentary="Changed after publishing."
    )
    again = PackVersion.objects.get(pk=version.pk)
    assert (again.data, again.html, again.sha256) == before
    assert "Changed after publishing." not in pdf_text(again.pdf.read())

    second = services.pack_publish(meeting=meeting, by=pack_clerk)
    assert second.number == 2
    assert "Changed after publishing." in second.html
    assert set(PackVersion.objects.values_list("number", flat=True)) == {1, 2}


def test_only_gp_and_the_committees_own_clerk_may_publish(meeting, clerk, viewer, gp):
    for user in (clerk, viewer):  # `clerk` clerks no committee
        with pytest.raises(PermissionDenied):
            services.pack_publish(meeting=meeting, by=user)
    assert services.pack_publish(meeting=meeting, by=gp).number == 1


def test_a_withdrawn_version_records_who_when_and_why(meeting, pack_clerk):
    version = services.pack_publish(meeting=meeting, by=pack_clerk)
    with pytest.raises(ValidationError):
        services.pack_withdraw(version=version, by=pack_clerk, reason="  ")
    services.pack_withdraw(version=version, by=pack_clerk, reason="Wrong quarter's figures.")
    version.refresh_from_db()
    assert version.is_withdrawn and version.withdrawn_by == pack_clerk
    assert version.withdrawn_reason == "Wrong quarter's figures."
    with pytest.raises(ValidationError):
        services.pack_withdraw(version=version, by=pack_clerk, reason="Again")


def test_the_public_reads_published_packs_without_signing_in(client, meeting, pack_clerk):
    version = services.pack_publish(meeting=meeting, by=pack_clerk)
    index = client.get(reverse("published:index"))
    assert index.status_code == 200
    assert meeting.committee.name in index.content.decode()
    page = client.get(version.get_absolute_url())
    assert page.status_code == 200 and "Download the report" in page.content.decode()
    pdf = client.get(reverse("published:pdf", args=[meeting.pk, 1]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == version.sha256
    html = client.get(reverse("published:html", args=[meeting.pk, 1]))
    assert html.status_code == 200 and html.content.decode() == version.html


def test_a_withdrawn_pack_says_so_publicly_with_its_reason(client, meeting, pack_clerk):
    version = services.pack_publish(meeting=meeting, by=pack_clerk)
    services.pack_withdraw(version=version, by=pack_clerk, reason="Replaced by version 2.")
    page = client.get(version.get_absolute_url()).content.decode()
    assert "This version was withdrawn" in page and "Replaced by version 2." in page
    assert client.get(reverse("published:pdf", args=[meeting.pk, 1])).status_code == 410
    assert client.get(reverse("published:html", args=[meeting.pk, 1])).status_code == 410
    index = client.get(reverse("published:index")).content.decode()
    assert "withdrawn: Replaced by version 2." in index


def test_signed_in_users_can_still_download_a_withdrawn_version(
    client, meeting, pack_clerk, viewer
):
    version = services.pack_publish(meeting=meeting, by=pack_clerk)
    services.pack_withdraw(version=version, by=pack_clerk, reason="Error")
    client.force_login(viewer)
    response = client.get(reverse("reports:version_pdf", args=[meeting.pk, 1]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_an_unknown_version_is_not_found(client, meeting):
    assert client.get(reverse("published:version", args=[meeting.pk, 9])).status_code == 404


def test_a_published_html_version_keeps_its_look_and_only_its_own_styles_are_allowed(
    client, meeting, pack_clerk, monkeypatch
):
    version = services.pack_publish(meeting=meeting, by=pack_clerk)
    published_css = rendering.stylesheet()
    monkeypatch.setattr(rendering, "stylesheet", lambda: "body { color: red; }")  # a later release

    response = client.get(reverse("published:html", args=[meeting.pk, version.number]))
    page = response.content.decode()
    assert published_css in page and "color: red" not in page
    policy = response["Content-Security-Policy"]
    digest = base64.b64encode(hashlib.sha256(published_css.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy
    assert "'unsafe-inline'" not in policy


def _tamper(version: PackVersion, change) -> None:
    path = Path(version.pdf.path)
    path.write_bytes(change(path.read_bytes()))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda pdf: pdf[:100] + b"X" + pdf[101:], id="one-byte-changed"),
        pytest.param(lambda pdf: b"%PDF-1.7 a different document", id="replaced"),
    ],
)
def test_a_published_pdf_changed_on_disk_is_refused_not_served(
    client, meeting, pack_clerk, viewer, caplog, change
):
    version = services.pack_publish(meeting=meeting, by=pack_clerk)
    _tamper(version, change)

    public = client.get(reverse("published:pdf", args=[meeting.pk, 1]))

    assert public.status_code == 500
    assert public["Content-Type"].startswith("text/html")
    body = public.content.decode()
    assert "This PDF cannot be downloaded" in body
    assert "not the file that was published" in body
    assert reverse("published:html", args=[meeting.pk, 1]) in body  # the frozen HTML instead
    refusals = [r for r in caplog.records if r.levelname == "ERROR" and "Refused" in r.message]
    assert refusals and version.sha256 in refusals[0].getMessage()
    client.force_login(viewer)
    signed_in = client.get(reverse("reports:version_pdf", args=[meeting.pk, 1]))
    assert signed_in.status_code == 500 and b"%PDF" not in signed_in.content
    html = client.get(reverse("published:html", args=[meeting.pk, 1]))
    assert html.status_code == 200 and html.content.decode() == version.html


def test_a_published_pdf_missing_from_storage_is_refused_with_the_same_page(
    client, meeting, pack_clerk, caplog
):
    version = services.pack_publish(meeting=meeting, by=pack_clerk)
    Path(version.pdf.path).unlink()

    response = client.get(reverse("published:pdf", args=[meeting.pk, 1]))

    assert response.status_code == 500
    assert "This PDF cannot be downloaded" in response.content.decode()
    assert any("Refused" in r.getMessage() for r in caplog.records)


def test_an_untouched_published_pdf_is_served_with_its_sha256(client, meeting, pack_clerk):
    version = services.pack_publish(meeting=meeting, by=pack_clerk)
    response = client.get(reverse("published:pdf", args=[meeting.pk, 1]))
    assert response.status_code == 200
    assert response["X-Content-SHA256"] == version.sha256
    assert hashlib.sha256(response.content).hexdigest() == version.sha256
