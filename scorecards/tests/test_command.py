import csv
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from kpis.register.models import Kpi
from kpis.register.tests.factories import CommitteeFactory, DirectorateFactory, KpiFactory
from scorecards.tests.helpers import period, target, value


@pytest.fixture
def data(db):
    q2 = period("quarter", 2025, 2)
    directorate = DirectorateFactory(short_name="P&S", name="Place and Sustainability")
    committee = CommitteeFactory(short_name="SRP")
    kpi = KpiFactory(reference="169", level=Kpi.Level.STRATEGIC, directorate=directorate)
    kpi.memberships.create(committee=committee, started_on=kpi.date_added)
    target(kpi, 75)
    value(kpi, q2, 80, rating="green", commentary="=1+1")
    return q2


@pytest.mark.parametrize("spec", ["organisation", "directorate:P&S", "committee:srp"])
def test_it_writes_a_csv(data, tmp_path, spec):
    out = tmp_path / "card.csv"
    call_command(
        "export_scorecard", scorecard=spec, period="2025/26 Q2", file_format="csv", output=str(out)
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r["KPI reference"] for r in rows] == ["169"]
    assert rows[0]["RAG rating"] == "Green"
    assert rows[0]["Commentary"] == "'=1+1"  # neutralised


def test_it_writes_an_xlsx_with_the_command_line_options(data, tmp_path):
    out = tmp_path / "card.xlsx"
    call_command(
        "export_scorecard",
        "--scorecard",
        "organisation",
        "--period",
        "2025/26 Q2",
        "--format",
        "xlsx",
        "--output",
        str(out),
    )
    sheet = load_workbook(out).active
    assert sheet["A1"].value == "Perspective"
    assert sheet["B2"].value == "169"


@pytest.mark.parametrize(
    ("spec", "label", "message"),
    [
        ("directorate:NOPE", "2025/26 Q2", "no directorate"),
        ("team", "2025/26 Q2", "not a scorecard"),
        ("organisation", "2030/31 Q1", "no reporting period"),
        ("organisation", "Q2 2025", "is not a period"),
    ],
)
def test_it_explains_bad_arguments(data, tmp_path, spec, label, message):
    with pytest.raises(CommandError, match=message):
        call_command(
            "export_scorecard",
            scorecard=spec,
            period=label,
            file_format="csv",
            output=str(tmp_path / "x.csv"),
        )
