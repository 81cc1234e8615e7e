"""Data-quality queries in the values import: an import saves drafts, so a row that will be
queried when it is submitted is shown as such in the preview, not refused, and its explanation
column goes with the draft to the entry page."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kpis.reporting.io import Outcome, values_import
from kpis.reporting.models import Measurement
from kpis.reporting.tests.factories import make_measurement
from kpis.reporting.tests.test_values_io import csv_file, cycle  # noqa: F401 (a fixture)

HEADERS = ["reference", "period", "value", "query_explanation"]
QUERY = "This is 1,104% higher than 2025/26 Q2 (100)."


@pytest.fixture
def reported(cycle):  # noqa: F811 (the fixture imported above)
    """KPI 170 (a count) reported 100 in 2025/26 Q2, the quarter before the open one."""
    make_measurement(cycle["kpis"]["count"], cycle["periods"]["closed"], 100, status="approved")
    return cycle


def test_a_row_that_will_be_queried_is_shown_not_refused(reported, owner):
    rows = [["170", "2025/26 Q3", "1,204", ""], ["171", "2025/26 Q3", "12.50", ""]]
    result = values_import(data=csv_file(rows, HEADERS), filename="v.csv", by=owner, apply=False)
    assert result.ok and result.queried == 1
    queried, plain = result.rows
    assert queried.outcome == Outcome.NEW and queried.query == QUERY and not queried.explained
    assert plain.query == ""


def test_the_explanation_column_is_stored_with_the_draft(reported, owner):
    rows = [["170", "2025/26 Q3", "1204", "The new scheme opened to every district."]]
    result = values_import(data=csv_file(rows, HEADERS), filename="v.csv", by=owner, apply=True)
    assert result.applied and result.rows[0].explained
    draft = Measurement.objects.get(period=reported["periods"]["open"])
    assert draft.status == Measurement.Status.DRAFT
    assert draft.query_explanation == "The new scheme opened to every district."
    assert draft.data_query == ""  # asked when it is submitted, not before
    assert draft.history.get().query_explanation == draft.query_explanation


def test_a_historic_load_is_never_queried(reported, gp):
    reported["periods"]["closed"].state = "closed"
    rows = [["169", "2025/26 Q2", "5", ""]]
    make_measurement(reported["kpis"]["pct"], reported["periods"]["locked"], 90, status="approved")
    result = values_import(
        data=csv_file(rows, HEADERS),
        filename="v.csv",
        by=gp,
        apply=False,
        historic=True,
        authority="2025/26 outturn from the finance system",
    )
    assert result.ok and result.queried == 0


def test_the_preview_page_marks_the_queried_rows(client, reported, owner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(owner)
    data = csv_file([["170", "2025/26 Q3", "1204", ""]], HEADERS)
    response = client.post(
        reverse("values:upload"), {"file": SimpleUploadedFile("values.csv", data)}
    )
    page = response.content.decode()
    assert "Values that will be queried" in page
    assert "1 value is far from the KPI's earlier values and will be queried" in page
    assert f"Queried</strong> {QUERY} Explain it when you submit it." in page
    assert "Confirm import" in page  # not an error: it can be imported as a draft
    assert Measurement.objects.filter(value=Decimal(1204)).count() == 0
