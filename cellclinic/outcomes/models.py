"""The outcome registry: treated patients and their assessments (programs.md section 7).

Patients come from a registry import or from the clinic's own care records; assessments
from an import, a clinician's entry or the family's follow-up report. Every outcome figure
is an aggregate over these two tables.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegistryPatient(models.Model):
    """One patient of the registry. `age_band` and `onset_band` are derived from the dates
    when the row is written, so grouping is a plain column."""

    patient_id = models.CharField(max_length=64, unique=True)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    care_patient = models.OneToOneField(
        "care.Patient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registry_entry",
    )
    subtype = models.CharField(max_length=50)
    sex = models.CharField(max_length=10)
    birth_date = models.DateField()
    onset_date = models.DateField(null=True, blank=True)
    first_treatment = models.DateField(null=True, blank=True)
    last_treatment = models.DateField(null=True, blank=True)
    age_band = models.CharField(max_length=10, blank=True)
    onset_band = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["patient_id"]
        indexes = [models.Index(fields=["program", "first_treatment"], name="registry_treated")]

    def __str__(self) -> str:
        return self.patient_id


class Assessment(models.Model):
    """One value of one instrument (and item) at one time point."""

    class Source(models.TextChoices):
        IMPORT = "import", _("Registry import")
        CLINICIAN = "clinician", _("Clinician")
        FAMILY = "family", _("Family")

    patient = models.ForeignKey(
        RegistryPatient, on_delete=models.CASCADE, related_name="assessments"
    )
    timepoint = models.CharField(max_length=10)
    date = models.DateField()
    instrument = models.CharField(max_length=10)
    item = models.CharField(max_length=40, blank=True)
    value = models.CharField(max_length=20)
    score = models.FloatField(help_text="the value as a number (MAS 1+ is 1.5; improved 1)")
    source = models.CharField(max_length=10, choices=Source.choices)
    recorded_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["patient", "timepoint", "instrument", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "timepoint", "instrument", "item"], name="assessment_unique"
            )
        ]
        indexes = [
            models.Index(fields=["instrument", "timepoint", "patient"], name="assessment_lookup")
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.item} at {self.timepoint}".replace("  ", " ")


class RegistryChange(models.Model):
    """One row whose counter moves with every write to the registry: the key of every
    cached figure, read by primary key, so a page knows in a blink whether data changed."""

    version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"registry version {self.version}"

    @classmethod
    def bump(cls) -> None:
        """Called in the transaction of each registry write."""
        if not cls.objects.filter(pk=1).update(version=models.F("version") + 1):
            cls.objects.get_or_create(pk=1, defaults={"version": 1})

    @classmethod
    def current(cls) -> int:
        return cls.objects.filter(pk=1).values_list("version", flat=True).first() or 0


SUMMARY_TIMEPOINTS = ("discharge", "m1", "m3", "m6", "m12")


class OutcomeSummary(models.Model):
    """One row per registry patient with what the outcome table counts: the primary
    measure's score at each time point, the baseline GMFCS level and whether the family
    reported (any domain better) at each time point, and the last treatment date, from
    which each time point's follow-up window, and so whether it is due, is known.

    Derived from the registry rows and rewritten by `summary_refresh` in the transaction of
    every registry write, so the outcome table is one scan of a narrow table instead of
    joins over millions of assessments (bench/outcomes.py). `measure` names the instrument
    summarised; rows of another measure are rebuilt before they are counted.
    """

    patient = models.OneToOneField(
        RegistryPatient, on_delete=models.CASCADE, primary_key=True, related_name="summary"
    )
    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="+")
    measure = models.CharField(max_length=10)
    treated = models.BooleanField()
    subtype = models.CharField(max_length=50)
    age_band = models.CharField(max_length=10, blank=True)
    onset_band = models.CharField(max_length=10, blank=True)
    gmfcs_baseline = models.CharField(max_length=10, blank=True)
    last_treatment = models.DateField(
        null=True, help_text="the registry row's; each time point's window counts from it"
    )
    score_baseline = models.FloatField(null=True)
    score_discharge = models.FloatField(null=True)
    score_m1 = models.FloatField(null=True)
    score_m3 = models.FloatField(null=True)
    score_m6 = models.FloatField(null=True)
    score_m12 = models.FloatField(null=True)
    family_discharge = models.SmallIntegerField(
        default=0, help_text="0 none, 1 answered, 2 some domain better"
    )
    family_m1 = models.SmallIntegerField(default=0)
    family_m3 = models.SmallIntegerField(default=0)
    family_m6 = models.SmallIntegerField(default=0)
    family_m12 = models.SmallIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["program", "treated", "measure"], name="summary_table"),
            models.Index(fields=["program", "measure"], name="summary_measure"),
        ]

    def __str__(self) -> str:
        return f"summary of {self.patient_id}"
