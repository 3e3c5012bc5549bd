"""Keeps `OutcomeSummary` in step with the registry: one row per patient, recomputed from
the patient's row and assessments whenever either is written."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from cellclinic.outcomes.models import (
    SUMMARY_TIMEPOINTS,
    Assessment,
    OutcomeSummary,
    RegistryPatient,
)
from cellclinic.programs.selectors import program_list

CHUNK = 5000


def _measures() -> dict[int, str]:
    """The primary measure of each program with outcome measures, by program id."""
    return {
        current.version.program_id: current.definition.outcomes.improved.measure
        for current in program_list()
        if current.definition.outcomes is not None
    }


def summary_refresh(
    *, patient_ids: Iterable[int] | None = None, program_id: int | None = None
) -> int:
    """Rewrite the summary rows of these patients (or of a program, or of everyone)."""
    measures = _measures()
    patients = RegistryPatient.objects.all()
    if program_id is not None:
        patients = patients.filter(program_id=program_id)
    ids = (
        list(patient_ids)
        if patient_ids is not None
        else list(patients.values_list("pk", flat=True))
    )
    written = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = {
            p.pk: OutcomeSummary(
                patient_id=p.pk,
                program_id=p.program_id,
                measure=measures.get(p.program_id, ""),
                treated=p.first_treatment is not None,
                subtype=p.subtype,
                age_band=p.age_band,
                onset_band=p.onset_band,
            )
            for p in RegistryPatient.objects.filter(pk__in=chunk).only(
                "pk", "program_id", "first_treatment", "subtype", "age_band", "onset_band"
            )
        }
        for patient_id, timepoint, instrument, item, value, score in Assessment.objects.filter(
            patient_id__in=chunk
        ).values_list("patient_id", "timepoint", "instrument", "item", "value", "score"):
            row = rows.get(patient_id)
            if row is None:
                continue
            if instrument == "domain":
                if timepoint in SUMMARY_TIMEPOINTS:
                    field = f"family_{timepoint}"
                    setattr(row, field, max(getattr(row, field), 2 if value == "improved" else 1))
            elif instrument == row.measure and not item:
                if timepoint == "baseline" or timepoint in SUMMARY_TIMEPOINTS:
                    setattr(row, f"score_{timepoint}", score)
            elif instrument == "gmfcs" and timepoint == "baseline":
                row.gmfcs_baseline = value
        with transaction.atomic():
            OutcomeSummary.objects.filter(patient_id__in=chunk).delete()
            OutcomeSummary.objects.bulk_create(rows.values(), batch_size=CHUNK)
        written += len(rows)
    return written
