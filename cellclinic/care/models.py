from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cellclinic.lib.status_machine import StatusChangeBase


class Patient(models.Model):
    """A person accepted into a program after a physician's consultation.

    Made from the inquiry it came from; its consent, plan, procedures and adverse events
    hang off it, and its status moves as they are recorded (PatientStatusChange rows).
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


class PatientStatusChange(StatusChangeBase):
    """Every move of a patient's status is a row: who, when, from, to and why (the
    workflow's machine writes it; the patient's history leaves the status to it)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="status_changes")

    @property
    def from_label(self) -> str:
        """The status before, as a person reads it (the row keeps the code)."""
        return str(dict(Patient.Status.choices).get(self.from_status, self.from_status))

    @property
    def to_label(self) -> str:
        return str(dict(Patient.Status.choices).get(self.to_status, self.to_status))


class ConsentDocument(models.Model):
    """One version of the informed-consent text of a program in one language.

    Versions are never changed once made: a signature points at the exact text signed.
    The version in force is the newest of its program and language.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    language = models.CharField(max_length=10)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    body = models.TextField(help_text="plain text; a line starting with '# ' is a heading")
    statements = models.JSONField(help_text="the statements the signer ticks one by one")
    created_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program", "language", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "language", "version"], name="consent_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"consent {self.language} v{self.version}"

    def blocks(self) -> list[tuple[str, str]]:
        """The body as (kind, text) blocks: headings and paragraphs, for safe rendering."""
        out: list[tuple[str, str]] = []
        paragraph: list[str] = []
        for line in [*self.body.splitlines(), ""]:
            text = line.strip()
            if text and not text.startswith("# "):
                paragraph.append(text)
                continue
            if paragraph:
                out.append(("paragraph", " ".join(paragraph)))
                paragraph = []
            if text.startswith("# "):
                out.append(("heading", text[2:].strip()))
        return out


class ConsentSignature(models.Model):
    """A patient's or guardian's signature of one consent version, with what was signed.

    `snapshot` is the page exactly as signed (HTML, read-only), `snapshot_sha256` its hash.
    """

    class Method(models.TextChoices):
        IN_PERSON = "in_person", _("In person at the clinic")
        FAMILY_LINK = "family_link", _("Through the family's personal link")

    class SignerRole(models.TextChoices):
        PATIENT = "patient", _("The patient")
        PARENT = "parent", _("Parent")
        GUARDIAN = "guardian", _("Legal guardian or representative")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    document = models.ForeignKey(ConsentDocument, on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField(max_length=200)
    signer_role = models.CharField(max_length=20, choices=SignerRole.choices)
    statements = models.JSONField(help_text="each statement as shown, every one ticked")
    method = models.CharField(max_length=20, choices=Method.choices)
    witnessed_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField()
    address = models.CharField(max_length=64, help_text="the client address it was signed from")
    user_agent = models.CharField(max_length=300, blank=True)
    snapshot = models.TextField()
    snapshot_sha256 = models.CharField(max_length=64)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)
    withdrawn_recorded_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["signed_at", "pk"]

    def __str__(self) -> str:
        return f"consent signature {self.uuid}"


class Route(models.TextChoices):
    LUMBAR_PUNCTURE = "lumbar_puncture", _("Lumbar puncture")
    INTRAVENOUS = "intravenous", _("Intravenous")
    STEREOTACTIC = "stereotactic", _("Stereotactic")


# Routes that are a cell administration of the plan (the intravenous supplement goes with them).
ADMINISTRATION_ROUTES = (Route.LUMBAR_PUNCTURE, Route.STEREOTACTIC)
ADMINISTRATION_KINDS = (SessionKind.LUMBAR_PUNCTURE, SessionKind.STEREOTACTIC)
# The cell sessions of a plan (a procedure is recorded for each) and the route each one names.
SESSION_ROUTES = {
    SessionKind.LUMBAR_PUNCTURE: Route.LUMBAR_PUNCTURE,
    SessionKind.INTRAVENOUS: Route.INTRAVENOUS,
    SessionKind.STEREOTACTIC: Route.STEREOTACTIC,
}


class DoseUnit(models.TextChoices):
    MILLION_CELLS = "million_cells", _("million cells")
    CELLS = "cells", _("cells")
    MILLION_CELLS_PER_KG = "million_cells_per_kg", _("million cells per kg")
    CELLS_PER_KG = "cells_per_kg", _("cells per kg")
    ML = "ml", _("mL")


class Procedure(models.Model):
    """A procedure done to a patient; corrections keep every earlier value (history)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="procedures")
    consent = models.ForeignKey(ConsentSignature, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(
        PlannedSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    performed_at = models.DateTimeField()
    route = models.CharField(max_length=20, choices=Route.choices)
    cell_type = models.CharField(max_length=200)
    dose = models.DecimalField(max_digits=14, decimal_places=4)
    dose_unit = models.CharField(max_length=30, choices=DoseUnit.choices)
    operator = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["performed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.route} at {self.performed_at:%Y-%m-%d %H:%M}"

    @property
    def is_administration(self) -> bool:
        """A cell administration of the plan (the intravenous supplement goes with one)."""
        return self.route in ADMINISTRATION_ROUTES


class Relation(models.TextChoices):
    UNRELATED = "unrelated", _("Unrelated")
    UNLIKELY = "unlikely", _("Unlikely")
    POSSIBLE = "possible", _("Possible")
    PROBABLE = "probable", _("Probable")
    DEFINITE = "definite", _("Definite")


class AdverseEvent(models.Model):
    """An adverse event: CTCAE grade, seriousness, and its relation judged separately to
    the cells and to each procedure (blank where the patient did not have it)."""

    class Category(models.TextChoices):
        NERVOUS_SYSTEM = "nervous_system", _("Nervous system (headache, seizure, ...)")
        GENERAL = "general", _("General (fever, fatigue, ...)")
        INFECTION = "infection", _("Infection")
        IMMUNE = "immune", _("Immune or allergic reaction")
        PROCEDURE_SITE = "procedure_site", _("At the puncture or infusion site")
        MUSCULOSKELETAL = "musculoskeletal", _("Musculoskeletal (back pain, ...)")
        GASTROINTESTINAL = "gastrointestinal", _("Gastrointestinal (nausea, vomiting, ...)")
        CARDIOVASCULAR = "cardiovascular", _("Heart and blood vessels")
        RESPIRATORY = "respiratory", _("Breathing")
        PSYCHIATRIC = "psychiatric", _("Behaviour, mood or sleep")
        SKIN = "skin", _("Skin")
        OTHER = "other", _("Other")

    class Seriousness(models.TextChoices):
        DEATH = "death", _("Resulted in death")
        LIFE_THREATENING = "life_threatening", _("Life-threatening")
        HOSPITALISATION = "hospitalisation", _("Hospitalisation or a longer stay")
        DISABILITY = "disability", _("Persistent or significant disability")
        CONGENITAL = "congenital_anomaly", _("Congenital anomaly")
        MEDICALLY_IMPORTANT = "medically_important", _("Other medically important event")

    class Action(models.TextChoices):
        NONE = "none", _("None")
        TREATED = "treated", _("Treated with medication or care")
        POSTPONED = "postponed", _("Next administration postponed")
        DOSE_REDUCED = "dose_reduced", _("Dose reduced")
        STOPPED = "stopped", _("Treatment stopped")
        OTHER = "other", _("Other")

    class Outcome(models.TextChoices):
        RECOVERED = "recovered", _("Recovered")
        RECOVERING = "recovering", _("Recovering")
        NOT_RECOVERED = "not_recovered", _("Not recovered")
        SEQUELAE = "recovered_with_sequelae", _("Recovered with lasting effects")
        FATAL = "fatal", _("Fatal")
        UNKNOWN = "unknown", _("Unknown")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="adverse_events")
    procedure = models.ForeignKey(
        Procedure, null=True, blank=True, on_delete=models.PROTECT, related_name="adverse_events"
    )
    description = models.TextField()
    category = models.CharField(max_length=30, choices=Category.choices)
    grade = models.PositiveSmallIntegerField()
    serious = models.BooleanField()
    seriousness = models.JSONField(default=list, blank=True)
    relation_cells = models.CharField(max_length=20, choices=Relation.choices)
    relation_lumbar_puncture = models.CharField(max_length=20, choices=Relation.choices, blank=True)
    relation_infusion = models.CharField(max_length=20, choices=Relation.choices, blank=True)
    relation_surgery = models.CharField(max_length=20, choices=Relation.choices, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    onset_date = models.DateField()
    resolved_date = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    director_notified_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["onset_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(grade__gte=1, grade__lte=5), name="adverse_event_grade_1_5"
            )
        ]

    def __str__(self) -> str:
        return f"adverse event {self.uuid} (grade {self.grade})"
