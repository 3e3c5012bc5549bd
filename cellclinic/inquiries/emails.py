"""E-mails to the family about its inquiry, queued in the outbox, and the confirmation each
new inquiry gets once."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from cellclinic.core.clinic import clinic
from cellclinic.core.outbox import outbox_enqueue_rendered
from cellclinic.inquiries.family import THREAD_KINDS, family_url
from cellclinic.inquiries.models import Inquiry, Message
from cellclinic.programs.selectors import definition_of

logger = logging.getLogger(__name__)


def family_email_queue(
    inquiry: Inquiry, *, kind: str, template: str, context: dict[str, Any]
) -> None:
    """An e-mail to the family in its reply language, queued in the outbox.

    `template` names `<template>_subject.txt` and `<template>_body.txt`.
    """
    email = outbox_enqueue_rendered(
        kind=kind,
        to=inquiry.contact_email,
        language=inquiry.reply_language,
        template=template,
        context={
            "inquiry": inquiry,
            "clinic_name": settings.CLINIC_NAME,
            "clinic": clinic(),
            **context,
        },
    )
    inquiry.emails.add(email)


def family_notice_send(
    *, inquiry: Inquiry, author: User, kind: str, template: str, context: dict[str, Any]
) -> Message:
    """A message from the clinic written from a template in the family's language: stored
    in the thread, as a staff member's message is, and e-mailed with the personal link.

    `template` names `<template>_message.txt` (the text, the same on the page and in the
    e-mail), `<template>_subject.txt` and `<template>_body.txt` (the e-mail around it).
    """
    if kind not in THREAD_KINDS:
        raise ValueError(f"{kind} is not a kind of message of the thread")
    with translation.override(inquiry.reply_language):
        text = render_to_string(
            f"{template}_message.txt",
            {"inquiry": inquiry, "clinic_name": settings.CLINIC_NAME, **context},
        ).strip()
    message = Message.objects.create(
        inquiry=inquiry, direction=Message.Direction.OUT, author=author, body=text
    )
    family_email_queue(
        inquiry,
        kind=kind,
        template=template,
        context={"body": text, "link": family_url(inquiry), "days": settings.FAMILY_LINK_DAYS},
    )
    return message


def inquiry_accepted_notify(*, inquiry: Inquiry, physician: User, program_name: str) -> Message:
    """Tell the family that the physician accepted after the consultation, and that its
    page will hold the plan, what to bring and the consent."""
    return family_notice_send(
        inquiry=inquiry,
        author=physician,
        kind="inquiry_accepted",
        template="inquiries/email/accepted",
        context={"program_name": program_name},
    )


FRESH_LINK = "family_link"
FRESH_LINK_EVERY = timedelta(hours=1)


def family_link_resend(*, inquiry: Inquiry) -> bool:
    """E-mail the family a fresh personal link, to the address it gave: asked for from an
    expired link, which proves only that a link was once sent there. At most one an hour
    (False when one went out less than an hour ago)."""
    with transaction.atomic():
        Inquiry.objects.select_for_update().filter(pk=inquiry.pk).values_list("pk").first()
        recent = timezone.now() - FRESH_LINK_EVERY
        if inquiry.emails.filter(kind=FRESH_LINK, created_at__gte=recent).exists():
            return False
        family_email_queue(
            inquiry,
            kind=FRESH_LINK,
            template="inquiries/email/fresh_link",
            context={"link": family_url(inquiry), "days": settings.FAMILY_LINK_DAYS},
        )
    return True


CONFIRMATION = "inquiry_confirmation"


def inquiry_confirmation_queue(*, inquiry: Inquiry) -> bool:
    """Queue the family's confirmation e-mail, once: returns False if it was queued before
    (the task that calls this may run again)."""
    with transaction.atomic():
        Inquiry.objects.select_for_update().filter(pk=inquiry.pk).values_list("pk").first()
        if inquiry.emails.filter(kind=CONFIRMATION).exists():
            return False
        definition = definition_of(inquiry.program_version)
        family_email_queue(
            inquiry,
            kind=CONFIRMATION,
            template="inquiries/email/confirmation",
            context={"program_name": definition.name.get(inquiry.reply_language)},
        )
    return True


def confirmations_pending(*, limit: int = 500) -> int:
    """Queue the confirmation of recent inquiries whose follow-through task never did (a
    worker that died while running it); returns how many. An inquiry gets two minutes for
    its task first, and one older than a week is left alone."""
    now = timezone.now()
    missing = (
        Inquiry.objects.filter(
            created_at__lt=now - timedelta(minutes=2), created_at__gte=now - timedelta(days=7)
        )
        .exclude(emails__kind=CONFIRMATION)
        .select_related("program_version")
    )
    queued = 0
    for inquiry in missing[:limit]:
        try:
            queued += inquiry_confirmation_queue(inquiry=inquiry)
        except Exception:  # one that cannot be queued never holds up the rest of the sweep
            logger.exception("the confirmation of inquiry %s could not be queued", inquiry.uuid)
    return queued
