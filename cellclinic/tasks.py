"""Background tasks of the core app. A task loads by id and calls a service."""

from __future__ import annotations

from django_tasks import task

from cellclinic.outbox import outbox_send


@task()
def send_email(*, email_id: int) -> bool:
    return outbox_send(email_id=email_id)
