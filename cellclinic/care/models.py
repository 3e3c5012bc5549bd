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


class SessionKind(models.TextChoices):
    LUMBAR_PUNCTURE = "lumbar_puncture", _("Cell administration by lumbar puncture")
    INTRAVENOUS = "intravenous", _("Intravenous supplement")
    STEREOTACTIC = "stereotactic", _("Stereotactic administration")
    PHYSIOTHERAPY = "physiotherapy", _("Physiotherapy")
    OCCUPATIONAL_THERAPY = "occupational_therapy", _("Occupational therapy")
    SPEECH_THERAPY = "speech_therapy", _("Speech therapy")


class TreatmentPlan(models.Model):
    """A patient's plan, made from the program's template and then adjusted."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.OneToOneField(Patient, on_delete=models.PROTECT, related_name="plan")
    time_zone = models.CharField(max_length=64, help_text="the clinic's time zone when made")
    created_by = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"plan {self.uuid}"


class PlannedSession(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.CASCADE, related_name="sessions")
    kind = models.CharField(max_length=30, choices=SessionKind.choices)
    starts_at = models.DateTimeField()
    minutes = models.PositiveIntegerField()
    added_by = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.starts_at:%Y-%m-%d %H:%M}"
