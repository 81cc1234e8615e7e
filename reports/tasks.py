"""Background tasks (django-tasks): generating a committee pack."""

from django_tasks import task

from reports import services


@task()
def generate_pack(job_id: int) -> int | None:
    """Build and publish the pack a PackJob asks for; the job records progress and errors."""
    return services.run_job(job_id)
