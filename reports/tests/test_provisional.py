"""A pack reports approved values, marks submitted ones provisional, and never carries a draft or
a returned value, their commentary or their action plans: in its data, its HTML and its PDF.

Of the eight KPIs' latest quarter: 203 (red) is submitted, not yet approved; 201 is a draft and
202 was returned; the rest are approved.
"""

import pytest

from kpis.reporting.models import Measurement
from reports import rendering, selectors
from reports.tests.factories import committee_pack
from reports.tests.helpers import pdf_text

pytestmark = pytest.mark.django_db

SENTENCE = "1 of 8 ratings is provisional: submitted, not yet approved."
SECRETS = ("DRAFT-COMMENTARY", "DRAFT-PLAN", "RETURNED-COMMENTARY", "RETURNED-PLAN", "WHY-RETURNED")


@pytest.fixture(scope="module")
def pack(module_db):
    _, meeting, kpis, history = committee_pack(8)
    latest = {kpi.reference: Measurement.objects.get(kpi=kpi, period=history[-1]) for kpi in kpis}
    Status = Measurement.Status
    latest["203"].status = Status.SUBMITTED
    latest["201"].status = Status.DRAFT
    latest["201"].commentary, latest["201"].action_plan = "DRAFT-COMMENTARY", "DRAFT-PLAN"
    latest["202"].status = Status.RETURNED
    latest["202"].commentary, latest["202"].action_plan = "RETURNED-COMMENTARY", "RETURNED-PLAN"
    latest["202"].returned_reason = "WHY-RETURNED"
    Measurement.objects.bulk_update(
        latest.values(), ["status", "commentary", "action_plan", "returned_reason"]
    )
    data = selectors.pack_data(selectors.meeting_for_pack(meeting.pk))
    html = rendering.render_html(data)
    return {"data": data, "html": html, "pdf": rendering.html_to_pdf(html).pdf}


def _row(data: dict, reference: str) -> dict:
    return next(
        row for group in data["scorecard"] for row in group["rows"] if row["reference"] == reference
    )


def test_the_data_marks_the_provisional_value_and_leaves_out_work_in_progress(pack):
    data = pack["data"]
    assert _row(data, "203")["provisional"] and not _row(data, "207")["provisional"]
    assert (_row(data, "201")["current"], _row(data, "201")["rating"]) == ("", "not_reported")
    assert _row(data, "202")["commentary"] == _row(data, "202")["action_plan"] == ""
    assert (data["provisional_count"], data["provisional_text"]) == (1, SENTENCE)
    assert next(line for line in data["summary"] if line["label"] == "Red")["provisional"] == 1
    assert data["not_reported"]["count"] == 2
    assert [kpi["reference"] for kpi in data["body_kpis"]] == ["203", "207"]
    for section in data["appendix"]:
        for point in section["points"]:
            assert point["value_display"] != "Not reported" or section["reference"] in (
                "201",
                "202",
            )
    text = repr(data)
    for secret in SECRETS:
        assert secret not in text, secret


def test_the_html_marks_the_provisional_value_wherever_it_appears(pack):
    html = pack["html"]
    assert SENTENCE in html
    assert "Such values are marked “(provisional)” throughout this report" in html
    # The red indicators' table, their commentary, the scorecard appendix, its own section and
    # its values over time.
    assert html.count("50% (provisional)") == 4
    assert "2025/26 Q4: 50% (provisional)".replace(" ", "\N{NO-BREAK SPACE}") in html
    for secret in SECRETS:
        assert secret not in html, secret


def test_the_pdf_says_so_too(pack):
    text = pdf_text(pack["pdf"])
    flat = " ".join(text.replace("\N{NO-BREAK SPACE}", " ").split())
    assert SENTENCE in flat
    assert flat.count("50% (provisional)") >= 4
    for secret in SECRETS:
        assert secret not in flat, secret
