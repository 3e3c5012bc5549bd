"""The status of a patient (programs.md section 5): it moves as the care steps happen.

    accepted -> scheduled (the plan is made) -> in_treatment (the first procedure) ->
    follow_up (every planned administration done, or a physician discharges) -> closed,
    and closed from any status before it.

No move names roles: the step that makes it (a plan, a procedure) checked who acts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from cellclinic.care.hooks import procedure_recorded
from cellclinic.care.models import (
    ADMINISTRATION_KINDS,
    ADMINISTRATION_ROUTES,
    Patient,
    PatientStatusChange,
    PlannedSession,
    Procedure,
)
from cellclinic.lib.status_machine import Machine, Move, MoveRefused

if TYPE_CHECKING:
    from django.contrib.auth.models import User

S = Patient.Status
PATIENT_MOVES = Machine(
    (
        Move(S.ACCEPTED, S.SCHEDULED),
        Move(S.SCHEDULED, S.IN_TREATMENT),
        Move(S.IN_TREATMENT, S.FOLLOW_UP),
        *(Move(s, S.CLOSED) for s in (S.ACCEPTED, S.SCHEDULED, S.IN_TREATMENT, S.FOLLOW_UP)),
    ),
    record=PatientStatusChange,
    subject="patient",
)


def patient_status_move(
    *, patient: Patient, to_status: str, by: User | None, reason: str
) -> PatientStatusChange | None:
    """Move the patient's status forward when allowed; a row records who, when and why.

    Returns None, changing nothing, when the patient is not in a status that moves there
    (the care steps call this as they happen, so a repeated step is harmless).
    """
    try:
        return PATIENT_MOVES.apply(patient, to_status=to_status, by=by, roles=None, reason=reason)
    except MoveRefused:  # not_allowed: the moves name no roles and need no reason
        return None


def all_administrations_done(patient: Patient) -> bool:
    """Every planned administration has one: counted by distinct days at the clinic, so a
    record entered twice never ends the treatment early."""
    planned = PlannedSession.objects.filter(
        plan__patient=patient, kind__in=ADMINISTRATION_KINDS
    ).count()
    zone = ZoneInfo(settings.CLINIC_TIME_ZONE)
    done = {
        moment.astimezone(zone).date()
        for moment in Procedure.objects.filter(
            patient=patient, route__in=ADMINISTRATION_ROUTES
        ).values_list("performed_at", flat=True)
    }
    return planned > 0 and len(done) >= planned


def follow_up_when_done(patient: Patient, by: User | None) -> bool:
    """Move a patient in treatment whose every planned administration is done on to
    follow-up; True if it moved."""
    if patient.status != Patient.Status.IN_TREATMENT or not all_administrations_done(patient):
        return False
    reason = "every planned administration done"
    moved = patient_status_move(
        patient=patient, to_status=Patient.Status.FOLLOW_UP, by=by, reason=reason
    )
    return moved is not None


def treatment_progress(*, patient: Patient, by: User | None) -> None:
    """After the plan changed: if every planned administration is now done, the patient
    moves to follow-up (and follow-up is scheduled)."""
    with transaction.atomic():
        if follow_up_when_done(patient, by):
            procedure_recorded(patient)
