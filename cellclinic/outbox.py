"""The e-mail outbox: queue a message with its record, send it by a task, retry on failure."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from cellclinic.models import OutboundEmail

if TYPE_CHECKING:
    from cellclinic.inquiries.models import Inquiry

logger = logging.getLogger(__name__)
CLAIM_SECONDS = 300


def outbox_enqueue(
    *, kind: str, to: str, language: str, subject: str, body: str, inquiry: Inquiry | None = None
) -> OutboundEmail:
    """Store the message now; the send task is enqueued only when the transaction commits."""
    email = OutboundEmail.objects.create(
        kind=kind,
        to=to,
        language=language,
        subject=subject,
        body=body,
        inquiry=inquiry,
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: _schedule(email.pk, None))
    return email


def _schedule(email_id: int, when: datetime | None) -> None:
    from cellclinic.tasks import send_email

    task = send_email if when is None else send_email.using(run_after=when)
    task.enqueue(email_id=email_id)


def outbox_send(*, email_id: int) -> bool:
    """Send one message if it is still unsent and not held by another worker.

    Returns True when this call sent it. A failure records the error and schedules the
    next attempt with a growing delay, until EMAIL_RETRY_LIMIT attempts have been made.
    """
    now = timezone.now()
    claimed = OutboundEmail.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        pk=email_id,
        sent_at__isnull=True,
        gave_up_at__isnull=True,
    ).update(claimed_until=now + timedelta(seconds=CLAIM_SECONDS), attempts=F("attempts") + 1)
    if not claimed:
        return False
    email = OutboundEmail.objects.get(pk=email_id)
    try:
        EmailMessage(
            subject=email.subject,
            body=email.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email.to],
        ).send()
    except Exception as exc:  # any transport failure is retried later
        logger.warning("e-mail %s failed on attempt %s: %s", email.uuid, email.attempts, exc)
        failed_at = timezone.now()
        email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        email.claimed_until = None
        if email.attempts >= settings.EMAIL_RETRY_LIMIT:
            email.gave_up_at = failed_at
            email.save(update_fields=["last_error", "claimed_until", "gave_up_at"])
            return False
        email.next_attempt_at = failed_at + OutboundEmail.backoff(email.attempts)
        email.save(update_fields=["last_error", "claimed_until", "next_attempt_at"])
        _schedule(email.pk, email.next_attempt_at)
        return False
    OutboundEmail.objects.filter(pk=email_id).update(sent_at=timezone.now(), claimed_until=None)
    return True


def outbox_requeue_due(*, grace_seconds: int = 600) -> int:
    """Re-enqueue messages whose task was lost (for example a crash before enqueueing).

    Safe to run often: sending claims the row, so a message queued twice goes out once.
    """
    cutoff = timezone.now() - timedelta(seconds=grace_seconds)
    due = OutboundEmail.objects.filter(
        sent_at__isnull=True, gave_up_at__isnull=True, next_attempt_at__lte=cutoff
    ).filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=timezone.now()))
    count = 0
    for email_id in due.values_list("pk", flat=True):
        _schedule(email_id, None)
        count += 1
    return count
