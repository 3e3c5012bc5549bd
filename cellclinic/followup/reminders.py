"""Reminders: one e-mail at a time to a family whose follow-up is due, stopped once it has
answered (run by the task `followup.tasks.send_reminder` and the worker's sweep)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cellclinic.followup.links import followup_url, program_definition
from cellclinic.followup.models import FollowUp, Reminder
from cellclinic.inquiries.emails import family_email_queue
from cellclinic.lib.instruments import PERIODS


def reminder_send(*, reminder_id: int) -> bool:
    """Send one reminder if it is due, unsent and its follow-up unanswered; True if sent.

    Skipped instead once the family has answered, once the window has closed, or when a
    later reminder is due too (a late schedule, a worker down): one e-mail, not a burst.
    The row is claimed by a conditional update; the e-mail goes through the retrying
    outbox in the family's language, with a fresh personal link.
    """
    now = timezone.now()
    reminder = (
        Reminder.objects.select_related("followup__patient__inquiry").filter(pk=reminder_id).first()
    )
    if reminder is None:
        return False
    followup = reminder.followup
    today = timezone.localdate(timezone=ZoneInfo(settings.CLINIC_TIME_ZONE))
    if (
        followup.answered_at is not None
        or followup.state(today) == FollowUp.State.MISSED
        or Reminder.objects.filter(
            followup=followup,
            due_at__gt=reminder.due_at,
            due_at__lte=now,
            sent_at__isnull=True,
            skipped_at__isnull=True,
        ).exists()
    ):
        Reminder.objects.filter(pk=reminder_id, sent_at__isnull=True).update(skipped_at=now)
        return False
    with transaction.atomic():
        claimed = Reminder.objects.filter(
            pk=reminder_id, sent_at__isnull=True, skipped_at__isnull=True, due_at__lte=now
        ).update(sent_at=now)
        if not claimed:
            return False
        inquiry = followup.patient.inquiry
        definition = program_definition(followup.patient)
        family_email_queue(
            inquiry,
            kind="followup_reminder",
            template="followup/email/reminder",
            context={
                "program_name": definition.name.get(inquiry.reply_language) if definition else "",
                "period": PERIODS.get(followup.timepoint, followup.timepoint),  # lazy: its language
                "link": followup_url(followup),
                "first": reminder.days_after_due == 0,
            },
        )
    return True


def reminders_due(*, limit: int = 500) -> int:
    """Send every reminder that is due (the worker's sweep: a lost task never loses one)."""
    now = timezone.now()
    ids = list(
        Reminder.objects.filter(
            due_at__lte=now, sent_at__isnull=True, skipped_at__isnull=True
        ).values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in ids if reminder_send(reminder_id=pk))
