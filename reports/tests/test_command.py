import pytest
from django.core.management import CommandError, call_command

from reports.tests.helpers import docx_document, docx_headings, pdf_text

pytestmark = pytest.mark.django_db


def test_render_pack_writes_a_pdf(setup, tmp_path):
    out = tmp_path / "pack.pdf"
    call_command(
        "render_pack", "--meeting", str(setup[1].pk), "--format", "pdf", "--output", str(out)
    )
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF") and "Summary of RAG ratings" in pdf_text(pdf)


def test_render_pack_writes_html(setup, tmp_path):
    out = tmp_path / "pack.html"
    call_command(
        "render_pack", "--meeting", str(setup[1].pk), "--format", "html", "--output", str(out)
    )
    assert "Commentary on red indicators" in out.read_text()


def test_render_pack_writes_a_word_document(setup, tmp_path):
    out = tmp_path / "pack.docx"
    call_command(
        "render_pack", "--meeting", str(setup[1].pk), "--format", "docx", "--output", str(out)
    )
    headings = [text for _, text in docx_headings(docx_document(out.read_bytes()))]
    assert "3. Summary of RAG ratings" in headings


def test_render_pack_names_an_unknown_meeting(db, tmp_path):
    with pytest.raises(CommandError, match="no meeting with id 999"):
        call_command("render_pack", "--meeting", "999", "--output", str(tmp_path / "x.pdf"))
