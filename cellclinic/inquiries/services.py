"""Writes for inquiries. Everything a family sent is stored in one transaction first;
e-mails and other side effects are queued to run after it commits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation

from cellclinic.inquiries.models import (
    Document,
    IdempotencyKey,
    Inquiry,
    Source,
    Status,
    StatusChange,
)
from cellclinic.lib.references import new_reference
from cellclinic.lib.uploads import CheckedUpload
from cellclinic.outbox import outbox_enqueue
from cellclinic.programs.selectors import CurrentProgram
from cellclinic.ratelimit import rate_limit_hit


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
    returned and nothing is written; with a different body, IdempotencyConflict.
    """
    if idempotency_key is not None:
        earlier = _replay(idempotency_key, body_hash)
        if earlier is not None:
            return earlier, False
    reply_language = answers.get("contact.language") or language
    with transaction.atomic():
        for _attempt in range(5):
            try:
                with transaction.atomic():  # a savepoint: a collision is retried
                    inquiry = Inquiry.objects.create(
                        reference=new_reference(),
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
                break
            except IntegrityError:
                if idempotency_key is not None:
                    earlier = _replay(idempotency_key, body_hash)
                    if earlier is not None:
                        return earlier, False
        else:
            raise RuntimeError("could not allocate a unique inquiry reference")
        StatusChange.objects.create(inquiry=inquiry, to_status=Status.NEW, reason="submitted")
        for upload in uploads or []:
            name = upload.file.name or "document"
            document = Document(
                inquiry=inquiry,
                original_name=name[:255],
                kind=upload.checked.kind,
                content_type=upload.checked.content_type,
                size=upload.checked.size,
                sha256=upload.checked.sha256,
            )
            document.file.save(name, upload.file, save=False)
            document.save()
        if client is not None:
            rate_limit_hit(scope="inquiry", client=client)
        _queue_confirmation(inquiry, program)
        transaction.on_commit(lambda: _queue_screening(inquiry.pk))
    return inquiry, True


def _queue_screening(inquiry_id: int) -> None:
    # Pre-screening runs after the inquiry is committed, as a task: a fault in the rules
    # can never lose what the family sent. The worker's sweep screens any it missed.
    from cellclinic.screening.tasks import screen_inquiry

    screen_inquiry.enqueue(inquiry_id=inquiry_id)


def _replay(key: str, body_hash: str | None) -> Inquiry | None:
    record = IdempotencyKey.objects.select_related("inquiry").filter(key=key).first()
    if record is None:
        return None
    if record.body_hash != body_hash:
        raise IdempotencyConflict(key)
    return record.inquiry


def _queue_confirmation(inquiry: Inquiry, program: CurrentProgram) -> None:
    language = inquiry.reply_language
    with translation.override(language):
        context = {
            "inquiry": inquiry,
            "program_name": program.definition.name.get(language),
            "clinic_name": settings.CLINIC_NAME,
        }
        subject = render_to_string("inquiries/email/confirmation_subject.txt", context)
        body = render_to_string("inquiries/email/confirmation_body.txt", context)
    outbox_enqueue(
        kind="inquiry_confirmation",
        to=inquiry.contact_email,
        language=language,
        subject=" ".join(subject.split()),
        body=body,
        inquiry=inquiry,
    )
