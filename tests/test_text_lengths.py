"""Text people type at length has a limit that suits it, held by the form (with the GOV.UK
character count), by every import (a row error) and by the database (a CHECK constraint).

A 3 MB commentary was once accepted; its committee pack took 80 s and 1.26 GB to render.
"""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from committees.models import Meeting
from kpis.register.io import register_import
from kpis.register.models import KPI_TEXT_LENGTHS, Kpi
from kpis.register.tests.factories import CommitteeFactory, KpiFactory
from kpis.reporting.io import values_import
from kpis.reporting.models import MEASUREMENT_TEXT_LENGTHS, Measurement, ReportingPeriod
from kpis.reporting.services import period_reopen
from kpis.reporting.tests.factories import make_measurement, make_period
from pmf.spreadsheets import write_csv
from reports.models import DRAFT_TEXT_LENGTHS, PackDraft

COMMENTARY = MEASUREMENT_TEXT_LENGTHS["commentary"]


def test_the_limits_suit_their_use():
    assert COMMENTARY == 5000 and MEASUREMENT_TEXT_LENGTHS["action_plan"] == 5000
    assert DRAFT_TEXT_LENGTHS["background"] >= 10_000


@pytest.fixture
def period(db):
    return make_period()  # 2025/26 Q2, open


@pytest.fixture
def kpi(owner, directorate):
    return KpiFactory(reference="169", lead_officer=owner, directorate=directorate)


def _entry(period, kpi, **fields) -> dict:
    data = {f"e{period.pk}-{kpi.pk}-version": "0", "action": "draft"}
    data |= {f"e{period.pk}-{kpi.pk}-{name}": value for name, value in fields.items()}
    return data


def _commentary_textarea(page: str, period, kpi) -> str:
    name = f"e{period.pk}-{kpi.pk}-commentary"
    return re.search(rf'<textarea[^>]*name="{name}"[^>]*>', page).group()


def test_the_entry_page_counts_characters_and_refuses_too_many(client, owner, period, kpi):
    client.force_login(owner)
    page = client.get("/my-kpis/").content.decode()
    assert 'data-module="govuk-character-count" data-maxlength="5000"' in page
    assert "You can enter up to 5,000 characters" in page
    textarea = _commentary_textarea(page, period, kpi)
    assert "govuk-js-character-count" in textarea and "maxlength" not in textarea
    assert f"id_e{period.pk}-{kpi.pk}-commentary-info" in textarea  # aria-describedby

    response = client.post("/my-kpis/", _entry(period, kpi, value="80", commentary="x" * 5001))

    assert response.status_code == 200
    assert "Commentary must be 5,000 characters or less" in response.content.decode()
    assert not Measurement.objects.exists()
    client.post("/my-kpis/", _entry(period, kpi, value="80", commentary="x" * 5000))
    assert len(Measurement.objects.get().commentary) == 5000


def test_the_values_import_refuses_a_commentary_too_long_as_a_row_error(owner, period, kpi):
    data = write_csv(
        ["reference", "period", "value", "commentary", "action_plan"],
        [["169", "2025/26 Q2", "80", "x" * (COMMENTARY + 1), "y" * 5001]],
    )

    result = values_import(data=data, filename="v.csv", by=owner, apply=True)

    assert not result.applied and not Measurement.objects.exists()
    messages = {error.column: error.message for error in result.errors}
    assert messages["commentary"] == "Commentary must be 5,000 characters or less"
    assert messages["action_plan"] == "The action plan must be 5,000 characters or less"


def test_the_register_import_refuses_a_definition_too_long_as_a_row_error(gp, directorate):
    headers = ["reference", "name", "directorate", "level", "perspective", "metric_category"]
    headers += ["frequency", "unit", "direction", "leading_or_lagging", "target_kind"]
    headers += ["date_added", "definition"]
    row = ["500", "Streets", "P&S", "Operational", "Residents", "Local authority", "Quarterly"]
    row += ["%", "Higher is better", "Lagging", "Annual target", "2024-04-01", "d" * 4001]

    result = register_import(data=write_csv(headers, [row]), filename="r.csv", by=gp)

    assert not result.applied and not Kpi.objects.exists()
    assert [(e.row, e.column) for e in result.errors] == [(2, "definition")]
    assert "4000 characters or less: it has 4001" in result.errors[0].message


