from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Patient(models.Model):
    """A person accepted into a program after a physician's consultation.

    Made from the inquiry it came from; the care issue adds plans, consent and procedures.
    """

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        SCHEDULED = "scheduled", _("Scheduled")
        IN_TREATMENT = "in_treatment", _("In treatment")
        FOLLOW_UP = "follow_up", _("Follow-up")
        CLOSED = "closed", _("Closed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    inquiry = models.OneToOneField(
        "inquiries.Inquiry", on_delete=models.PROTECT, related_name="patient"
    )
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    program_version = models.ForeignKey(
        "programs.ProgramVersion", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACCEPTED)
    accepted_by = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+")
    consultation_note = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"patient {self.uuid}"
