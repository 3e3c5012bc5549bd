"""The status of an inquiry and who may move it where (programs.md section 1).

    new -> contacted -> screening -> consultation -> accepted | declined
    withdrawn from any open status; declined also earlier, by a physician.

Acceptance happens only through the consultation (a physician), which makes the patient.
"""

from __future__ import annotations

from dataclasses import dataclass

from cellclinic.inquiries.models import Status

OPEN = (Status.NEW, Status.CONTACTED, Status.SCREENING, Status.CONSULTATION)


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    roles: frozenset[str]
    reason_required: bool = False

    @property
    def label(self) -> str:
        """The target status in the reader's language."""
        return str(Status(self.target).label)


STAFF = frozenset({"coordinator", "physician", "admin"})
PHYSICIAN = frozenset({"physician"})

TRANSITIONS: tuple[Transition, ...] = (
    Transition(Status.NEW, Status.CONTACTED, STAFF),
    Transition(Status.CONTACTED, Status.SCREENING, STAFF),
    Transition(Status.SCREENING, Status.CONSULTATION, STAFF),
    Transition(Status.CONSULTATION, Status.ACCEPTED, PHYSICIAN),
    *(Transition(s, Status.DECLINED, PHYSICIAN, reason_required=True) for s in OPEN),
    *(Transition(s, Status.WITHDRAWN, STAFF, reason_required=True) for s in OPEN),
)
_BY_PAIR = {(t.source, t.target): t for t in TRANSITIONS}


def transition(source: str, target: str) -> Transition | None:
    return _BY_PAIR.get((source, target))


def next_statuses(source: str, roles: set[str]) -> list[Transition]:
    """The moves this person may make from this status (acceptance is the consultation's)."""
    return [
        t
        for t in TRANSITIONS
        if t.source == source and t.roles & roles and t.target != Status.ACCEPTED
    ]
