"""Remote follow-up: what is due when, what the family answered, which reminders went out."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from cellclinic.lib.instruments import PERIODS


class FollowUp(models.Model):
    """One follow-up time point of a treated patient: due some months after the last cell
    administration, counted within a window of days either side."""

    class State(models.TextChoices):
        UPCOMING = "upcoming", _("Upcoming")
        DUE = "due", _("Due")
        OVERDUE = "overdue", _("Overdue")
        ANSWERED = "answered", _("Answered")
        MISSED = "missed", _("Missed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("care.Patient", on_delete=models.CASCADE, related_name="followups")
    timepoint = models.CharField(max_length=10)
    due_date = models.DateField()
    window_start = models.DateField()
    window_end = models.DateField()
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "timepoint"], name="followup_unique")
        ]
        indexes = [models.Index(fields=["due_date"], name="followup_due")]

    def __str__(self) -> str:
        return f"{self.timepoint} due {self.due_date}"

    @property
    def period(self) -> str:
        return str(PERIODS.get(self.timepoint, self.timepoint))

    def state(self, today: date) -> str:
        """Answered once the family reported; before the window opens, upcoming; due while
        the window is open and the due date not passed; overdue after the due date while the
        window is still open; missed once the window has closed without an answer."""
        if self.answered_at is not None:
            return self.State.ANSWERED
        if today < self.window_start:
            return self.State.UPCOMING
        if today <= self.due_date:
            return self.State.DUE
        if today <= self.window_end:
            return self.State.OVERDUE
        return self.State.MISSED


class Reminder(models.Model):
    """An e-mail to the family for one follow-up, due at a time; claimed by a conditional
    update so a retry or a second worker never sends it twice; skipped once answered."""

    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="reminders")
    days_after_due = models.PositiveSmallIntegerField()
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    skipped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["followup", "days_after_due"], name="reminder_unique")
        ]

    def __str__(self) -> str:
        return f"reminder +{self.days_after_due}d"

    def is_pending(self, now: datetime) -> bool:
        return self.sent_at is None and self.skipped_at is None and self.due_at <= now
