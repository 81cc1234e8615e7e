"""Targets in bulk: G&P upload a file of annual and per-period targets with intervention levels,
see every row's outcome, and confirm; and download targets in the same format, which imported
unchanged changes nothing."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from kpis.register.models import Kpi
from kpis.register.tests.factories import DirectorateFactory, KpiFactory
from kpis.reporting.io import Outcome, targets_import
from kpis.reporting.models import ReportingPeriod, Target
from kpis.reporting.services import target_set
from kpis.reporting.tests.test_targets_io import (  # noqa: F401 (register is a fixture)
    csv_file,
    good_rows,
    register,
)
from kpis.reporting.views import TARGETS, _session_key, _uploads_dir
from pmf.roles import system_actor
from pmf.spreadsheets import read_table, write_xlsx

UPLOAD = reverse("targets:upload")
CONFIRM = reverse("targets:confirm")
CANCEL = reverse("targets:cancel")
SESSION_KEY = _session_key(TARGETS)
HEADERS = ["reference", "financial_year", "period", "value", "intervention_level", "note"]


@pytest.fixture
def made(register):  # noqa: F811 (the register fixture, imported)
    """The KPIs of the targets import's tests, by reference."""
    return register


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, data: bytes, name: str = "targets.csv"):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, data)})


def stored() -> set[tuple]:
    return set(
        Target.objects.values_list(
            "kpi__reference", "financial_year", "period__number", "value", "intervention_level"
        )
    )


def test_gp_upload_see_every_row_and_confirm(made, gp):
    client = signed_in(gp)
    page = client.get(reverse("reporting:targets")).content.decode()
    assert f'href="{UPLOAD}"' in page  # the targets page leads to the import

    preview = upload(client, csv_file(good_rows()))
    html = preview.content.decode()
    assert preview.status_code == 200
    assert not Target.objects.exists()  # nothing saved before the confirmation
    assert html.count('<tr class="govuk-table__row">') >= 5  # the heading and every row
    assert "95%, intervention level 88%" in html
    assert "£2,400,000" in html and "2025/26 Oct" in html
    assert "Confirm import" in html and "Nothing is saved until you confirm." in html

    response = client.post(CONFIRM, {"token": client.session[SESSION_KEY]["token"]}, follow=True)
    assert "Imported targets.csv: 4 new, 0 changed, 0 unchanged." in response.content.decode()
    annual = Target.objects.get(kpi__reference="146", period=None)
    assert (annual.value, annual.intervention_level) == (95, 88)
    assert annual.history.get().history_user == gp
    assert Target.objects.count() == 4
    assert SESSION_KEY not in client.session
    assert not any(_uploads_dir(TARGETS).iterdir())


def test_a_file_with_problems_lists_them_by_row_and_saves_nothing(made, gp):
    rows = good_rows() + [
        ["999", "2025/26", "", "95", "", ""],
        ["121", "2025/26", "", "50", "", ""],
        ["146", "2025/26", "2025/26 Q1", "lots", "", ""],
    ]
    html = upload(signed_in(gp), csv_file(rows)).content.decode()
    assert "The file was not imported" in html
    assert "There is no KPI with reference “999”." in html
    assert "KPI 121 is contextual: it has no target." in html
    assert "“lots” is not a number." in html
    assert html.index("“lots”") < html.index("95%, intervention level 88%")  # problems first
    assert "Confirm import" not in html
    assert not Target.objects.exists()


def test_an_excel_file_works_the_same(made, gp):
    client = signed_in(gp)
    upload(client, write_xlsx(HEADERS, good_rows(), sheet_title="Targets"), "targets.xlsx")
    client.post(CONFIRM, {"token": client.session[SESSION_KEY]["token"]})
    assert Target.objects.count() == 4


def test_cancel_discards_the_upload(made, gp):
    client = signed_in(gp)
    upload(client, csv_file(good_rows()))
    response = client.post(CANCEL, {"token": client.session[SESSION_KEY]["token"]}, follow=True)
    assert "Import cancelled: nothing was changed." in response.content.decode()
    assert not Target.objects.exists()
    assert not any(_uploads_dir(TARGETS).iterdir())


def test_a_target_changed_after_the_preview_is_shown_again_before_anything_is_written(made, gp):
    target_set(kpi=made["146"], financial_year=2025, by=gp, value=Decimal(90))
    client = signed_in(gp)
    upload(client, csv_file(good_rows()))
    target_set(kpi=made["146"], financial_year=2025, by=gp, value=Decimal(91))
    html = client.post(CONFIRM, {"token": client.session[SESSION_KEY]["token"]}).content.decode()
    assert "Targets changed after your preview" in html
    assert Target.objects.get(kpi__reference="146", period=None).value == 91
    assert Target.objects.count() == 1
    client.post(CONFIRM, {"token": client.session[SESSION_KEY]["token"]})  # confirmed again
    assert Target.objects.get(kpi__reference="146", period=None).value == 95
    assert Target.objects.count() == 4


