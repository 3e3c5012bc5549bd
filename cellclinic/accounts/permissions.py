"""Who may do what: every staff capability, and the roles that hold it, in one table.

Views name a capability (`@staff_view("inquiry.view")`), services check one
(`can(user, "patient.record_care")`), templates read the set a user holds (`can`, from the
context processor below), the API's guards name one, and `docs/roles.md` prints this table
(`cellclinic permissions` writes it; a test checks the two agree). The role-access test
checks every URL against it. A new capability is a new row here, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest

from cellclinic.accounts.roles import ROLES, roles_of

COORDINATOR, PHYSICIAN, NURSE, ANALYST, ADMIN = ROLES


@dataclass(frozen=True)
class Capability:
    name: str
    roles: frozenset[str]
    what: str  # one line, for docs/roles.md


def _row(name: str, roles: tuple[str, ...], what: str) -> tuple[str, Capability]:
    return name, Capability(name, frozenset(roles), what)


DESK = (COORDINATOR, PHYSICIAN, ADMIN)
CARE = (COORDINATOR, PHYSICIAN, NURSE, ADMIN)
CLINICIANS = (PHYSICIAN, NURSE)

CAPABILITIES: dict[str, Capability] = dict(
    [
        _row("staff.home", ROLES, "open the staff start page; keep one's own API tokens"),
        _row("inquiry.view", DESK, "the queue, an inquiry, its documents and its screening"),
        _row("inquiry.move", DESK, "move an inquiry's status; withdraw it"),
        _row("inquiry.decide", (PHYSICIAN,), "decline an inquiry, or accept it as a patient"),
        _row("inquiry.work", DESK, "assign a coordinator, write notes, message the family"),
        _row("inquiry.assignee", (COORDINATOR,), "be assigned an inquiry"),
        _row(
            "contact.answer",
            DESK,
            'read and answer "Contact us" messages; invite the sender to inquire',
        ),
        _row("screening.override", (PHYSICIAN,), "override a screening decision"),
        _row("screening.impact", (PHYSICIAN, ADMIN), "preview the impact of a rule change"),
        _row("patient.view", CARE, "patients: status, consent, plan, records, follow-up"),
        _row("patient.plan", (PHYSICIAN,), "make the treatment plan; add, move, remove sessions"),
        _row("patient.record_care", CLINICIANS, "record or correct procedures, adverse events"),
        _row("patient.record_measure", CLINICIANS, "enter a clinician's measure"),
        _row("patient.operate", (PHYSICIAN,), "be named the operator of a procedure"),
        _row("consent.request", (COORDINATOR, PHYSICIAN), "ask the family to sign by its link"),
        _row(
            "consent.witness",
            (COORDINATOR, PHYSICIAN, NURSE),
            "witness consent; record a withdrawal",
        ),
        _row("consent.documents", (ADMIN,), "edit a program's consent document"),
        _row("safety.view", (PHYSICIAN, ANALYST, ADMIN), "the safety report (counts only)"),
        _row("outcomes.view", (COORDINATOR, PHYSICIAN, ANALYST, ADMIN), "the outcome report"),
        _row("registry.export", (ANALYST, ADMIN), "download the de-identified registry"),
        _row("audit.view", (ADMIN,), "search the access log"),
        _row("tokens.manage", (ADMIN,), "see and revoke another staff member's API tokens"),
    ]
)


def roles_with(capability: str) -> frozenset[str]:
    """The roles that hold a capability; a name not in the table is a programming error."""
    return CAPABILITIES[capability].roles


def capabilities_of(user: Any) -> frozenset[str]:
    """Every capability a signed-in, active user holds (none for anyone else)."""
    roles = roles_of(user)
    return frozenset(name for name, cap in CAPABILITIES.items() if cap.roles & roles)


def can(user: Any, capability: str) -> bool:
    return bool(roles_with(capability) & roles_of(user))


def users_who_can(capability: str, *, active_only: bool = True) -> QuerySet[User]:
    """Staff holding a capability (a list of physicians, of coordinators); with
    `active_only=False` also those whose account is turned off (to filter by past work)."""
    users = User.objects.filter(groups__name__in=roles_with(capability))
    return (users.filter(is_active=True) if active_only else users).distinct()


def context(request: HttpRequest) -> dict[str, frozenset[str]]:
    """Template context processor: `can`, the capabilities of the person asking."""
    user = getattr(request, "user", None)
    return {"can": capabilities_of(user) if user is not None else frozenset()}


def markdown_table() -> str:
    """The table as docs/roles.md prints it."""
    lines = [
        "| capability | what it allows | " + " | ".join(ROLES) + " |",
        "| --- | --- | " + " | ".join("---" for _ in ROLES) + " |",
    ]
    for cap in CAPABILITIES.values():
        cells = " | ".join("yes" if role in cap.roles else "no" for role in ROLES)
        lines.append(f"| `{cap.name}` | {cap.what} | {cells} |")
    return "\n".join(lines) + "\n"
