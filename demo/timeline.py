"""The council's history as steps in date order, each run with the product's clock set to it.

The loader does not write rows itself: it schedules what the council's people would have done
(G&P open a period, an officer submits a value, an approver signs it off) as steps, and runs them
oldest first through the product's imports and services inside `pmf.clock.frozen`, so every
record and history row carries the moment it describes. Each step checks first whether its work
is already done, so a second load the same day changes nothing.
"""

import datetime
import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from pmf import clock


def seeded(seed: str) -> random.Random:
    """A generator seeded from text (crc32, not Python's salted hash), so every load agrees."""
    return random.Random(zlib.crc32(seed.encode()))


def at_hour(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def working_moment(day: datetime.date, seed: str) -> datetime.datetime:
    """A moment in working hours on `day`, the same for the same seed on every load."""
    rng = seeded(seed)
    return at_hour(day, rng.randint(8, 16), rng.randint(0, 59))


def days_in(bounds: list[int], seed: str) -> datetime.timedelta:
    """A whole number of days within [low, high], picked by the seed."""
    low, high = bounds
    return datetime.timedelta(days=seeded(seed).randint(low, high))


@dataclass(order=True)
class _Step:
    at: datetime.datetime
    order: int
    run: Callable[[], None] = field(compare=False)


class Timeline:
    """Steps to run at moments up to `now`, the moment the demo is loaded."""

    def __init__(self, now: datetime.datetime) -> None:
        self.now = now
        self._steps: list[_Step] = []

    def add(
        self, at: datetime.datetime, run: Callable[[], None], *, catch_up: bool = False
    ) -> None:
        """Schedule `run` at `at`. A step after `now` is left out, or with `catch_up` run at `now`:
        work on a period that has already ended (lock it, sign its values off) is done by now."""
        if at > self.now:
            if not catch_up:
                return
            at = self.now
        self._steps.append(_Step(at, len(self._steps), run))

    def run(self) -> None:
        for step in sorted(self._steps):
            with clock.frozen(step.at):
                step.run()
        self._steps.clear()
