"""An id no database column can hold, in an address or a form: a 404 or a form error, never a 500.

SQLite cannot bind an integer past 2**63 - 1 and PostgreSQL refuses one beyond its column's type,
so before `pmf.ids` a 25-digit meeting id in a public address was a 500.
"""

import datetime

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter

from committees.models import Meeting
from kpis.register.tests.factories import CommitteeFactory, KpiFactory
from kpis.reporting.tests.factories import make_measurement, make_period
from pmf.ids import MAX_ID, IdConverter, parse_id

TOO_LONG = "1" + "0" * 24  # 25 digits
JUST_TOO_LARGE = str(MAX_ID + 1)  # 19 digits


def _patterns(patterns) -> list[URLPattern]:
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            found += _patterns(entry.url_patterns)
        else:
            found.append(entry)
    return found


def test_no_address_takes_an_unbounded_number():
    """Every number in an address goes through the `id` converter (or its pattern)."""
    unbounded = []
    for pattern in _patterns(get_resolver().url_patterns):
        converters = getattr(pattern.pattern, "converters", {})
        if any(isinstance(c, IntConverter) for c in converters.values()):
            unbounded.append(str(pattern.pattern))
        if "[0-9]+" in pattern.pattern.regex.pattern or r"\d+" in pattern.pattern.regex.pattern:
            unbounded.append(str(pattern.pattern))
    assert not unbounded, unbounded
    assert any(
        isinstance(c, IdConverter)
        for p in _patterns(get_resolver().url_patterns)
        for c in getattr(p.pattern, "converters", {}).values()
    )


def test_parse_id_reads_only_numbers_a_column_can_hold():
    assert parse_id("42") == 42
    assert parse_id(str(MAX_ID)[:18]) == int(str(MAX_ID)[:18])
    for text in (None, "", "-1", "1.5", "42a", "٣", TOO_LONG, JUST_TOO_LARGE, " 42"):
        assert parse_id(text) is None, text


@pytest.fixture
def meeting(db):
    return Meeting.objects.create(committee=CommitteeFactory(), date=datetime.date(2026, 6, 22))


@pytest.mark.parametrize("number", [TOO_LONG, JUST_TOO_LARGE])
def test_public_addresses_with_an_impossible_id_are_not_found(meeting, number):
    client = Client(raise_request_exception=False)
    for url in (
        f"/published/{number}/v1/",
        f"/published/{number}/v1.pdf",
        f"/published/{number}/v1/document/",
        f"/published/{meeting.pk}/v{number}/",
        f"/published/{meeting.pk}/v{number}.pdf",
    ):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("number", [TOO_LONG, JUST_TOO_LARGE, "999999999999999999"])
def test_signed_in_addresses_with_an_impossible_id_are_not_found(gp, meeting, number):
    client = Client(raise_request_exception=False)
    client.force_login(gp)
    for url in (
        f"/packs/meetings/{number}/",
        f"/packs/meetings/{number}/versions/1.pdf",
        f"/packs/meetings/{number}/versions/1/withdraw/",
        f"/committees/meetings/{number}/",
        f"/committees/proposals/{number}/quality/",
        f"/scorecards/directorate/{number}/{number}/",
        f"/scorecards/directorate/{number}/{number}/export.csv",
        f"/reporting/{number}/close/",
        f"/kpis/structure/directorate/{number}/",
    ):
        assert client.get(url).status_code == 404, url


def test_a_form_choosing_rows_by_impossible_ids_shows_an_error(gp, directorate):
    kpi = KpiFactory(reference="169", directorate=directorate)
    client = Client(raise_request_exception=False)
    client.force_login(gp)
    for name in ("committees", "priorities", "delegates"):
        response = client.post(f"/kpis/{kpi.reference}/edit/", {name: TOO_LONG})
        assert response.status_code == 200, name
        assert "govuk-error-summary" in response.content.decode()


def test_sign_off_of_an_impossible_value_id_is_a_bad_request(approver, owner, directorate):
    kpi = KpiFactory(reference="169", directorate=directorate, lead_officer=owner)
    measurement = make_measurement(kpi, make_period(), status="submitted", submitted_by=owner)
    client = Client(raise_request_exception=False)
    client.force_login(approver)
    for posted in (
        {"measurement": TOO_LONG, "version": "1"},
        {"measurement": str(measurement.pk), "version": TOO_LONG},
    ):
        assert client.post("/my-kpis/approvals/approve/", posted).status_code == 400
        assert (
            client.post("/my-kpis/approvals/return/", {**posted, "reason": "x"}).status_code == 400
        )


def test_the_dashboard_and_chasing_ignore_or_refuse_an_impossible_id(gp):
    period = make_period()
    client = Client(raise_request_exception=False)
    client.force_login(gp)
    assert client.get(f"/reporting/{period.pk}/", {"directorate": TOO_LONG}).status_code == 200
    assert client.post(f"/reporting/{period.pk}/chase/", {"kpi": TOO_LONG}).status_code == 404
    chase = client.post(f"/reporting/{period.pk}/chase/", {"chase_directorate": TOO_LONG})
    assert chase.status_code == 404
