from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.db import models


class OutboundEmail(models.Model):
    """An e-mail to send, stored with the record that caused it.

    The row is written in the same transaction as that record, so a message is never lost
    and never sent for something that was rolled back. A task sends it; a worker claims
    the row with a conditional update, so a retry or a second worker never sends twice.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=50)
    to = models.EmailField()
    language = models.CharField(max_length=10)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    gave_up_at = models.DateTimeField(null=True, blank=True)
    # A serious adverse-event notice: sent before every other message (outbox.URGENT_QUEUE).
    urgent = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["sent_at", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to}"

    @staticmethod
    def backoff(attempts: int) -> timedelta:
        """Wait before the next try: 1, 2, 4 ... minutes, at most 6 hours."""
        return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))

    def is_due(self, now: datetime) -> bool:
        return self.sent_at is None and self.gave_up_at is None and self.next_attempt_at <= now


class RateLimitKey(models.Model):
    """One row per scope and client (a keyed hash, not the address): the times of its most
    recent counted actions, at most as many as the limit.

    Rate limits live in the database, in the transaction that stores the action, so they
    hold across every server process and a refused action leaves nothing behind. Each
    action writes the row first, which locks it until the transaction ends: parallel
    requests from one client are counted one after the other, never both seeing room for
    one more (PostgreSQL; SQLite's immediate transactions queue every writer anyway).
    `last_at` lets the worker drop the rows of clients gone quiet.
    """

    scope = models.CharField(max_length=30)
    client = models.CharField(max_length=64)
    last_at = models.DateTimeField(db_index=True)
    recent = models.JSONField(default=list)  # POSIX times of counted actions, oldest first

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "client"], name="ratelimitkey_scope_client")
        ]

    def __str__(self) -> str:
        return f"{self.scope} last at {self.last_at:%Y-%m-%d %H:%M}"
