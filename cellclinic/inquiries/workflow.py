"""The status of an inquiry and who may move it where (programs.md section 1).

    new -> contacted -> screening -> consultation -> accepted | declined
    withdrawn from any open status; declined also earlier, by a physician.

Acceptance happens only through the consultation (a physician), which makes the patient.
"""

from __future__ import annotations

from cellclinic.accounts.permissions import roles_with
from cellclinic.inquiries.models import Status, StatusChange
from cellclinic.lib.status_machine import Machine, Move

OPEN = (Status.NEW, Status.CONTACTED, Status.SCREENING, Status.CONSULTATION)

STAFF = roles_with("inquiry.move")  # accounts/permissions.py
PHYSICIAN = roles_with("inquiry.decide")

TRANSITIONS: tuple[Move, ...] = (
    Move(Status.NEW, Status.CONTACTED, STAFF),
    Move(Status.CONTACTED, Status.SCREENING, STAFF),
    Move(Status.SCREENING, Status.CONSULTATION, STAFF),
    Move(Status.CONSULTATION, Status.ACCEPTED, PHYSICIAN),
    *(Move(s, Status.DECLINED, PHYSICIAN, reason_required=True) for s in OPEN),
    *(Move(s, Status.WITHDRAWN, STAFF, reason_required=True) for s in OPEN),
)
INQUIRY_MACHINE = Machine(TRANSITIONS, record=StatusChange, subject="inquiry")


def transition(source: str, target: str) -> Move | None:
    return INQUIRY_MACHINE.find(source, target)


def next_statuses(source: str, roles: set[str]) -> list[Move]:
    """The moves this person may make from this status (acceptance is the consultation's)."""
    return [m for m in INQUIRY_MACHINE.moves_from(source, roles) if m.target != Status.ACCEPTED]
