"""E-mails to the sender of a contact message, in the language they asked for, queued in
the outbox; and the acknowledgement each new message gets once."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from cellclinic.contact.models import ContactMessage
from cellclinic.core.clinic import clinic
from cellclinic.core.models import OutboundEmail
from cellclinic.core.outbox import outbox_enqueue_rendered

logger = logging.getLogger(__name__)
ACKNOWLEDGEMENT = "contact_acknowledgement"
REPLY = "contact_reply"
INVITATION = "contact_invitation"


def sender_email_queue(
    message: ContactMessage, *, kind: str, template: str, context: dict[str, Any]
) -> OutboundEmail:
    """An e-mail to the sender in their reply language, signed by the clinic, queued in the
    outbox. `template` names `<template>_subject.txt` and `<template>_body.txt`."""
    email = outbox_enqueue_rendered(
        kind=kind,
        to=message.email,
        language=message.language,
        template=template,
        context={"message": message, "clinic": clinic(), **context},
    )
    message.emails.add(email)
    return email


def contact_acknowledgement_queue(*, message: ContactMessage) -> bool:
    """Queue the sender's acknowledgement, once: returns False if it was queued before (the
    task that calls this may run again)."""
    with transaction.atomic():
        ContactMessage.objects.select_for_update().filter(pk=message.pk).values_list("pk").first()
        if message.emails.filter(kind=ACKNOWLEDGEMENT).exists():
            return False
        sender_email_queue(
            message, kind=ACKNOWLEDGEMENT, template="contact/email/acknowledgement", context={}
        )
    return True


def acknowledgements_pending(*, limit: int = 500) -> int:
    """Queue the acknowledgement of recent messages whose task never did (a worker that died
    while running it); returns how many. A message gets two minutes for its task first, and
    one older than a week is left alone."""
    now = timezone.now()
    missing = ContactMessage.objects.filter(
        created_at__lt=now - timedelta(minutes=2), created_at__gte=now - timedelta(days=7)
    ).exclude(emails__kind=ACKNOWLEDGEMENT)
    queued = 0
    for message in missing[:limit]:
        try:
            queued += contact_acknowledgement_queue(message=message)
        except Exception:  # one that cannot be queued never holds up the rest of the sweep
            logger.exception("the acknowledgement of message %s could not be queued", message.uuid)
    return queued
