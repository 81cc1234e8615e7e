"""The pack task's former address: tasks queued before it moved to `reports.services` (where the
services that queue it live) still find it here."""

from reports.services import generate_pack

__all__ = ["generate_pack"]
