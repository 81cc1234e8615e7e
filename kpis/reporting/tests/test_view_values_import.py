import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kpis.reporting.models import Measurement, RagPolicy, ReportingPeriod
from kpis.reporting.tests.test_values_io import (  # noqa: F401 (cycle is a fixture)
    _many,
    csv_file,
    cycle,
    good_rows,
    make_period,
)
from kpis.reporting.views import VALUES, _session_key, _uploads_dir

SESSION_KEY = _session_key(VALUES)

pytestmark = pytest.mark.usefixtures("cycle")

UPLOAD = reverse("values:upload")
CONFIRM = reverse("values:confirm")
CANCEL = reverse("values:cancel")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, data: bytes, name: str = "values.csv", **extra):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, data), **extra})


def waiting_files() -> list:
    folder = _uploads_dir(VALUES)
    return sorted(folder.iterdir()) if folder.exists() else []


def test_the_upload_page_shows_the_form(owner):
    response = signed_in(owner).get(UPLOAD)

    assert response.status_code == 200
    assert b'type="file"' in response.content
    assert b"Historic load" not in response.content


def test_gp_gets_the_historic_load_checkbox(gp):
    response = signed_in(gp).get(UPLOAD)

    assert b"Historic load into closed periods" in response.content


def test_upload_preview_confirm(owner):
    client = signed_in(owner)

    preview = upload(client, csv_file(good_rows()))

    assert preview.status_code == 200
    assert b"Confirm import" in preview.content
    assert preview.content.count(b"govuk-tag--green") == 3
    assert not Measurement.objects.exists()
    assert len(waiting_files()) == 1
    token = client.session[SESSION_KEY]["token"]

    done = client.post(CONFIRM, {"token": token}, follow=True)

    assert done.redirect_chain[-1][0] == UPLOAD
    assert b"Imported values.csv: 3 new, 0 changed, 0 unchanged." in done.content
    assert Measurement.objects.count() == 3
    assert Measurement.objects.filter(entered_by=owner, status="draft").count() == 3
    assert waiting_files() == []
    assert SESSION_KEY not in client.session


def test_nothing_is_written_without_confirmation_and_cancel_deletes_the_file(owner):
    client = signed_in(owner)
    upload(client, csv_file(good_rows()))
    token = client.session[SESSION_KEY]["token"]

    response = client.post(CANCEL, {"token": token}, follow=True)

    assert b"Import cancelled" in response.content
    assert not Measurement.objects.exists()
    assert waiting_files() == []
    assert client.post(CONFIRM, {"token": token}).status_code == 302
    assert not Measurement.objects.exists()


def test_a_new_upload_replaces_the_one_waiting(owner):
    client = signed_in(owner)
    upload(client, csv_file(good_rows()))
    first = client.session[SESSION_KEY]["token"]

    upload(client, csv_file(good_rows()[:1]))

    assert client.session[SESSION_KEY]["token"] != first
    assert len(waiting_files()) == 1
    client.post(CONFIRM, {"token": first})
    assert not Measurement.objects.exists()


def test_another_user_cannot_confirm_my_upload(owner, colleague):
    mine = signed_in(owner)
    upload(mine, csv_file(good_rows()))
    token = mine.session[SESSION_KEY]["token"]

    response = signed_in(colleague).post(CONFIRM, {"token": token}, follow=True)

    assert b"There is no upload of yours waiting" in response.content
    assert not Measurement.objects.exists()
    assert len(waiting_files()) == 1  # still mine to confirm
    mine.post(CONFIRM, {"token": token})
    assert Measurement.objects.count() == 3


def test_a_file_with_errors_shows_every_problem_and_keeps_nothing(owner):
    rows = good_rows() + [["300", "2025/26 Q3", "150", ""], ["nope", "2025/26 Q3", "1", ""]]

    response = upload(signed_in(owner), csv_file(rows))

    content = response.content.decode()
    assert response.status_code == 200
    assert "The file was not imported" in content
    assert "Confirm import" not in content
    assert "There is no KPI with reference “nope”." in content
    assert "Enter a percentage between 0 and 100" in content
    # Errors are listed first in the table of rows.
    assert content.index("govuk-tag--red") < content.index("govuk-tag--green")
    assert waiting_files() == []


def test_a_bad_file_shows_a_clear_message(owner):
    response = upload(signed_in(owner), b"\x00\x01 not a workbook", name="values.xlsx")

    assert "not a real Excel (.xlsx) workbook" in response.content.decode()
    assert not Measurement.objects.exists()


def test_a_file_of_another_kind_is_refused_by_the_form(owner):
    response = upload(signed_in(owner), b"hello", name="values.txt")

    assert b"There is a problem" in response.content
    assert b"must be a CSV or Excel" in response.content


def test_a_file_over_the_size_limit_is_refused(owner, settings):
    settings.MAX_UPLOAD_BYTES = 10

    response = upload(signed_in(owner), csv_file(good_rows()))

    assert b"The file must be smaller than" in response.content
    assert waiting_files() == []


