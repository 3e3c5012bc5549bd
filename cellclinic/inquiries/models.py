from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cellclinic.lib.status_machine import StatusChangeBase


class Status(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    SCREENING = "screening", _("Screening")
    CONSULTATION = "consultation", _("Consultation")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Source(models.TextChoices):
    WEB = "web", "web form"
    API = "api", "API"


class Inquiry(models.Model):
    """What a family sent, exactly as checked, with the program version it answered.

    `answers` holds every answer keyed by item id; the few columns beside it copy what
    staff search and sort by.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=11, unique=True)
    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="inquiries"
    )
    program_version = models.ForeignKey(
        "programs.ProgramVersion", on_delete=models.PROTECT, related_name="inquiries"
    )
    answers = models.JSONField()
    language = models.CharField(max_length=10, help_text="Language of the page it was sent from")
    reply_language = models.CharField(max_length=10)
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField()
    patient_name = models.CharField(max_length=200)
    country = models.CharField(max_length=2)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    source = models.CharField(max_length=10, choices=Source.choices)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    assigned_to = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    first_contact_at = models.DateTimeField(null=True, blank=True)
    # What needs staff, kept on the row so the queue shows and filters it without a query
    # per row (docs/staff.md, "Unread"). `last_activity_at`: the latest family message or
    # upload, message to the family or status move. The family's latest reply or upload is
    # `family_activity_at`; until the assignee (or, with nobody assigned, anyone on the
    # desk) opens the inquiry's page after it, it is unread: `unread_since` holds when the
    # first unread one came, and `unread_reply` / `unread_upload` what it was.
    last_activity_at = models.DateTimeField(default=timezone.now)
    family_activity_at = models.DateTimeField(null=True, blank=True)
    unread_since = models.DateTimeField(null=True, blank=True)
    unread_reply = models.BooleanField(default=False)
    unread_upload = models.BooleanField(default=False)
    # The e-mails written to the family about this inquiry (the outbox, in core, knows
    # nothing of inquiries); deleting the inquiry deletes them (`delete_its_emails`).
    emails = models.ManyToManyField(
        "cellclinic.OutboundEmail", related_name="inquiries", blank=True
    )
    # The attention columns are bookkeeping written by queryset updates: not history.
    history = HistoricalRecords(
        excluded_fields=[
            "answers",
            "last_activity_at",
            "family_activity_at",
            "unread_since",
            "unread_reply",
            "unread_upload",
        ]
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "inquiries"
        indexes = [
            # The queue: newest first, keyset-paginated on (created_at, id), often by status.
            models.Index(fields=["-created_at", "-id"], name="inquiry_queue"),
            models.Index(fields=["status", "-created_at", "-id"], name="inquiry_queue_status"),
            models.Index(fields=["program", "-created_at", "-id"], name="inquiry_queue_program"),
            # "Waiting for me": a coordinator's inquiries with something unread (few rows,
            # so the count in the navigation bar of every staff page stays cheap).
            models.Index(
                fields=["assigned_to", "-created_at", "-id"],
                condition=models.Q(unread_since__isnull=False),
                name="inquiry_unread_assignee",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_unread(self) -> bool:
        """The family wrote or sent a document that the assignee has not opened yet."""
        return self.unread_since is not None


class StatusChange(StatusChangeBase):
    """Every change of an inquiry's status is a row: who, when, from, to and why (the
    workflow's machine writes it; the inquiry's history leaves the status to it)."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="status_changes")


class Note(models.Model):
    """An internal note by staff; never shown to the family."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="internal_notes")
    author = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"note by {self.author_id}"


class Message(models.Model):
    """One message of the thread between the clinic and the family."""

    class Direction(models.TextChoices):
        OUT = "out", _("to the family")
        IN = "in", _("from the family")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    author = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.direction} message {self.uuid}"


def document_path(instance: Document, filename: str) -> str:
    # The stored name carries no part of what the family called the file.
    return f"inquiries/{instance.inquiry.uuid}/{instance.uuid}.{instance.kind}"


class Document(models.Model):
    """A medical record the family uploaded. Stored privately; it has no public URL."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=document_path, max_length=200)
    original_name = models.CharField(max_length=255)
    kind = models.CharField(max_length=10)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} document {self.uuid}"


class IdempotencyKey(models.Model):
    """An API client's Idempotency-Key, the body it came with and what it created."""

    key = models.CharField(max_length=200, unique=True)
    body_hash = models.CharField(max_length=64)
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key


def delete_its_emails(sender: type[Inquiry], instance: Inquiry, **kwargs: object) -> None:
    """An inquiry's e-mails go with it (they hold the family's address and words)."""
    instance.emails.all().delete()
