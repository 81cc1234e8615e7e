"""The product's clock: the moment every service, import and history record stamps.

Normally it is `django.utils.timezone.now()`. Inside `frozen(at)` it is `at`, so that work done on
behalf of the past carries the date it describes: the demo loader replays the council's history
with the clock set to each step, and a value approved in July 2025 is recorded as approved then.
The frozen moment is held in a ContextVar, so it belongs to the code inside the block (one thread,
one task) and never leaks into another request.
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

_frozen_at: ContextVar[datetime.datetime | None] = ContextVar("pmf_clock_frozen_at", default=None)


def now() -> datetime.datetime:
    """The current moment, time-zone aware: the frozen one inside `frozen`, else the real one."""
    return _frozen_at.get() or timezone.now()


def localdate() -> datetime.date:
    """Today's date in the council's time zone, by this clock."""
    return timezone.localdate(now())


def is_frozen() -> bool:
    return _frozen_at.get() is not None


@contextmanager
def frozen(at: datetime.datetime) -> Iterator[datetime.datetime]:
    """Make `now()` answer `at` inside the block; blocks nest, and each restores the one outside."""
    if timezone.is_naive(at):
        raise ValueError("The clock can only be frozen at a time-zone aware moment.")
    token = _frozen_at.set(at)
    try:
        yield at
    finally:
        _frozen_at.reset(token)


def date_history_record(sender, *, history_instance, **kwargs) -> None:
    """While the clock is frozen, date every history record by it.

    django-simple-history dates a record by the instance's `_history_date` (which
    `record_change` sets) or else the real time; saves that do not pass through `record_change`
    (a register import's KPIs, a committee set's memberships, many-to-many changes) would
    otherwise be dated today.
    """
    if is_frozen():
        history_instance.history_date = now()
