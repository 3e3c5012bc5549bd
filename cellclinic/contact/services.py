"""Writes for contact messages. What the sender typed is stored in one transaction first;
the acknowledgement is a task that runs after the commit. The desk's answers are stored with
their e-mail in one transaction (the outbox sends it after the commit, and retries)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from cellclinic.accounts.permissions import can
from cellclinic.contact.emails import INVITATION, REPLY, sender_email_queue
from cellclinic.contact.links import invitation_url
from cellclinic.contact.models import ContactEvent, ContactMessage
from cellclinic.contact.tasks import contact_received
from cellclinic.core.ratelimit import rate_limit_consume
from cellclinic.lib.invalid import Invalid
from cellclinic.lib.tasks import enqueue_on_commit
from cellclinic.programs.selectors import CurrentProgram

CAPABILITY = "contact.answer"
Status = ContactMessage.Status


def contact_submit(
    *,
    name: str,
    email: str,
    language: str,
    body: str,
    page_language: str,
    client: str | None = None,
) -> ContactMessage:
    """Store a checked message and its acknowledgement's task, in one transaction.

    When `client` has sent INQUIRY_RATE_LIMIT messages within INQUIRY_RATE_WINDOW (the
    inquiry's limits, counted apart from inquiries), RateLimited and nothing is written."""
    with transaction.atomic():
        message = ContactMessage.objects.create(
            name=name, email=email, language=language, page_language=page_language, body=body
        )
        enqueue_on_commit(contact_received, message_id=message.pk)
        if client is not None:
            rate_limit_consume(
                scope="contact",
                client=client,
                limit=settings.INQUIRY_RATE_LIMIT,
                window_seconds=settings.INQUIRY_RATE_WINDOW,
            )
    return message


def _step(
    message: ContactMessage, *, kind: str, to: str, author: User, body: str = "", program: str = ""
) -> ContactEvent:
    """Lock the message, record the step as a row and set the new status."""
    if not can(author, CAPABILITY):
        raise Invalid({"form": _("Your role may not do this.")})
    locked = ContactMessage.objects.select_for_update().get(pk=message.pk)
    if to == Status.CLOSED and locked.status == Status.CLOSED:
        raise Invalid({"form": _("This message is closed already.")})
    event = ContactEvent.objects.create(
        message=locked,
        kind=kind,
        author=author,
        body=body,
        program=program,
        from_status=locked.status,
        to_status=to,
    )
    ContactMessage.objects.filter(pk=locked.pk).update(status=to)
    message.status = to
    return event


def contact_reply(*, message: ContactMessage, author: User, body: str) -> ContactEvent:
    """E-mail an answer to the sender in their language, with the clinic's signature; the
    message is then answered."""
    with transaction.atomic():
        event = _step(
            message, kind=ContactEvent.Kind.REPLY, to=Status.ANSWERED, author=author, body=body
        )
        sender_email_queue(
            message, kind=REPLY, template="contact/email/reply", context={"body": body}
        )
    return event


def contact_invite(
    *, message: ContactMessage, author: User, program: CurrentProgram, note: str = ""
) -> ContactEvent:
    """E-mail the sender a link to the program's inquiry form, in their language (the link
    opens the form in it, with their name and address filled in)."""
    with transaction.atomic():
        event = _step(
            message,
            kind=ContactEvent.Kind.INVITATION,
            to=Status.INVITED,
            author=author,
            body=note,
            program=program.slug,
        )
        sender_email_queue(
            message,
            kind=INVITATION,
            template="contact/email/invitation",
            context={
                "note": note,
                "link": invitation_url(event),
                "days": settings.FAMILY_LINK_DAYS,
                "program_name": program.definition.name.get(message.language),
            },
        )
    return event


def contact_close(*, message: ContactMessage, author: User) -> ContactEvent:
    """Nothing more to do (a question answered by telephone, a message that was spam)."""
    with transaction.atomic():
        return _step(message, kind=ContactEvent.Kind.CLOSED, to=Status.CLOSED, author=author)
