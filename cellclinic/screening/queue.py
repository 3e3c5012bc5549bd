"""The staff queue: inquiries with their current screening decision, filtered and paged.

It lives in screening because it reads both apps: the inquiries, and screening's decision on
each. The desk's page and the staff API both read it."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.fields.json import KT

from cellclinic.inquiries.models import Inquiry
from cellclinic.inquiries.selectors import PAGE_SIZE, first_contact_due_before, status_counts
from cellclinic.inquiries.workflow import OPEN
from cellclinic.lib.references import ALPHABET, LENGTH, normalise_reference
from cellclinic.programs.models import Program
from cellclinic.programs.rules import BIRTH_DATE
from cellclinic.screening.models import Decision


@dataclass
class QueueFilters:
    program: str = ""
    status: str = ""
    decision: str = ""
    assignee: str = ""  # a username, "none", or "" for anyone
    country: str = ""
    language: str = ""
    waiting: str = ""  # "overdue", "unread", "me" (assigned to me, unread) or ""
    q: str = ""

    def active(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


@dataclass
class QueuePage:
    rows: list[Inquiry]
    next_cursor: str | None
    counts: dict[str, int] = field(default_factory=dict)
    counted_at: datetime | None = None
    overdue_before: datetime | None = None


def encode_cursor(inquiry: Inquiry) -> str:
    raw = f"{inquiry.created_at.isoformat()}|{inquiry.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, pk = raw.split("|")
        return datetime.fromisoformat(moment), int(pk)
    except (ValueError, UnicodeDecodeError):
        return None


def _filtered(filters: QueueFilters, me: int | None = None) -> QuerySet[Inquiry]:
    queryset = Inquiry.objects.all()
    if filters.program:
        program = Program.objects.filter(slug=filters.program).values("pk")[:1]
        queryset = queryset.filter(program=Subquery(program))
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.decision:
        current = Decision.objects.filter(
            inquiry=OuterRef("pk"), is_current=True, decision=filters.decision
        )
        queryset = queryset.filter(Exists(current))
    if filters.assignee == "none":
        queryset = queryset.filter(assigned_to__isnull=True)
    elif filters.assignee:
        queryset = queryset.filter(assigned_to__username=filters.assignee)
    if filters.country:
        queryset = queryset.filter(country=filters.country.upper())
    if filters.language:
        queryset = queryset.filter(reply_language=filters.language)
    if filters.waiting == "overdue":
        queryset = queryset.filter(
            first_contact_at__isnull=True,
            status__in=OPEN,
            created_at__lt=first_contact_due_before(),
        )
    elif filters.waiting == "unread":
        queryset = queryset.filter(unread_since__isnull=False)
    elif filters.waiting == "me":
        # `inquiry_unread_assignee`, a partial index of exactly these rows
        queryset = queryset.filter(assigned_to=me, unread_since__isnull=False)
    if filters.q:
        queryset = queryset.filter(_search(filters.q.strip()))
    return queryset


def _search(text: str) -> Q:
    """A reference, an e-mail address or part of a name.

    Text that can only be a reference (ten characters of the references' alphabet, a digit
    among them, however typed) is looked up by the reference's unique index alone, and an
    e-mail address (an @) by the address alone: a name has neither, and the names' `LIKE
    '%...%'` reads every row (about 200-300 ms with 200,000 on SQLite; docs/measurements.md).
    """
    reference = normalise_reference(text)
    compact = reference.replace("-", "")
    if (
        len(compact) == LENGTH
        and set(compact) <= set(ALPHABET)
        and any(c.isdigit() for c in compact)
    ):
        return Q(reference=reference)
    if "@" in text:
        return Q(contact_email__iexact=text)
    return (
        Q(reference=reference) | Q(contact_name__icontains=text) | Q(patient_name__icontains=text)
    )


def inquiry_queue(
    *, filters: QueueFilters, cursor: str = "", size: int = PAGE_SIZE, me: int | None = None
) -> QueuePage:
    """One page of the queue, newest first, after the cursor (keyset pagination); `me` is
    the user id that `waiting=me` means (nobody's when None).

    Each row carries its current decision (`row.current`, one prefetch for the page) and
    its patient's birth date (`row.birth_date`, read out of the answers by the database,
    which are not loaded): the page costs the same few queries whatever its size."""
    queryset = (
        _filtered(filters, me)
        .select_related("program", "assigned_to")
        .defer("answers")
        .annotate(birth_date=KT(f"answers__{BIRTH_DATE}"))
        .prefetch_related(
            Prefetch(
                "decisions", queryset=Decision.objects.filter(is_current=True), to_attr="current"
            )
        )
    )
    position = decode_cursor(cursor) if cursor else None
    if position is not None:
        moment, pk = position
        queryset = queryset.filter(created_at__lte=moment).filter(
            Q(created_at__lt=moment) | Q(created_at=moment, pk__lt=pk)
        )
    rows: list[Inquiry] = list(queryset.order_by("-created_at", "-pk")[: size + 1])
    next_cursor = encode_cursor(rows[size - 1]) if len(rows) > size else None
    counts, counted_at = status_counts()
    return QueuePage(
        rows=rows[:size],
        next_cursor=next_cursor,
        counts=counts,
        counted_at=counted_at,
        overdue_before=first_contact_due_before(),
    )
