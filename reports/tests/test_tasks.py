"""Background generation with the database queue (`manage.py db_worker`), and scale-out."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from reports import selectors, services
from reports.models import PackJob, PackVersion

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
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    command = [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload"]
    workers = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
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
