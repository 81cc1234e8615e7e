"""Downloading the pack as a Word document: a published version's, made from the data it was
published with and then kept beside its PDF, and the preview's, made with the preview PDF."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from kpis.reporting.models import Measurement
from reports import selectors, services, word
from reports.models import PackJob, PackVersion, word_name
from reports.tests.helpers import docx_document, docx_headings, docx_rows, docx_table

pytestmark = pytest.mark.django_db

RED_KPI = "Indicator 203: Indicator 203 percentage"


@pytest.fixture
def meeting(setup):
    return selectors.meeting_for_pack(setup[1].pk)


def _commentary(docx: bytes) -> str:
    table = docx_table(docx_document(docx), f"{RED_KPI}: commentary and action plan")
    return dict(docx_rows(table))["Commentary"]


def _stored(version: PackVersion) -> Path:
    return Path(version.pdf.path).with_suffix(".docx")


def test_the_public_downloads_a_published_version_as_word_as_it_was_published(
    client, setup, meeting, pack_clerk
):
    _, _, kpis, history = setup
    version = services.pack_publish(meeting=meeting, by=pack_clerk)
    Measurement.objects.filter(kpi=kpis[3], period=history[-1]).update(
        value=Decimal(99), commentary="Changed after publishing."
    )
    page = client.get(version.get_absolute_url()).content.decode()
    assert "Download the report as a Word document (DOCX)" in page

    response = client.get(reverse("published:docx", args=[meeting.pk, 1]))
    assert response.status_code == 200
    assert response["Content-Type"] == word.DOCX
    filename = Path(version.pdf.name).with_suffix(".docx").name
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert _commentary(response.content) == "Commentary on 203 for 2025/26 Q4."
    assert _stored(version).read_bytes() == response.content  # kept beside the PDF

    again = client.get(reverse("published:docx", args=[meeting.pk, 1]))
    assert again.content == response.content


def test_a_withdrawn_versions_word_document_answers_as_withdrawn_like_its_pdf(
    client, meeting, pack_clerk, viewer
):
    version = services.pack_publish(meeting=meeting, by=pack_clerk)
    services.pack_withdraw(version=version, by=pack_clerk, reason="Replaced by version 2.")
    gone = client.get(reverse("published:docx", args=[meeting.pk, 1]))
    pdf = client.get(reverse("published:pdf", args=[meeting.pk, 1]))
    assert gone.status_code == pdf.status_code == 410
    assert "This version was withdrawn" in gone.content.decode()
    assert "Replaced by version 2." in gone.content.decode()
    assert "Download the report" not in gone.content.decode()

    client.force_login(viewer)  # signed in, any version can still be had, as with the PDF
    response = client.get(reverse("reports:version_docx", args=[meeting.pk, 1]))
    assert response.status_code == 200 and response["Content-Type"] == word.DOCX
    assert docx_headings(docx_document(response.content))[0][0] == 1


def test_publishing_makes_the_word_document_and_the_pack_page_offers_it(
    client, meeting, pack_clerk, django_capture_on_commit_callbacks
):
    client.force_login(pack_clerk)
    with django_capture_on_commit_callbacks(execute=True):
        published = client.post(
            reverse("reports:publish", args=[meeting.pk]), {"reason": "Needed for the agenda."}
        )
        assert published.status_code == 302
    version = PackVersion.objects.get()
    assert _stored(version).exists()  # made by the job, before anyone asks
    page = client.get(reverse("reports:meeting", args=[meeting.pk])).content.decode()
    url = reverse("reports:version_docx", args=[meeting.pk, 1])
    assert f'href="{url}">Word<span class="govuk-visually-hidden"> document of version 1' in page
    response = client.get(url)
    assert response.content == _stored(version).read_bytes()


def test_a_word_document_that_failed_after_publishing_is_made_on_its_first_download(
    client, meeting, pack_clerk, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(data):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(word, "render_docx", broken)
    client.force_login(pack_clerk)
    with django_capture_on_commit_callbacks(execute=True):
        published = client.post(
            reverse("reports:publish", args=[meeting.pk]), {"reason": "Needed for the agenda."}
        )
        assert published.status_code == 302
    job = PackJob.objects.get()
    assert job.status == PackJob.Status.DONE and job.version.number == 1  # published regardless
    assert not _stored(job.version).exists()

    monkeypatch.undo()
    client.logout()
    response = client.get(reverse("published:docx", args=[meeting.pk, 1]))
    assert response.status_code == 200
    assert _stored(job.version).read_bytes() == response.content


def test_the_preview_word_document_is_made_with_the_preview_pdf_from_the_same_data(
    client, meeting, pack_clerk, settings, django_capture_on_commit_callbacks
):
    client.force_login(pack_clerk)
    assert client.get(reverse("reports:preview_docx", args=[meeting.pk])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:preview_pdf_request", args=[meeting.pk]))
    page = client.get(reverse("reports:meeting", args=[meeting.pk])).content.decode()
    assert "download the preview as a Word document" in page
    response = client.get(reverse("reports:preview_docx", args=[meeting.pk]))
    assert response.status_code == 200 and response["Content-Type"] == word.DOCX
    assert RED_KPI in [text for _, text in docx_headings(docx_document(response.content))]
    first = PackJob.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:preview_pdf_request", args=[meeting.pk]))
    latest = PackJob.objects.filter(preview=True).first()
    folder = Path(settings.MEDIA_ROOT) / Path(latest.preview_pdf.name).parent
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        Path(name).name for name in (latest.preview_pdf.name, word_name(latest.preview_pdf.name))
    )  # the older preview's PDF and Word document are both gone
    assert first.pk != latest.pk
    assert not PackVersion.objects.exists()
