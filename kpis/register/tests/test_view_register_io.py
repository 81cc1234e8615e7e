import csv
import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kpis.register.models import Kpi
from kpis.register.tests.factories import KpiFactory


def _csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_every_role_downloads_the_filtered_register_as_csv(client, viewer):
    KpiFactory(reference="141", name='=HYPERLINK("http://evil")', level=Kpi.Level.STRATEGIC)
    KpiFactory(reference="142", name="Library visits", level=Kpi.Level.OPERATIONAL)
    client.force_login(viewer)
    response = client.get(reverse("kpis:export", args=["csv"]), {"level": "strategic"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="kpi-register-')
    rows = _csv_rows(response)
    assert rows[0][0] == "reference"
    assert [row[0] for row in rows[1:]] == ["141"]
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'


def test_the_xlsx_download_holds_text_not_formulas(client, viewer):
    KpiFactory(reference="141", name="@SUM(A1:A2)")
    client.force_login(viewer)
    response = client.get(reverse("kpis:export", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["B2"].value == "'@SUM(A1:A2)"
    assert sheet["B2"].data_type == "s"


def test_an_unknown_export_format_is_404(client, viewer):
    client.force_login(viewer)
    assert client.get("/kpis/export.pdf", follow=True).status_code == 404


def test_anonymous_cannot_download(client, db):
    response = client.get(reverse("kpis:export", args=["csv"]))
    assert response.status_code == 302


def test_gp_uploads_the_download_back_and_nothing_changes(client, gp):
    KpiFactory(reference="141")
    client.force_login(gp)
    exported = client.get(reverse("kpis:export", args=["xlsx"])).content
    upload = SimpleUploadedFile("register.xlsx", exported)
    response = client.post(reverse("kpis:import"), {"file": upload}, follow=True)
    body = response.content.decode()
    assert "0 added, 0 updated, 1 unchanged" in body


def test_a_bad_upload_lists_every_problem_and_imports_nothing(client, gp):
    client.force_login(gp)
    content = (
        "reference,name,directorate,level,perspective,metric_category,frequency,unit,direction,"
        "leading_or_lagging,target_kind,date_added\n"
        "300,First,Nowhere,strategic,residents,local_authority,quarterly,%,higher,lagging,"
        "annual,2024-04-01\n"
        "301,Second,Nowhere,strategic,residents,local_authority,quarterly,furlongs,higher,"
        "lagging,annual,2024-04-01\n"
    )
    upload = SimpleUploadedFile("register.csv", content.encode())
    response = client.post(reverse("kpis:import"), {"file": upload})
    body = response.content.decode()
    assert "The file was not imported" in body
    assert body.count('<td class="govuk-table__cell">2</td>') >= 1
    assert body.count('<td class="govuk-table__cell">3</td>') >= 1
    assert "furlongs" in body
    assert not Kpi.objects.exists()


def test_an_oversized_upload_is_refused_before_parsing(client, gp, settings):
    settings.MAX_UPLOAD_BYTES = 100
    client.force_login(gp)
    upload = SimpleUploadedFile("register.csv", b"reference,name\n" + b"1,x\n" * 100)
    response = client.post(reverse("kpis:import"), {"file": upload})
    assert "The file must be smaller than" in response.content.decode()


def test_an_upload_without_a_file_shows_the_error(client, gp):
    client.force_login(gp)
    response = client.post(reverse("kpis:import"), {})
    assert "Choose a CSV or Excel file to import" in response.content.decode()
