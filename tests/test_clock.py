"""The product's clock: real time by default, a chosen moment inside `frozen`."""

import datetime
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.utils import timezone

from kpis.register.models import Directorate
from kpis.register.services import record_change
from pmf import clock

JULY = timezone.make_aware(datetime.datetime(2025, 7, 14, 10, 30))
MARCH = timezone.make_aware(datetime.datetime(2024, 3, 1, 9, 0))


def test_by_default_it_tells_the_real_time():
    before = timezone.now()
    moment = clock.now()
    assert before <= moment <= timezone.now()
    assert timezone.is_aware(moment)
    assert not clock.is_frozen()
    assert clock.localdate() == timezone.localdate()


def test_frozen_it_tells_the_chosen_moment_and_afterwards_the_real_time_again():
    with clock.frozen(JULY) as at:
        assert at == JULY
        assert clock.now() == JULY
        assert clock.localdate() == datetime.date(2025, 7, 14)
        assert clock.is_frozen()
    assert clock.now() > JULY
    assert not clock.is_frozen()


def test_frozen_blocks_nest_and_each_restores_the_one_outside():
    with clock.frozen(MARCH):
        with clock.frozen(JULY):
            assert clock.now() == JULY
        assert clock.now() == MARCH
    assert not clock.is_frozen()


def test_it_is_restored_when_the_block_raises():
    with pytest.raises(RuntimeError), clock.frozen(JULY):
        raise RuntimeError("boom")
    assert not clock.is_frozen()


def test_it_refuses_a_naive_moment():
    with pytest.raises(ValueError, match="aware"), clock.frozen(datetime.datetime(2025, 7, 14)):
        pass


def test_a_frozen_clock_belongs_to_its_own_thread():
    with clock.frozen(JULY), ThreadPoolExecutor(max_workers=1) as pool:
        elsewhere = pool.submit(clock.is_frozen).result()
    assert elsewhere is False


@pytest.mark.django_db
def test_history_records_carry_the_frozen_moment():
    directorate = Directorate(name="Place", short_name="P")
    with clock.frozen(MARCH):
        record_change(directorate, by=None, reason="Added")
        directorate.save()
    with clock.frozen(JULY):
        directorate.name = "Place and Sustainability"
        directorate.save()  # not through record_change: still dated by the clock

    dates = list(
        directorate.history.order_by("history_date").values_list("history_date", flat=True)
    )
    assert dates == [MARCH, JULY]
