"""Provisional values never pass as final, and work in progress never reaches a reader: on the
scorecard page, the KPI chart page and every export, with real rows of every status.

KPI 101 has an approved value for the quarter, KPI 102 a submitted one (provisional), KPI 103 a
returned one and KPI 104 a draft; each draft and returned row carries text that must appear
nowhere.
"""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kpis.register.models import Kpi
from kpis.register.tests.factories import KpiFactory
from scorecards.tests.helpers import period, target, value

PROVISIONAL = "Provisional: submitted, not yet approved"
SUMMARY_SENTENCE = "1 of 4 ratings is provisional: submitted, not yet approved."
#: Text of the draft and returned rows: never shown to anyone outside the entry and sign-off pages.
SECRETS = (
    "DRAFT-COMMENTARY",
    "DRAFT-PLAN",
    "RETURNED-COMMENTARY",
    "RETURNED-PLAN",
    "RETURN-REASON",
    "12.34%",
    "56.78%",
)


@pytest.fixture
def q2(db):
    return period("quarter", 2025, 2)


@pytest.fixture
def kpis(q2, directorate):
    q1 = period("quarter", 2025, 1)
    made = {}
    for reference, status, amount, extra in [
        ("101", "approved", 81, {"commentary": "APPROVED-COMMENTARY"}),
        ("102", "submitted", 77, {"commentary": "PROVISIONAL-COMMENTARY"}),
        (
            "103",
            "returned",
            "56.78",
            {
                "commentary": "RETURNED-COMMENTARY",
                "action_plan": "RETURNED-PLAN",
                "returned_reason": "RETURN-REASON",
            },
        ),
        ("104", "draft", "12.34", {"commentary": "DRAFT-COMMENTARY", "action_plan": "DRAFT-PLAN"}),
    ]:
        kpi = KpiFactory(
            reference=reference,
            name=f"Measure {reference}",
            directorate=directorate,
            level=Kpi.Level.STRATEGIC,
        )
        target(kpi, 80)
        value(kpi, q1, 79, rating="amber")
        value(kpi, q2, amount, status=status, rating="red", **extra)
        made[reference] = kpi
    return made


@pytest.fixture
def reader(client, viewer):
    client.force_login(viewer)
    return client


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _by_reference(rows: list[list]) -> dict[str, dict]:
    headers = rows[0]
    return {row[1]: dict(zip(headers, row, strict=True)) for row in rows[1:]}


def test_the_scorecard_page_marks_the_provisional_value_and_hides_work_in_progress(
    reader, q2, kpis
):
    body = reader.get(reverse("scorecards:organisation", args=[q2.pk])).content.decode()
    assert "APPROVED-COMMENTARY" in body and "PROVISIONAL-COMMENTARY" in body
    assert body.count(PROVISIONAL) == 1  # the submitted value's row, and only it
    assert SUMMARY_SENTENCE in body
    for secret in SECRETS:
        assert secret not in body, secret
    card = reader.get(reverse("scorecards:organisation", args=[q2.pk])).context["card"]
    rows = {row.reference: row for row in card.rows}
    assert rows["102"].provisional and not rows["101"].provisional
    assert rows["103"].current_display == rows["104"].current_display == ""  # not reported
    assert card.not_reported.count == 2


def test_the_scorecard_page_links_its_rag_summary_beside_the_csv(reader, q2, kpis):
    body = reader.get(reverse("scorecards:organisation", args=[q2.pk]), {"level": "strategic"})
    summary = reverse("scorecards:organisation_summary", args=[q2.pk])
    csv_link = reverse("scorecards:organisation_export", args=[q2.pk, "csv"])
    text = body.content.decode()
    assert f'href="{csv_link}?level=strategic">CSV</a> and its <a class="govuk-link" ' in text
    assert f'href="{summary}?level=strategic">RAG summary (CSV)</a>' in text


def test_the_kpi_chart_page_marks_a_provisional_value(reader, kpis):
    body = reader.get(reverse("scorecards:kpi", args=["102"])).content.decode()
    assert f"2025/26 Q2: 77% ({PROVISIONAL})" in body
    assert "77% (provisional)" in body  # the chart's data table
    assert "79%" in body and "PROVISIONAL-COMMENTARY" in body


@pytest.mark.parametrize("reference", ["103", "104"])
def test_the_kpi_chart_page_never_shows_a_draft_or_returned_value(reader, kpis, reference):
    response = reader.get(reverse("scorecards:kpi", args=[reference]))
    body = response.content.decode()
    for secret in SECRETS:
        assert secret not in body, secret
    row = response.context["row"]
    assert (row.period_label, row.current_display) == ("2025/26 Q1", "79%")  # the last reported
    assert [point.label for point in row.points] == ["2025/26 Q1"]


