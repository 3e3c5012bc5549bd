"""Informed consent: versioned documents per program and language, and signatures.

A document version is never changed: an admin's edit makes the next version, which is in
force from then on. A signature keeps a snapshot of exactly what was signed. Procedures
need a signature of the version in force (see `consent_current`).
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cellclinic.accounts.roles import roles_of
from cellclinic.care.models import ConsentDocument, ConsentSignature, Patient
from cellclinic.care.validation import Checker, Invalid
from cellclinic.programs.models import Program
from cellclinic.programs.schema import LANGUAGE_CODES
from cellclinic.programs.selectors import program_get

DEFAULT_FILE = Path(__file__).with_name("consent_default.yaml")
SIGNING_STATUSES = (
    Patient.Status.ACCEPTED,
    Patient.Status.SCHEDULED,
    Patient.Status.IN_TREATMENT,
)
WITNESS_ROLES = {"coordinator", "physician", "nurse"}


@cache
def _defaults() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = yaml.safe_load(DEFAULT_FILE.read_text(encoding="utf-8"))
    return data


def consent_default_text(*, program: Program, language: str) -> dict[str, Any]:
    """The shipped default text for a program in a language (English where none)."""
    text = _defaults().get(language) or _defaults()["en"]
    current = program_get(slug=program.slug)
    name = current.definition.name.get(language) if current else program.slug
    return {
        "title": text["title"].replace("{program}", name),
        "body": text["body"].replace("{program}", name).strip(),
        "statements": [s.replace("{program}", name) for s in text["statements"]],
    }


def consent_document_in_force(*, program: Program, language: str) -> ConsentDocument:
    """The newest version for the program and language; the first is made from the default."""
    if language not in LANGUAGE_CODES:
        language = "en"
    found = ConsentDocument.objects.filter(program=program, language=language).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return ConsentDocument.objects.create(
                program=program,
                language=language,
                version=1,
                **consent_default_text(program=program, language=language),
            )
    except IntegrityError:  # made at the same moment by another request
        return ConsentDocument.objects.get(program=program, language=language, version=1)


def consent_document_publish(
    *, program: Program, language: str, data: dict[str, Any], by: User
) -> ConsentDocument:
    """An admin's edit: a new version in force from now. Earlier signatures keep theirs."""
    if "admin" not in roles_of(by):
        raise Invalid({"body": _("Only an admin can change the consent document.")})
    check = Checker(data)
    title = check.text("title", limit=300)
    body = check.text("body", limit=50_000)
    lines = data.get("statements")
    if isinstance(lines, str):
        lines = [line.strip() for line in lines.splitlines() if line.strip()]
    if not isinstance(lines, list) or not 1 <= len(lines) <= 20:
        check.fail("statements", _("Give from 1 to 20 statements, one per line."))
        lines = []
    for line in lines:
        if not isinstance(line, str) or not 1 <= len(line) <= 500:
            check.fail("statements", _("Each statement is one line of at most 500 characters."))
        elif Checker({"s": line}).text("s", limit=500) != line:
            check.fail("statements", _("Remove the invisible control characters."))
    if language not in LANGUAGE_CODES:
        check.fail("language", _("Choose one of the values offered."))
    check.done()
    with transaction.atomic():
        current = consent_document_in_force(program=program, language=language)
        if (current.title, current.body, current.statements) == (title, body, lines):
            raise Invalid({"body": _("Nothing was changed.")})
        return ConsentDocument.objects.create(
            program=program,
            language=language,
            version=current.version + 1,
            title=title,
            body=body,
            statements=lines,
            created_by=by,
        )


def document_is_in_force(document: ConsentDocument) -> bool:
    newest = (
        ConsentDocument.objects.filter(program=document.program_id, language=document.language)
        .values_list("pk", flat=True)
        .first()
    )
    return newest == document.pk


def consent_current(*, patient: Patient) -> ConsentSignature | None:
    """The patient's signature that allows a procedure now: not withdrawn, of the version
    in force for its program and language. None when there is none (sign again)."""
    for signature in patient.consents.select_related("document").order_by("-signed_at", "-pk"):
        if signature.withdrawn_at is None and document_is_in_force(signature.document):
            return signature
    return None


def consent_sign(
    *,
    patient: Patient,
    document: ConsentDocument,
    data: dict[str, Any],
    method: str,
    address: str,
    user_agent: str = "",
    witness: User | None = None,
) -> ConsentSignature:
    """The patient or guardian signs: name typed, every statement ticked one by one.

    `data` holds `signer_name`, `signer_role` and `statement-1` ... `statement-N` (ticked).
    """
    check = Checker(data)
    signer_name = check.text("signer_name", limit=200)
    signer_role = check.choice("signer_role", ConsentSignature.SignerRole.values)
    for number in range(1, len(document.statements) + 1):
        if data.get(f"statement-{number}") not in ("yes", "on", True):
            check.fail(f"statement-{number}", _("Tick this statement to sign."))
    if document.program_id != patient.program_id or not document_is_in_force(document):
        check.fail("document", _("This version is no longer in force; reload the page."))
    if patient.status not in SIGNING_STATUSES:
        check.fail("document", _("Consent can no longer be signed for this patient."))
    if method == ConsentSignature.Method.IN_PERSON and not (
        witness is not None and roles_of(witness) & WITNESS_ROLES
    ):
        check.fail("document", _("A member of the clinic's staff must witness the signature."))
    check.done()
    signed_at = timezone.now()
    with translation.override(document.language):
        snapshot = render_to_string(
            "care/consent_snapshot.html",
            {
                "document": document,
                "blocks": document.blocks(),
                "patient": patient,
                "signer_name": signer_name,
                "signer_role": ConsentSignature.SignerRole(signer_role).label,
                "method": ConsentSignature.Method(method).label,
                "witness": witness,
                "signed_at": signed_at,
                "address": address,
                "language": document.language,
            },
        )
    return ConsentSignature.objects.create(
        patient=patient,
        document=document,
        signer_name=signer_name,
        signer_role=signer_role,
        statements=list(document.statements),
        method=method,
        witnessed_by=witness if method == ConsentSignature.Method.IN_PERSON else None,
        signed_at=signed_at,
        address=address[:64],
        user_agent=user_agent[:300],
        snapshot=snapshot,
        snapshot_sha256=hashlib.sha256(snapshot.encode()).hexdigest(),
    )


def consent_withdraw(*, signature: ConsentSignature, by: User, reason: str) -> None:
    """The patient or guardian withdraws consent; staff record it. No procedure follows."""
    if not roles_of(by) & {"physician", "coordinator", "nurse"}:
        raise Invalid({"reason": _("Your role may not record this.")})
    check = Checker({"reason": reason})
    reason = check.text("reason", limit=2000)
    if signature.withdrawn_at is not None:
        check.fail("reason", _("This consent is already withdrawn."))
    check.done()
    ConsentSignature.objects.filter(pk=signature.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawn_reason=reason, withdrawn_recorded_by=by
    )


def consent_request(*, patient: Patient, by: User) -> None:
    """Ask the family, by a message in its language, to read and sign through its link."""
    from cellclinic.inquiries.services import message_send

    inquiry = patient.inquiry
    with translation.override(inquiry.reply_language):
        body = _(
            "Before the first procedure we need your informed consent. Please open your "
            "personal link below, choose 'Consent to treatment', read the whole document, "
            "and sign it when you are ready. Ask us any question first: just reply here."
        )
    message_send(inquiry=inquiry, author=by, body=str(body))
