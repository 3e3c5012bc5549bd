"""Writes to the registry from the clinic's own records: a care patient's registry row and
the assessments clinicians and families record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from cellclinic.accounts.permissions import can
from cellclinic.care.models import ADMINISTRATION_ROUTES, Patient
from cellclinic.lib.bands import age_band, onset_band
from cellclinic.lib.invalid import Invalid
from cellclinic.outcomes.models import Assessment, RegistryChange, RegistryPatient
from cellclinic.outcomes.summary import summary_refresh
from cellclinic.programs.schema import ProgramDefinition
from cellclinic.programs.selectors import definition_of, program_get


def _current_definition(patient: Patient) -> ProgramDefinition:
    current = program_get(slug=patient.program.slug)
    return current.definition if current else definition_of(patient.program_version)


def _date_answer(answers: dict[str, Any], item: str) -> date | None:
    value = answers.get(item)
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def registry_sync_care(patient: Patient) -> RegistryPatient | None:
    """The patient's registry row, made or brought up to date from the care records:
    subtype, sex and dates from the inquiry, treatment dates from the administrations."""
    definition = _current_definition(patient)
    outcomes = definition.outcomes
    answers = patient.inquiry.answers
    birth = _date_answer(answers, "patient.birth_date")
    if outcomes is None or birth is None:
        return None
    zone = ZoneInfo(settings.CLINIC_TIME_ZONE)
    days = sorted(
        moment.astimezone(zone).date()
        for moment in patient.procedures.filter(route__in=ADMINISTRATION_ROUTES).values_list(
            "performed_at", flat=True
        )
    )
    first = days[0] if days else None
    last = days[-1] if days and patient.status in ("follow_up", "closed") else None
    onset = _date_answer(answers, outcomes.onset_item) if outcomes.onset_item else None
    choices = definition.item(outcomes.subtype_item).choices
    subtype = answers.get(outcomes.subtype_item)
    values = {
        "program": patient.program,
        "subtype": subtype
        if subtype in choices
        else ("unknown" if "unknown" in choices else choices[0]),
        "sex": answers.get("patient.sex") or "unknown",
        "birth_date": birth,
        "onset_date": onset,
        "first_treatment": first,
        "last_treatment": last,
        "age_band": age_band(birth, first) if first else "",
        "onset_band": onset_band(onset, first) if onset and first else "",
    }
    with transaction.atomic():
        row, _created = RegistryPatient.objects.update_or_create(
            care_patient=patient,
            defaults=values,
            create_defaults={**values, "patient_id": f"cc-{patient.inquiry.reference}"},
        )
        summary_refresh(patient_ids=[row.pk])
        RegistryChange.bump()
    return row


@dataclass(frozen=True)
class AssessmentValues:
    """One value of one instrument at one time point, checked by the form that took it
    (`followup/forms.py`): `value` as stored and its `score`."""

    timepoint: str
    instrument: str
    item: str
    value: str
    score: float
    date: date


def assessment_record(
    *, patient: Patient, values: AssessmentValues, by: User | None, source: str
) -> Assessment:
    """A clinician's (or the family's) value of one instrument at one time point; a second
    value for the same time point, instrument and item replaces the first (history kept by
    the access log of who recorded it)."""
    assessment_may_record(by=by, source=source)
    if source == Assessment.Source.FAMILY and values.instrument != "domain":
        # the family reports change per domain, nothing else
        raise Invalid({"instrument": _("Choose one of the values offered.")})
    with transaction.atomic():
        row = registry_sync_care(patient)
        if row is None:
            raise Invalid({"instrument": _("The program has no outcome measures.")})
        assessment, _created = Assessment.objects.update_or_create(
            patient=row,
            timepoint=values.timepoint,
            instrument=values.instrument,
            item=values.item,
            defaults={
                "date": values.date,
                "value": values.value,
                "score": values.score,
                "source": source,
                "recorded_by": by,
            },
        )
        summary_refresh(patient_ids=[row.pk])
        RegistryChange.bump()
    return assessment


def assessment_may_record(*, by: User | None, source: str) -> None:
    """Only a physician or a nurse records a clinician's value."""
    if source == Assessment.Source.CLINICIAN and not (
        by is not None and can(by, "patient.record_measure")
    ):
        raise Invalid({"instrument": _("Only a physician or a nurse can record this.")})