@pytest.mark.parametrize("name", ["organisation_export", "directorate_export", "committee_export"])
def test_the_csv_marks_provisional_values_in_a_column(reader, q2, kpis, directorate, name):
    from kpis.register.tests.factories import CommitteeFactory

    committee = CommitteeFactory(short_name="SRP")
    for kpi in kpis.values():
        kpi.memberships.create(committee=committee, started_on=kpi.date_added)
    scope = {"organisation_export": [], "directorate_export": [directorate.pk]}.get(
        name, [committee.pk]
    )
    response = reader.get(reverse(f"scorecards:{name}", args=[*scope, q2.pk, "csv"]))
    text = response.content.decode("utf-8-sig")
    for secret in SECRETS:
        assert secret not in text, secret
    rows = _by_reference(_csv(response))
    assert {ref: row["Value status"] for ref, row in rows.items()} == {
        "101": "Approved",
        "102": PROVISIONAL,
        "103": "Not reported",
        "104": "Not reported",
    }
    assert rows["102"]["Performance (current period)"] == "77%"
    assert rows["103"]["Performance (current period)"] == "" == rows["104"]["Commentary"]


def test_the_xlsx_has_the_rag_summary_on_its_own_sheet_and_marks_provisional_values(
    reader, q2, kpis
):
    response = reader.get(reverse("scorecards:organisation_export", args=[q2.pk, "xlsx"]))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["2025 26 Q2", "RAG summary"]
    data = [[cell.value for cell in row] for row in book["2025 26 Q2"].iter_rows()]
    status = data[0].index("Value status")
    assert {row[1]: row[status] for row in data[1:]} == {
        "101": "Approved",
        "102": PROVISIONAL,
        "103": "Not reported",
        "104": "Not reported",
    }
    cells = [cell for row in data for cell in row]
    for secret in SECRETS:
        assert not any(secret in str(cell) for cell in cells), secret
    summary = [[cell.value for cell in row] for row in book["RAG summary"].iter_rows()]
    assert summary[0] == [
        "Status",
        "Number of KPIs",
        "Percentage (%)",
        "Of which provisional (submitted, not yet approved)",
    ]
    lines = {row[0]: row[1:] for row in summary[1:] if row[0]}
    assert lines["Red"] == [2, 100, 1]
    assert lines["Total"] == [2, 100, 1]
    assert lines["Not reported (not in the total; percentage of all 4 KPIs)"] == [2, 50, 0]
    assert [SUMMARY_SENTENCE, None, None, None] in summary
    assert book["RAG summary"].freeze_panes == "A2"


def test_the_summary_csv_has_every_line_and_the_provisional_count(reader, q2, kpis):
    response = reader.get(reverse("scorecards:organisation_summary", args=[q2.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        'filename="scorecard-organisation-2025-26-q2-rag-summary.csv"'
        in (response["Content-Disposition"])
    )
    rows = _csv(response)
    assert rows[0][-1] == "Of which provisional (submitted, not yet approved)"
    labels = [row[0] for row in rows[1:10]]
    assert labels == [
        "Blue",
        "Green",
        "Amber",
        "Red",
        "Contextual",
        "Baseline",
        "In development",
        "Suspended",
        "Total",
    ]
    assert rows[4] == ["Red", "2", "100", "1"]
    assert rows[10] == ["Not reported (not in the total; percentage of all 4 KPIs)", "2", "50", "0"]
    assert rows[-1] == [SUMMARY_SENTENCE]


def test_the_summary_csv_follows_the_level_filter_and_every_scope(reader, q2, kpis, directorate):
    KpiFactory(reference="900", level=Kpi.Level.CORPORATE, directorate=directorate)
    everything = _csv(
        reader.get(reverse("scorecards:directorate_summary", args=[directorate.pk, q2.pk]))
    )
    assert everything[-1] == ["1 of 5 ratings is provisional: submitted, not yet approved."]
    strategic = _csv(
        reader.get(
            reverse("scorecards:directorate_summary", args=[directorate.pk, q2.pk]),
            {"level": "strategic", "rag": "green"},  # the RAG filter never narrows a summary
        )
    )
    assert strategic[-1] == [SUMMARY_SENTENCE]


def test_the_summary_csv_is_for_signed_in_readers_only(client, q2, kpis, django_user_model):
    url = reverse("scorecards:organisation_summary", args=[q2.pk])
    assert client.get(url).status_code == 302
    client.force_login(django_user_model.objects.create_user("nobody", password="x-long-pass-1"))
    assert client.get(url).status_code == 403


def test_the_summary_csv_of_an_unknown_period_or_scope_is_not_found(reader, q2):
    assert reader.get(reverse("scorecards:organisation_summary", args=[9999])).status_code == 404
    for name in ("directorate_summary", "committee_summary"):
        assert reader.get(reverse(f"scorecards:{name}", args=[9999, q2.pk])).status_code == 404


def test_the_summary_csv_takes_the_same_queries_for_few_and_many_kpis(reader, q2, kpis):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("scorecards:organisation_summary", args=[q2.pk])
    reader.get(url)
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert reader.get(url).status_code == 200
        counts.append(len(queries))
        for n in range(30):
            kpi = KpiFactory(level=Kpi.Level.STRATEGIC)
            value(kpi, q2, n, status=("submitted", "draft", "approved")[n % 3])
    assert counts[0] == counts[1]
