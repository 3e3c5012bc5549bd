"""Task rows queued under `cellclinic.tasks.send_email`, before the task moved to
`cellclinic.core.outbox`, still run after an upgrade: the worker finds the task by this path."""

from cellclinic.core.outbox import send_email

__all__ = ["send_email"]
