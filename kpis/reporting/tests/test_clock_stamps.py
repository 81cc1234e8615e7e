"""Every moment the reporting cycle stamps comes from the product's clock (`pmf.clock`)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from kpis.register.tests.factories import KpiFactory
from kpis.reporting.io import values_import
from kpis.reporting.models import Measurement
from kpis.reporting.services import Entry, measurement_approve, measurement_save
from kpis.reporting.tests.factories import make_period
from pmf import clock

SUBMITTED = timezone.make_aware(datetime.datetime(2025, 10, 14, 11, 0))
APPROVED = timezone.make_aware(datetime.datetime(2025, 10, 17, 15, 30))
IMPORTED = timezone.make_aware(datetime.datetime(2025, 10, 6, 9, 0))


@pytest.fixture
def kpi(owner, directorate, approver):
    return KpiFactory(reference="169", lead_officer=owner, directorate=directorate)


def test_a_submission_and_its_sign_off_carry_the_clocks_moments(kpi, owner, approver):
    period = make_period()
    with clock.frozen(SUBMITTED):
        value = measurement_save(
            kpi=kpi,
            period=period,
            by=owner,
            entry=Entry(value=Decimal(72), commentary="On target."),
            expected_version=None,
            submit=True,
        )
    with clock.frozen(APPROVED):
        value = measurement_approve(measurement=value, by=approver, expected_version=value.version)

    assert (value.submitted_at, value.approved_at) == (SUBMITTED, APPROVED)
    history = value.history.order_by("history_date")
    assert [(r.history_change_reason, r.history_date) for r in history] == [
        ("Submitted", SUBMITTED),
        ("Approved", APPROVED),
    ]


def test_an_import_and_its_history_carry_the_clocks_moment(kpi, gp):
    make_period()
    data = b"reference,period,value\n169,2025/26 Q2,72\n"

    with clock.frozen(IMPORTED):
        result = values_import(data=data, filename="values.csv", by=gp, apply=True)

    assert result.ok
    record = Measurement.history.get()
    assert record.history_date == IMPORTED
    assert Measurement.objects.get().updated_at == IMPORTED
