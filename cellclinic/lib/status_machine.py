"""One status machine for every model whose status moves: inquiries and patients.

An app declares its allowed moves (`Move`: from, to, the roles allowed, whether a reason
is needed) in a `Machine`, and makes its status-change model a subclass of `StatusChangeBase`
(who, when, from, to and why). `Machine.apply` checks a move, applies it with the row
locked, and records it: that row is the one audit trail of the change. The status itself
is written with a queryset update, so django-simple-history, which keeps the model's other
fields, writes no second row for it.

Roles are plain names here; the caller says which roles the person holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from django.db import models, transaction

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class StatusChangeBase(models.Model):
    """Every move of a status is a row of its subclass: who, when, from, to and why.

    The subclass adds the foreign key to what moved (its name is the machine's `subject`).
    """

    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    changed_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"


@dataclass(frozen=True)
class Move:
    """An allowed move. `roles` None: the service making it checked who acts (a care step
    moves the patient as it happens, sometimes with nobody signed in)."""

    source: str
    target: str
    roles: frozenset[str] | None = None
    reason_required: bool = False

    @property
    def label(self) -> str:
        """The target status in the reader's language (a TextChoices member has a label)."""
        return str(getattr(self.target, "label", self.target))


class MoveRefused(Exception):
    """`code`: not_allowed (no such move from the current status), role, reason_required."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


Record = TypeVar("Record", bound=StatusChangeBase)


class Machine(Generic[Record]):
    """The allowed moves of one model's `field`, recorded as rows of `record`, whose
    foreign key to the model is named `subject`. With `stamp`, a move also writes its time
    to that field of the model (an inquiry's last activity), in the same update."""

    def __init__(
        self,
        moves: Iterable[Move],
        *,
        record: type[Record],
        subject: str,
        field: str = "status",
        stamp: str | None = None,
    ) -> None:
        self.moves = tuple(moves)
        self.record = record
        self.subject = subject
        self.field = field
        self.stamp = stamp
        self._by_pair = {(m.source, m.target): m for m in self.moves}

    def find(self, source: str, target: str) -> Move | None:
        return self._by_pair.get((source, target))

    def moves_from(self, source: str, roles: set[str]) -> list[Move]:
        """The moves a person with these roles may make from this status, in declared order."""
        return [m for m in self.moves if m.source == source and self.allows(m, roles)]

    @staticmethod
    def allows(move: Move, roles: set[str] | None) -> bool:
        return move.roles is None or bool(move.roles & (roles or set()))

    def refusal(self, source: str, target: str, roles: set[str] | None, reason: str) -> str | None:
        """Why this move cannot be made (a MoveRefused code), or None when it can."""
        move = self.find(source, target)
        if move is None:
            return "not_allowed"
        if not self.allows(move, roles):
            return "role"
        if move.reason_required and not reason:
            return "reason_required"
        return None

    def start(self, obj: models.Model, *, by: User | None = None, reason: str = "") -> Record:
        """Record the status a new row starts in (from nothing), in the caller's transaction."""
        return self.record._default_manager.create(
            **{self.subject: obj},
            from_status="",
            to_status=getattr(obj, self.field),
            changed_by=by,
            reason=reason,
        )

    def apply(
        self,
        obj: models.Model,
        *,
        to_status: str,
        by: User | None,
        roles: set[str] | None,
        reason: str = "",
    ) -> Record:
        """Check the move against the row as it is under a lock, write the new status and
        its one record, in one transaction; `obj` gets the new status. Raises MoveRefused,
        having written nothing (the lock is kept to the end of an enclosing transaction)."""
        with transaction.atomic():
            locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
            source = getattr(locked, self.field)
            refused = self.refusal(source, to_status, roles, reason)
            if refused is None:
                change = self.record._default_manager.create(
                    **{self.subject: locked},
                    from_status=source,
                    to_status=to_status,
                    changed_by=by,
                    reason=reason,
                )
                # An update, not save(): no signal, so no history row beside the record.
                written: dict[str, object] = {self.field: to_status}
                if self.stamp is not None:
                    written[self.stamp] = change.at
                type(obj)._default_manager.filter(pk=obj.pk).update(**written)
        # Raised outside the block: a savepoint rolled back would let go of the row lock.
        if refused is not None:
            raise MoveRefused(refused)
        setattr(obj, self.field, to_status)
        if self.stamp is not None:
            setattr(obj, self.stamp, change.at)
        return change