@pytest.mark.parametrize(
    ("model", "field", "limit"),
    [
        ("measurement", "commentary", 5000),
        ("measurement", "returned_reason", 2000),
        ("kpi", "status_reason", 2000),
        ("kpi", "definition", 4000),
        ("draft", "background", 10000),
    ],
)
def test_the_database_refuses_text_over_its_limit_whoever_writes_it(
    owner, period, kpi, model, field, limit
):
    rows = {
        "measurement": lambda: Measurement.objects.filter(pk=make_measurement(kpi, period).pk),
        "kpi": lambda: Kpi.objects.filter(pk=kpi.pk),
        "draft": lambda: PackDraft.objects.filter(
            pk=PackDraft.objects.create(
                meeting=Meeting.objects.create(
                    committee=CommitteeFactory(), date=datetime.date(2026, 6, 22)
                )
            ).pk
        ),
    }[model]()
    rows.update(**{field: "x" * limit})  # at the limit: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(**{field: "x" * (limit + 1)})


def test_the_approver_return_reason_counts_characters_and_is_held_to_its_limit(
    client, approver, owner, period, kpi
):
    measurement = make_measurement(kpi, period, 80, status="submitted", submitted_by=owner)
    client.force_login(approver)
    page = client.get(reverse("entry:approvals")).content.decode()
    assert 'data-maxlength="2000"' in page and f"return-{measurement.pk}-reason-info" in page

    response = client.post(
        reverse("entry:return"),
        {"measurement": measurement.pk, "version": measurement.version, "reason": "r" * 2001},
    )

    assert "must be 2,000 characters or less" in response.content.decode()
    measurement.refresh_from_db()
    assert measurement.status == Measurement.Status.SUBMITTED and not measurement.returned_reason


def test_the_pack_narrative_form_counts_characters_and_refuses_too_many(client, gp):
    meeting = Meeting.objects.create(committee=CommitteeFactory(), date=datetime.date(2026, 6, 22))
    client.force_login(gp)
    url = reverse("reports:edit", args=[meeting.pk])
    page = client.get(url).content.decode()
    assert 'data-maxlength="10000"' in page and "You can enter up to 10,000 characters" in page
    background = re.search(r'<textarea[^>]*name="background"[^>]*>', page).group()
    assert "govuk-js-character-count" in background and "maxlength" not in background
    assert "id_background-info" in background

    posted = {"to": "Cabinet", "from_text": "Head of G&P", "outcome": "o", "recommendations": "r"}
    response = client.post(url, posted | {"background": "b" * 10_001})

    assert "Background must be 10,000 characters or less" in response.content.decode()
    assert not PackDraft.objects.exists()


def test_services_refuse_a_reason_too_long(gp, db):
    period = make_period(state=ReportingPeriod.State.LOCKED)
    with pytest.raises(ValidationError, match="2,000 characters or less"):
        period_reopen(period=period, by=gp, reason="r" * 2001)
    period.refresh_from_db()
    assert period.is_locked


def test_the_register_form_holds_a_kpi_definition_to_its_limit(client, gp, directorate):
    kpi = KpiFactory(reference="169", directorate=directorate)
    client.force_login(gp)
    page = client.get(reverse("kpis:edit", args=["169"])).content.decode()
    assert f'data-maxlength="{KPI_TEXT_LENGTHS["definition"]}"' in page
    response = client.post(reverse("kpis:edit", args=["169"]), {"definition": "d" * 4001})
    assert "Definition must be 4,000 characters or less" in response.content.decode()
    kpi.refresh_from_db()
    assert kpi.definition != "d" * 4001
