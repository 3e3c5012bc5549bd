from __future__ import annotations

from django_tasks import task

from cellclinic.followup.reminders import reminder_send


@task()
def send_reminder(*, reminder_id: int) -> bool:
    return reminder_send(reminder_id=reminder_id)
