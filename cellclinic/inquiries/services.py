"""Writes for inquiries. Everything a family sent is stored in one transaction first;
e-mails and other side effects are queued to run after it commits."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import translation

from cellclinic.accounts.permissions import can
from cellclinic.accounts.roles import roles_of
from cellclinic.core.ratelimit import rate_limit_consume
from cellclinic.inquiries.emails import family_email_queue
from cellclinic.inquiries.models import (
    Document,
    IdempotencyKey,
    Inquiry,
    Message,
    Note,
    Source,
    Status,
    StatusChange,
)
from cellclinic.inquiries.workflow import INQUIRY_MACHINE, route
from cellclinic.lib.references import new_reference
from cellclinic.lib.status_machine import MoveRefused
from cellclinic.lib.tasks import enqueue_on_commit
from cellclinic.lib.text import has_control_characters
from cellclinic.lib.uploads import CheckedUpload
from cellclinic.programs.selectors import CurrentProgram

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Upload:
    file: UploadedFile
    checked: CheckedUpload


class IdempotencyConflict(Exception):
    """The key was used before with a different body."""


def inquiry_submit(
    *,
    program: CurrentProgram,
    answers: dict[str, Any],
    language: str,
    source: str = Source.WEB,
    uploads: list[Upload] | None = None,
    client: str | None = None,
    idempotency_key: str | None = None,
    body_hash: str | None = None,
) -> tuple[Inquiry, bool]:
    """Store a checked inquiry; returns it and whether it was created now.

    With an idempotency key already used for the same body, the earlier inquiry is
    returned and nothing is written; with a different body, IdempotencyConflict. When
    `client` has sent INQUIRY_RATE_LIMIT inquiries within INQUIRY_RATE_WINDOW, RateLimited
    and nothing is written: the count is taken in this transaction, under a lock.
    """
    reply_language = answers.get("contact.language") or language
    # No look-up first: the key's unique index finds a replay, the one that is still being
    # stored included (its insert waits for that transaction). A reference that collides
    # (about 49 random bits) is tried again, the whole transaction with it: no savepoint,
    # so an inquiry costs one transaction and one commit.
    for _attempt in range(5):
        reference = new_reference()
        try:
            with transaction.atomic():
                inquiry = Inquiry.objects.create(
                    reference=reference,
                    program_id=program.version.program_id,
                    program_version=program.version,
                    answers=answers,
                    language=language,
                    reply_language=reply_language,
                    contact_name=answers["contact.name"],
                    contact_email=answers["contact.email"],
                    patient_name=answers["patient.name"],
                    country=answers["contact.country"],
                    source=source,
                )
                if idempotency_key is not None:
                    IdempotencyKey.objects.create(
                        key=idempotency_key, body_hash=body_hash or "", inquiry=inquiry
                    )
                INQUIRY_MACHINE.start(inquiry, reason="submitted")
                # One task row, in this transaction, for all that follows (the family's
                # confirmation, then the pre-screening): nothing is rendered or screened
                # while the family waits, and a fault there can never lose what it sent.
                _queue_follow_through(inquiry.pk)
                if client is not None:
                    # Last but the uploads: the client's row stays locked from here to the
                    # commit, so parallel inquiries from one address wait for as short a
                    # time as can be; and before any upload is written to storage, so a
                    # refusal writes none.
                    rate_limit_consume(
                        scope="inquiry",
                        client=client,
                        limit=settings.INQUIRY_RATE_LIMIT,
                        window_seconds=settings.INQUIRY_RATE_WINDOW,
                    )
                for upload in uploads or []:
                    _store_document(inquiry, upload)
            return inquiry, True
        except IntegrityError:
            if idempotency_key is not None:
                earlier = _replay(idempotency_key, body_hash)
                if earlier is not None:
                    return earlier, False
            if not Inquiry.objects.filter(reference=reference).exists():
                raise  # not a reference that collided: nothing to try again
    raise RuntimeError("could not allocate a unique inquiry reference")


def _queue_follow_through(inquiry_id: int) -> None:
    from cellclinic.inquiries.tasks import inquiry_received

    enqueue_on_commit(inquiry_received, inquiry_id=inquiry_id)


def _replay(key: str, body_hash: str | None) -> Inquiry | None:
    record = IdempotencyKey.objects.select_related("inquiry").filter(key=key).first()
    if record is None:
        return None
    if record.body_hash != body_hash:
        raise IdempotencyConflict(key)
    return record.inquiry


# --- the staff desk ----------------------------------------------------------------------


class DeskRefused(Exception):
    """A desk action that cannot be done; `code` picks the message and `field` the input."""

    def __init__(self, code: str, field: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.field = field


# The input each refusal of the machine points at on the desk.
MOVE_FIELDS = {"not_allowed": "status", "role": "status", "reason_required": "reason"}


def inquiry_status_change(
    *, inquiry: Inquiry, to_status: str, by: User, reason: str = ""
) -> StatusChange:
    """Move an inquiry along an allowed transition, recording who, when and why.

    A status further along the forward path (new to consultation) is reached in one action
    through each status between, every step a move the person may make and a row of its
    own, all in one transaction (`workflow.route`); the last row is returned."""
    reason = reason.strip()
    if has_control_characters(reason):
        raise DeskRefused("control", "reason")
    roles = roles_of(by)
    found = route(inquiry.status, to_status, roles)
    targets = [step.target for step in found.steps] if found else [to_status]
    with transaction.atomic():
        try:
            for target in targets:
                change = INQUIRY_MACHINE.apply(
                    inquiry, to_status=target, by=by, roles=roles, reason=reason
                )
                if target == Status.CONTACTED:
                    Inquiry.objects.filter(pk=inquiry.pk, first_contact_at__isnull=True).update(
                        first_contact_at=change.at
                    )
        except MoveRefused as refused:
            raise DeskRefused(refused.code, MOVE_FIELDS[refused.code]) from None
    inquiry.refresh_from_db()
    return change


def inquiry_assign(*, inquiry: Inquiry, assignee: User | None, by: User) -> None:
    """Give the inquiry to a coordinator (or to nobody)."""
    if not can(by, "inquiry.work"):
        raise DeskRefused("role", "assignee")
    if assignee is not None and not can(assignee, "inquiry.assignee"):
        raise DeskRefused("not_coordinator", "assignee")
    with transaction.atomic():
        locked = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
        locked.assigned_to = assignee
        locked._history_user = by  # type: ignore[attr-defined]
        locked.save(update_fields=["assigned_to"])
    inquiry.refresh_from_db()


def note_add(*, inquiry: Inquiry, author: User, text: str) -> Note:
    return Note.objects.create(inquiry=inquiry, author=author, text=_clean_text(text, "text"))


# --- messages with the family --------------------------------------------------------------


def _clean_text(text: str, field: str, limit: int = 10_000) -> str:
    text = text.strip()
    if not text:
        raise DeskRefused("empty", field)
    if len(text) > limit:
        raise DeskRefused("too_long", field)
    if has_control_characters(text):
        raise DeskRefused("control", field)
    return text


def message_send(*, inquiry: Inquiry, author: User, body: str) -> Message:
    """A message to the family: stored, then e-mailed by a task in the family's language,
    with the personal link where the family can answer and add documents."""
    from cellclinic.inquiries.family import family_url

    if not can(author, "inquiry.work"):
        raise DeskRefused("role", "body")
    body = _clean_text(body, "body")
    with transaction.atomic():
        message = Message.objects.create(
            inquiry=inquiry, direction=Message.Direction.OUT, author=author, body=body
        )
        family_email_queue(
            inquiry,
            kind="inquiry_message",
            template="inquiries/email/message",
            context={"body": body, "link": family_url(inquiry), "days": settings.FAMILY_LINK_DAYS},
        )
        if inquiry.first_contact_at is None:
            Inquiry.objects.filter(pk=inquiry.pk).update(first_contact_at=message.created_at)
        Inquiry.objects.filter(pk=inquiry.pk).update(last_activity_at=message.created_at)
        if inquiry.status == Status.NEW:  # writing to the family is contacting it
            INQUIRY_MACHINE.apply(
                inquiry,
                to_status=Status.CONTACTED,
                by=author,
                roles=roles_of(author),
                reason="message sent",
            )
    return message


def family_reply(*, inquiry: Inquiry, body: str, uploads: list[Upload]) -> Message:
    """What the family wrote (and attached) through its link, stored at once, and marked
    unread for staff (`Inquiry.unread_since`) until the assignee opens the inquiry."""
    body = body.strip()
    if not body and not uploads:
        raise DeskRefused("empty", "body")
    if body:
        body = _clean_text(body, "body", limit=5000)
    with transaction.atomic():
        message = Message.objects.create(inquiry=inquiry, direction=Message.Direction.IN, body=body)
        for upload in uploads:
            _store_document(inquiry, upload, message=message)
        _mark_unread(inquiry, at=message.created_at, reply=bool(body), upload=bool(uploads))
    return message


def _mark_unread(inquiry: Inquiry, *, at: datetime, reply: bool, upload: bool) -> None:
    """Something new from the family: the latest activity, unread since the first unread."""
    changes: dict[str, Any] = {
        "last_activity_at": at,
        "family_activity_at": at,
        "unread_since": Coalesce(F("unread_since"), Value(at)),
    }
    if reply:
        changes["unread_reply"] = True
    if upload:
        changes["unread_upload"] = True
    Inquiry.objects.filter(pk=inquiry.pk).update(**changes)


def inquiry_mark_read(*, inquiry: Inquiry, by: User) -> bool:
    """The inquiry's page was opened by the person it waits for: the assignee, or anyone
    who may view inquiries when nobody is assigned. Clears what was unread, unless the
    family wrote again after `inquiry` was read from the database (then that stays
    unread). True when something was cleared."""
    if inquiry.unread_since is None or not can(by, "inquiry.view"):
        return False
    if inquiry.assigned_to_id is not None and inquiry.assigned_to_id != by.pk:
        return False
    cleared = Inquiry.objects.filter(
        pk=inquiry.pk,
        assigned_to=inquiry.assigned_to_id,
        family_activity_at=inquiry.family_activity_at,
        unread_since__isnull=False,
    ).update(unread_since=None, unread_reply=False, unread_upload=False)
    return bool(cleared)


def _store_document(
    inquiry: Inquiry, upload: Upload, *, message: Message | None = None
) -> Document:
    name = upload.file.name or "document"
    document = Document(
        inquiry=inquiry,
        message=message,
        original_name=name[:255],
        kind=upload.checked.kind,
        content_type=upload.checked.content_type,
        size=upload.checked.size,
        sha256=upload.checked.sha256,
    )
    document.file.save(name, upload.file, save=False)
    document.save()
    return document


def inquiry_decline(*, inquiry: Inquiry, physician: User, reason: str, message: str) -> Message:
    """A physician declines: the status changes with the reason (kept internal) and the
    family is told, in words staff wrote or edited, by e-mail in its language."""
    _clean_text(message, "message")
    with transaction.atomic():
        inquiry_status_change(
            inquiry=inquiry, to_status=Status.DECLINED, by=physician, reason=reason
        )
        return message_send(inquiry=inquiry, author=physician, body=message)


def decline_default_text(inquiry: Inquiry) -> str:
    """The default words to the family, in its language; staff edit them before sending."""
    with translation.override(inquiry.reply_language):
        return render_to_string(
            "inquiries/email/decline_default.txt",
            {"inquiry": inquiry, "clinic_name": settings.CLINIC_NAME},
        ).strip()
