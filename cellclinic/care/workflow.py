"""The status of a patient (programs.md section 5): it moves as the care steps happen.

    accepted -> scheduled (the plan is made) -> in_treatment (the first procedure) ->
    follow_up (every planned administration done, or a physician discharges) -> closed,
    and closed from any status before it.

No move names roles: the step that makes it (a plan, a procedure) checked who acts.
"""

from __future__ import annotations

from cellclinic.care.models import Patient, PatientStatusChange
from cellclinic.lib.status_machine import Machine, Move

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