def test_no_file_is_an_error(owner):
    response = signed_in(owner).post(UPLOAD, {})

    assert b"Choose a CSV or Excel file to import" in response.content


def test_a_stale_preview_is_not_written_and_the_new_preview_is_shown(owner):
    client = signed_in(owner)
    upload(client, csv_file(good_rows()))
    token = client.session[SESSION_KEY]["token"]
    # Someone else saves one of the values before the confirmation.
    other = Client()
    other.force_login(owner)
    upload(other, csv_file(good_rows()[:1]))
    other.post(CONFIRM, {"token": other.session[SESSION_KEY]["token"]})
    assert Measurement.objects.count() == 1

    response = client.post(CONFIRM, {"token": token})

    assert b"Values changed after your preview" in response.content
    assert Measurement.objects.count() == 1
    assert client.session[SESSION_KEY]["token"] != token
    client.post(CONFIRM, {"token": client.session[SESSION_KEY]["token"]})
    assert Measurement.objects.count() == 3


def test_gp_can_load_historic_values_on_a_stated_authority(gp):
    client = signed_in(gp)
    data = csv_file([["169", "2025/26 Q2", "70", ""]])
    authority = "2024/25 outturn from the finance system, agreed by G&P"

    preview = upload(client, data, historic="on", authority=f"  {authority} ")
    client.post(CONFIRM, {"token": client.session[SESSION_KEY]["token"]})

    assert b"Historic load into closed periods (stored as approved)" in preview.content
    assert authority in preview.content.decode().replace("&amp;", "&")
    stored = Measurement.objects.get()
    assert stored.is_historic_load and stored.status == "approved"
    assert (stored.historic_authority, stored.loaded_by) == (authority, gp)


def test_a_historic_load_asks_for_its_authority(gp):
    client = signed_in(gp)

    response = upload(client, csv_file([["169", "2025/26 Q2", "70", ""]]), historic="on")

    body = response.content.decode()
    assert "There is a problem" in body
    assert "Say on what authority these historic values are loaded" in body
    assert SESSION_KEY not in client.session
    assert not Measurement.objects.exists()


def test_an_authority_without_a_historic_load_is_not_kept(gp):
    client = signed_in(gp)

    upload(client, csv_file([["169", "2025/26 Q3", "70", ""]]), authority="Agreed by G&P")
    client.post(CONFIRM, {"token": client.session[SESSION_KEY]["token"]})

    stored = Measurement.objects.get()
    assert not stored.is_historic_load and stored.historic_authority == ""


def test_an_officer_cannot_smuggle_in_a_historic_load(owner):
    response = upload(signed_in(owner), csv_file([["169", "2025/26 Q2", "70", ""]]), historic="on")

    assert "2025/26 Q2 is not open for entry." in response.content.decode()
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("who", ["viewer", "clerk", "approver"])
def test_people_without_the_role_are_refused(who, request):
    client = signed_in(request.getfixturevalue(who))

    assert client.get(UPLOAD).status_code == 403
    assert upload(client, csv_file(good_rows())).status_code == 403
    assert client.post(CONFIRM, {"token": "x"}).status_code == 403
    assert not Measurement.objects.exists()


def test_the_outsider_cannot_import_values_for_kpis_they_do_not_own(outsider):
    client = signed_in(outsider)

    response = upload(client, csv_file(good_rows()))

    assert "not the lead officer or a delegate for KPI 169" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert not Measurement.objects.exists()


def test_an_abandoned_upload_is_deleted_by_a_later_upload(owner, settings):
    folder = _uploads_dir(VALUES)
    folder.mkdir(parents=True)
    old, recent = folder / ("0" * 32), folder / ("1" * 32)
    old.write_bytes(b"abandoned")
    recent.write_bytes(b"someone is looking at its preview")
    long_ago = time.time() - settings.SESSION_COOKIE_AGE - 60
    os.utime(old, (long_ago, long_ago))

    upload(signed_in(owner), csv_file(good_rows()))

    assert not old.exists()
    assert recent.exists()


def test_the_preview_uses_the_same_number_of_queries_for_10_and_300_rows(directorate, gp, owner):
    RagPolicy.current()
    client = signed_in(gp)
    counts = []
    for number, size in ((1, 10), (2, 300)):
        period = make_period("quarter", 2023, number, ReportingPeriod.State.OPEN)
        data = csv_file(_many(size, period, directorate, owner))
        client.get(UPLOAD)  # the session and roles are read the same way each time
        with CaptureQueriesContext(connection) as context:
            response = upload(client, data)
        assert response.status_code == 200 and b"Confirm import" in response.content
        counts.append(len(context.captured_queries))

    assert counts[0] == counts[1]


def test_anonymous_people_are_sent_to_sign_in():
    response = Client().get(UPLOAD)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
