"""The e-mail outbox: queue a message with its record, send it by a task, retry on failure."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from cellclinic.core.models import OutboundEmail
from cellclinic.lib.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)
# An urgent message (a serious adverse-event notice) goes to its own queue, which
# `cellclinic worker` serves with a lane of its own, and with the highest priority, so
# any worker takes it before the rest: it never waits behind more than one other send.
URGENT_QUEUE = "urgent"
URGENT_PRIORITY = 100


def claim_seconds() -> int:
    """How long a worker holds a row while sending: longer than any send can take.

    A send is about a dozen network steps (connect, greeting, EHLO, TLS, login, MAIL,
    RCPT, DATA, QUIT), each limited to EMAIL_TIMEOUT, so a claim cannot expire while
    its send still runs and a second worker never sends the message again.
    """
    return max(300, 15 * settings.EMAIL_TIMEOUT)


def outbox_enqueue(
    *,
    kind: str,
    to: str,
    language: str,
    subject: str,
    body: str,
    urgent: bool = False,
) -> OutboundEmail:
    """Store the message now; the send task is enqueued only when the transaction commits."""
    email = OutboundEmail.objects.create(
        kind=kind,
        to=to,
        language=language,
        subject=subject,
        body=body,
        urgent=urgent,
        next_attempt_at=timezone.now(),
    )
    _schedule(email.pk, urgent=urgent, when=None, on_commit=True)
    return email


def outbox_enqueue_rendered(
    *, kind: str, to: str, language: str, template: str, context: dict[str, Any]
) -> OutboundEmail:
    """An e-mail written from `<template>_subject.txt` and `<template>_body.txt` in
    `language` (the subject on one line), stored as `outbox_enqueue` does."""
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context)
        body = render_to_string(f"{template}_body.txt", context)
    return outbox_enqueue(
        kind=kind, to=to, language=language, subject=" ".join(subject.split()), body=body
    )


def _schedule(
    email_id: int, *, urgent: bool, when: datetime | None, on_commit: bool = False
) -> None:
    task = send_email.using(
        run_after=when,
        queue_name=URGENT_QUEUE if urgent else None,
        priority=URGENT_PRIORITY if urgent else None,
    )
    if on_commit:
        enqueue_on_commit(task, email_id=email_id)
    else:
        task.enqueue(email_id=email_id)


def outbox_send(*, email_id: int) -> bool:
    """Send one message if it is still unsent and not held by another worker.

    Returns True when this call sent it. A failure (a server that never answers among
    them: every network step waits at most EMAIL_TIMEOUT) records the error and schedules
    the next attempt with a growing delay, until EMAIL_RETRY_LIMIT attempts have been made.
    """
    now = timezone.now()
    claimed = OutboundEmail.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        pk=email_id,
        sent_at__isnull=True,
        gave_up_at__isnull=True,
    ).update(claimed_until=now + timedelta(seconds=claim_seconds()), attempts=F("attempts") + 1)
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
        _schedule(email.pk, urgent=email.urgent, when=email.next_attempt_at)
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
    for email_id, urgent in due.order_by("-urgent", "next_attempt_at").values_list("pk", "urgent"):
        _schedule(email_id, urgent=urgent, when=None)
        count += 1
    return count


@task()
def send_email(*, email_id: int) -> bool:
    """The task that sends one stored message (`outbox_send`)."""
    return outbox_send(email_id=email_id)
