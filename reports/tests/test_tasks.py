"""Background generation with the database queue (`manage.py db_worker`), scale-out, and a
worker killed in the middle of publishing."""

import datetime
import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from reports import selectors, services
from reports.models import PackJob, PackVersion, pack_folder

DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db_queue(settings):
    settings.TASKS = DB_BACKEND


@pytest.mark.django_db(transaction=True)
def test_a_db_worker_drains_the_queue_and_publishes_the_pack(setup, db_queue, pack_clerk):
    meeting = selectors.meeting_for_pack(setup[1].pk)
    job = services.pack_request(meeting=meeting, by=pack_clerk)
    job.refresh_from_db()
    assert job.status == PackJob.Status.QUEUED and job.task_id  # queued, not run inline
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay")
    job.refresh_from_db()
    assert job.status == PackJob.Status.DONE
    assert job.version.number == 1 and job.version.pdf_size > 0


@pytest.mark.django_db(transaction=True)
def test_a_job_taken_twice_builds_one_version(setup, pack_clerk):
    meeting = selectors.meeting_for_pack(setup[1].pk)
    job = PackJob.objects.create(meeting=meeting, requested_by=pack_clerk)
    assert services.run_job(job.pk) is not None
    assert services.run_job(job.pk) is None
    assert PackVersion.objects.count() == 1


def _postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks)")


def _worker_env(settings) -> dict[str, str]:
    """A db_worker process's environment: this test's database and media folder."""
    database = settings.DATABASES["default"]
    return {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }


# A db_worker that stops inside the publishing transaction, just after writing the version row
# (it touches the file named by argv[1] to say so), so the test can kill it at that moment.
WORKER_STOPPING_MID_PUBLICATION = """
import os, pathlib, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmf.settings")
django.setup()
from django.core.management import call_command
from reports.models import PackVersion
write_version = PackVersion.save
def write_then_stop(self, *args, **kwargs):
    write_version(self, *args, **kwargs)
    pathlib.Path(sys.argv[1]).touch()
    time.sleep(300)
PackVersion.save = write_then_stop
call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay")
"""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_publishing_at_once_number_the_versions_one_after_the_other(setup, pack_clerk):
    _postgres()
    meeting = selectors.meeting_for_pack(setup[1].pk)
    barrier = threading.Barrier(2)
    errors = []

    def publish():
        try:
            barrier.wait(timeout=10)
            services.pack_publish(meeting=meeting, by=pack_clerk)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(PackVersion.objects.values_list("number", flat=True)) == [1, 2]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_db_worker_processes_never_build_the_same_pack_twice(
    setup, db_queue, pack_clerk, settings
):
    _postgres()
    meeting = selectors.meeting_for_pack(setup[1].pk)
    jobs = [services.pack_request(meeting=meeting, by=pack_clerk) for _ in range(4)]
    command = [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload"]
    workers = [
        subprocess.Popen(
            command,
            cwd=ROOT,
            env=_worker_env(settings),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=300) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    statuses = set(
        PackJob.objects.filter(pk__in=[j.pk for j in jobs]).values_list("status", flat=True)
    )
    assert statuses == {PackJob.Status.DONE}
    numbers = sorted(PackVersion.objects.values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4]  # one version a job, none twice
    assert len(set(PackJob.objects.values_list("version_id", flat=True))) == 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_generation_publishes_nothing_and_the_pack_can_be_made_again(
    setup, db_queue, pack_clerk, settings, tmp_path
):
    _postgres()
    meeting = selectors.meeting_for_pack(setup[1].pk)
    lost = services.pack_request(meeting=meeting, by=pack_clerk)
    written = tmp_path / "version-row-written"
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER_STOPPING_MID_PUBLICATION, str(written)],
        cwd=ROOT,
        env=_worker_env(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 180
        while not written.exists():
            assert worker.poll() is None, worker.communicate()
            assert time.monotonic() < deadline, "the worker never reached the version row"
            time.sleep(0.1)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=30)

    assert not PackVersion.objects.exists()  # the row it wrote went with its transaction
    assert selectors.public_index() == []
    orphans = list((Path(settings.MEDIA_ROOT) / pack_folder(meeting.pk)).iterdir())
    assert len(orphans) == 1  # the PDF file it wrote before the row
    lost.refresh_from_db()
    assert lost.status == PackJob.Status.RUNNING and not lost.is_stalled

    PackJob.objects.filter(pk=lost.pk).update(
        started_at=timezone.now() - datetime.timedelta(seconds=settings.PACK_JOB_TIMEOUT + 1)
    )
    again = services.pack_request(meeting=meeting, by=pack_clerk)
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay")
    lost.refresh_from_db()
    again.refresh_from_db()
    assert lost.status == PackJob.Status.FAILED and lost.error == services.STALLED_ERROR
    assert again.status == PackJob.Status.DONE
    assert list(PackVersion.objects.values_list("number", flat=True)) == [1]
    # The dead worker's file went when its job was marked failed (else the new version's file
    # would have had to take another name beside it).
    version = PackVersion.objects.get()
    pdf = Path(settings.MEDIA_ROOT) / version.pdf.name
    assert sorted(orphans[0].parent.iterdir()) == [pdf.with_suffix(".docx"), pdf]
    assert hashlib.sha256(orphans[0].read_bytes()).hexdigest() == version.sha256
