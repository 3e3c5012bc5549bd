"""A general "Contact us" message, and the conversation the desk has with its sender.

A question that is not yet an inquiry about a patient: a name, an address, the language to
answer in and the message. Coordinators answer it by e-mail or invite the sender to send an
inquiry; every step is a `ContactEvent` row (who, when, from which status to which).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContactMessage(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("new")
        ANSWERED = "answered", _("answered")
        INVITED = "invited", _("invited to send an inquiry")
        CLOSED = "closed", _("closed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    language = models.CharField(max_length=10, help_text="the language to answer in")
    page_language = models.CharField(max_length=10, help_text="the page's language when sent")
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status, default=Status.NEW)
    # The e-mails written to the sender (the acknowledgement, replies, invitations); the
    # outbox, in core, knows nothing of contact messages. Deleted with the message.
    emails = models.ManyToManyField(
        "cellclinic.OutboundEmail", related_name="contact_messages", blank=True
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="contact_list"),
            models.Index(fields=["status", "-created_at", "-id"], name="contact_list_status"),
        ]

    def __str__(self) -> str:
        return f"contact message {self.uuid}"


class ContactEvent(models.Model):
    """One step of the desk's conversation: a reply, an invitation to inquire, or closing.

    Each row is also the message's status change (`from_status` to `to_status`), so the
    page's timeline and any count read these rows."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("reply")
        INVITATION = "invitation", _("invitation to send an inquiry")
        CLOSED = "closed", _("closed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    message = models.ForeignKey(ContactMessage, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind)
    at = models.DateTimeField(auto_now_add=True)
    author = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+")
    body = models.TextField(blank=True)
    program = models.CharField(max_length=64, blank=True, help_text="the invitation's program")
    from_status = models.CharField(max_length=10, choices=ContactMessage.Status)
    to_status = models.CharField(max_length=10, choices=ContactMessage.Status)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.message_id}"


def delete_its_emails(
    sender: type[ContactMessage], instance: ContactMessage, **kwargs: object
) -> None:
    """A message's e-mails go with it (they hold the sender's address and words)."""
    instance.emails.all().delete()
