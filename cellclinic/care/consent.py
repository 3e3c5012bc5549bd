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

from cellclinic.accounts.permissions import can
from cellclinic.care.models import ConsentDocument, ConsentSignature, Patient
from cellclinic.core.clinic import clinic
from cellclinic.lib.invalid import Invalid
from cellclinic.programs.models import Program
from cellclinic.programs.schema import LANGUAGE_CODES
from cellclinic.programs.selectors import program_get

DEFAULT_FILE = Path(__file__).with_name("consent_default.yaml")
SIGNING_STATUSES = (
    Patient.Status.ACCEPTED,
    Patient.Status.SCHEDULED,
    Patient.Status.IN_TREATMENT,
)


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
    *,
    program: Program,
    language: str,
    title: str,
    body: str,
    statements: list[str],
    by: User,
) -> ConsentDocument:
    """An admin's edit: a new version in force from now. Earlier signatures keep theirs.
    The texts come checked by `ConsentDocumentForm`."""
    consent_may_publish(by)
    if language not in LANGUAGE_CODES:
        raise Invalid({"language": _("Choose one of the values offered.")})
    with transaction.atomic():
        current = consent_document_in_force(program=program, language=language)
        if (current.title, current.body, current.statements) == (title, body, statements):
            raise Invalid({"body": _("Nothing was changed.")})
        return ConsentDocument.objects.create(
            program=program,
            language=language,
            version=current.version + 1,
            title=title,
            body=body,
            statements=statements,
            created_by=by,
        )


def consent_may_publish(by: User) -> None:
    if not can(by, "consent.documents"):
        raise Invalid({"body": _("Only an admin can change the consent document.")})


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


# The inquiry's "Your relationship to the patient" (common.yaml) for the relations that sign
# themselves; a spouse, a child or a physician signs as whatever they legally are, so they
# choose.
RELATIONSHIP = "contact.relationship"
SIGNER_ROLES = {
    "self": ConsentSignature.SignerRole.PATIENT,
    "parent": ConsentSignature.SignerRole.PARENT,
    "guardian": ConsentSignature.SignerRole.GUARDIAN,
}


def consent_signer_default(*, patient: Patient) -> dict[str, str]:
    """The signer's role and name as the family already told us in its inquiry: a mother
    who wrote that she is the parent should not have to say it again, and a blank choice
    is easy to miss on a long page. The name is the contact's only when the contact signs
    (self, parent, guardian); nothing is chosen for anyone else."""
    inquiry = patient.inquiry
    role = SIGNER_ROLES.get(str(inquiry.answers.get(RELATIONSHIP, "")))
    if role is None:
        return {"signer_role": "", "signer_name": ""}
    return {"signer_role": str(role), "signer_name": inquiry.contact_name}


def consent_sign_refusals(
    *, patient: Patient, document: ConsentDocument, method: str, witness: User | None
) -> dict[str, str]:
    """Why this document cannot be signed now (by field), or nothing."""
    if document.program_id != patient.program_id or not document_is_in_force(document):
        return {"document": _("This version is no longer in force; reload the page.")}
    if patient.status not in SIGNING_STATUSES:
        return {"document": _("Consent can no longer be signed for this patient.")}
    if method == ConsentSignature.Method.IN_PERSON and not (
        witness is not None and can(witness, "consent.witness")
    ):
        return {"document": _("A member of the clinic's staff must witness the signature.")}
    return {}


def consent_sign(
    *,
    patient: Patient,
    document: ConsentDocument,
    signer_name: str,
    signer_role: str,
    method: str,
    address: str,
    user_agent: str = "",
    witness: User | None = None,
) -> ConsentSignature:
    """The patient or guardian signs: name typed, every statement ticked one by one (the
    ticks and the name are checked by `ConsentSignForm`)."""
    refusals = consent_sign_refusals(
        patient=patient, document=document, method=method, witness=witness
    )
    if refusals:
        raise Invalid(refusals)
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
                "clinic": clinic(),
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


def consent_may_withdraw(by: User) -> None:
    if not can(by, "consent.witness"):
        raise Invalid({"reason": _("Your role may not record this.")})


def consent_withdraw(*, signature: ConsentSignature, by: User, reason: str) -> None:
    """The patient or guardian withdraws consent; staff record it. No procedure follows.
    The reason comes checked by `WithdrawForm`."""
    consent_may_withdraw(by)
    if not reason:
        raise Invalid({"reason": _("This field is required.")})
    if signature.withdrawn_at is not None:
        raise Invalid({"reason": _("This consent is already withdrawn.")})
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
