"""The status of an inquiry and who may move it where (programs.md section 1).

    new -> contacted -> screening -> consultation -> accepted | declined
    withdrawn from any open status; declined also earlier, by a physician.

Acceptance happens only through the consultation (a physician), which makes the patient.
"""

from __future__ import annotations

from dataclasses import dataclass

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
INQUIRY_MACHINE = Machine(
    TRANSITIONS, record=StatusChange, subject="inquiry", stamp="last_activity_at"
)
# The forward path of an open inquiry; a move further along it passes each step between.
FORWARD = (Status.NEW, Status.CONTACTED, Status.SCREENING, Status.CONSULTATION)


def transition(source: str, target: str) -> Move | None:
    return INQUIRY_MACHINE.find(source, target)


@dataclass(frozen=True)
class Route:
    """A status the desk offers, and the moves that lead there: one, or several steps along
    the forward path made as one action (new -> contacted -> screening -> consultation),
    each recorded as its own status change."""

    steps: tuple[Move, ...]

    @property
    def target(self) -> str:
        return self.steps[-1].target

    @property
    def label(self) -> str:
        return self.steps[-1].label

    @property
    def reason_required(self) -> bool:
        return any(step.reason_required for step in self.steps)

    @property
    def via(self) -> list[str]:
        """The statuses passed on the way (their labels), empty for a single move."""
        return [step.label for step in self.steps[:-1]]


def route(source: str, target: str, roles: set[str] | None) -> Route | None:
    """The moves from `source` to `target` that a person with these roles may make: the
    one move, or the steps along the forward path, each allowed to them; None if none."""
    direct = INQUIRY_MACHINE.find(source, target)
    if direct is not None:
        return Route((direct,))
    if source not in FORWARD or target not in FORWARD:
        return None
    start, end = FORWARD.index(source), FORWARD.index(target)
    if end <= start:
        return None
    steps = [INQUIRY_MACHINE.find(FORWARD[i], FORWARD[i + 1]) for i in range(start, end)]
    if any(s is None or not INQUIRY_MACHINE.allows(s, roles) for s in steps):
        return None
    return Route(tuple(s for s in steps if s is not None))


def next_statuses(source: str, roles: set[str]) -> list[Route]:
    """The statuses this person may move to from this one, further along the forward path
    included (acceptance is the consultation's)."""
    routes = [Route((m,)) for m in INQUIRY_MACHINE.moves_from(source, roles)]
    if source in FORWARD:
        for target in FORWARD[FORWARD.index(source) + 2 :]:
            found = route(source, target, roles)
            if found is not None:
                routes.append(found)
    order = {status: i for i, status in enumerate(Status)}
    routes.sort(key=lambda r: order[Status(r.target)])
    return [r for r in routes if r.target != Status.ACCEPTED]
