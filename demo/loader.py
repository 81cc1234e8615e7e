"""`load_demo`: the demo council from its data files, through the product's imports and services.

The files (demo/data, see demo/README.md) are resolved against the load date; the council's
history is then replayed step by step (demo/timeline.py) with the product's clock set to each
step, so the demo is always current and every record is dated when it says it happened.
"""

import datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from demo.committee_work import schedule_committee_work
from demo.context import DemoContext
from demo.files import DATA, read_files
from demo.packs import schedule_packs
from demo.people import load_users, schedule_structure
from demo.register import schedule_final_import, schedule_register
from demo.relative import DemoCalendar
from demo.reporting import ReportingCycle
from demo.summary import DemoSummary, Watch
from demo.timeline import Timeline
from kpis.reporting.models import Measurement, ReportingPeriod


def load_demo(*, today: datetime.date | None = None, folder: Path = DATA) -> DemoSummary:
    """Load the demo council as seen from `today` (default: the council's local date).

    Safe to run again: the same day it changes nothing; on a later day it adds what has happened
    since (periods that have ended, meetings held, updates written). Stored values are never
    changed. Everything is written in one transaction.
    """
    today = today or timezone.localdate()
    files = read_files(folder)
    with transaction.atomic():
        watch = Watch()
        context = DemoContext(files, DemoCalendar(today), Timeline(load_moment(today)))
        users_updated = load_users(context)
        _keep_what_is_stored(context)
        schedule_structure(context)
        schedule_register(context)
        ReportingCycle(context).schedule()
        schedule_committee_work(context)
        schedule_packs(context)
        schedule_final_import(context)
        context.timeline.run()
        return watch.summary(users_updated=users_updated)


def load_moment(today: datetime.date) -> datetime.datetime:
    """Now, on the day the demo is loaded as of: the time of day it is, on `today`."""
    now = timezone.localtime()
    if today == now.date():
        return now
    return timezone.make_aware(datetime.datetime.combine(today, now.time().replace(tzinfo=None)))


def _keep_what_is_stored(context: DemoContext) -> None:
    for period in ReportingPeriod.objects.all():
        context.stored.keep_period(period)
    for measurement in Measurement.objects.all():
        context.stored.keep(measurement)
