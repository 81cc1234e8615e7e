"""The committee packs' background tasks (django-tasks), for `make worker`: generating and
publishing a pack (`reports.services`), and publishing a scheduled pack on its papers date
(`reports.scheduling`). Tasks queued before the generation task moved to `reports.services`
still find it here."""

from reports.scheduling import publish_scheduled_pack
from reports.services import generate_pack

__all__ = ["generate_pack", "publish_scheduled_pack"]