def test_a_file_that_matches_whats_stored_has_nothing_to_import(made, gp):
    targets_import(data=csv_file(good_rows()), filename="t.csv", by=gp, apply=True)
    html = upload(signed_in(gp), csv_file(good_rows())).content.decode()
    assert "Every row matches what is already stored: there is nothing to import." in html


# The download, in the import's own format -----------------------------------------------------


def _set_many(made) -> None:
    """Targets of every shape: whole and fractional numbers, pence, notes, intervention levels,
    annual and per-period, two years."""
    q1 = ReportingPeriod.objects.get(kind="quarter", financial_year=2025, number=1)
    october = ReportingPeriod.objects.get(kind="month", financial_year=2025, number=7)
    by = system_actor()
    target_set(
        kpi=made["146"],
        financial_year=2025,
        by=by,
        value=Decimal("72.5"),
        intervention_level=Decimal("65.25"),
        note="Agreed, with the contractor",
    )
    target_set(kpi=made["146"], financial_year=2026, by=by, value=Decimal("80"))
    target_set(kpi=made["162"], financial_year=2025, by=by, value=Decimal("2400000.50"))
    target_set(kpi=made["162"], financial_year=2025, by=by, value=Decimal(600000), period=q1)
    target_set(kpi=made["110"], financial_year=2025, by=by, value=Decimal(8), period=october)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_download_imported_unchanged_changes_nothing(made, gp, file_format):
    _set_many(made)
    before, history = stored(), Target.history.count()
    client = signed_in(gp)
    response = client.get(reverse("targets:download", args=[file_format]))
    assert response.status_code == 200
    data = response.content

    result = targets_import(data=data, filename=f"t.{file_format}", by=gp, apply=True)
    assert result.ok and result.applied
    assert result.counts == {"new": 0, "changed": 0, "unchanged": 5, "error": 0}
    assert stored() == before
    assert Target.history.count() == history  # not one change recorded

    html = upload(client, data, f"targets.{file_format}").content.decode()
    assert "Every row matches what is already stored" in html


def test_the_download_is_the_import_format_row_for_row(made, gp):
    _set_many(made)
    table = read_table(
        signed_in(gp).get(reverse("targets:download", args=["csv"])).content, "t.csv"
    )
    assert table.headers == HEADERS
    assert table.rows[0] == {
        "reference": "110",
        "financial_year": "2025/26",
        "period": "2025/26 Oct",
        "value": "8",
        "intervention_level": "",
        "note": "",
    }
    first_146 = next(row for row in table.rows if row["reference"] == "146")
    assert (first_146["value"], first_146["intervention_level"]) == ("72.5", "65.25")
    money = [row["value"] for row in table.rows if row["reference"] == "162"]
    assert money == ["2400000.5", "600000"]  # the annual target before the quarter's


def test_the_targets_page_downloads_the_year_and_directorate_it_shows(made, gp, directorate):
    _set_many(made)
    elsewhere = KpiFactory(reference="400", directorate=DirectorateFactory(short_name="CEF"))
    target_set(kpi=elsewhere, financial_year=2025, by=gp, value=Decimal(5))
    client = signed_in(gp)
    page = client.get(
        reverse("reporting:targets"), {"year": 2025, "directorate": directorate.pk}
    ).content.decode()
    query = f"year=2025&amp;directorate={directorate.pk}"
    assert f"{reverse('targets:download', args=['csv'])}?{query}" in page
    response = client.get(
        reverse("targets:download", args=["csv"]), {"year": 2025, "directorate": directorate.pk}
    )
    assert response["Content-Disposition"] == 'attachment; filename="targets-2025-26.csv"'
    table = read_table(response.content, "t.csv")
    assert {row["reference"] for row in table.rows} == {"146", "162", "110"}
    assert {row["financial_year"] for row in table.rows} == {"2025/26"}


def test_the_commands_export_and_import_the_same_file(made, gp, tmp_path):
    _set_many(made)
    before = stored()
    path = tmp_path / "targets.xlsx"
    out = io.StringIO()
    call_command("export_targets", str(path), "--year", "2025/26", stdout=out)
    assert "Exported 4 targets" in out.getvalue()
    out = io.StringIO()
    call_command("import_targets", str(path), stdout=out)
    assert "0 new, 0 changed, 4 unchanged" in out.getvalue()
    assert stored() == before


def test_contextual_kpis_targets_are_left_out_of_the_download(made, gp):
    _set_many(made)
    Kpi.objects.filter(reference="146").update(target_kind=Kpi.TargetKind.CONTEXTUAL)
    table = read_table(
        signed_in(gp).get(reverse("targets:download", args=["csv"])).content, "t.csv"
    )
    assert "146" not in {row["reference"] for row in table.rows}
    result = targets_import(
        data=signed_in(gp).get(reverse("targets:download", args=["csv"])).content,
        filename="t.csv",
        by=gp,
        apply=False,
    )
    assert result.ok and {row.outcome for row in result.rows} == {Outcome.UNCHANGED}
