"""Test builders for care: a patient with a plan, a signed consent, valid record data, and
records made from typed values as the pages make them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from cellclinic.accounts.services import staff_user_create
from cellclinic.care.consent import consent_document_in_force
from cellclinic.care.forms import (
    ConsentDocumentForm,
    ConsentSignForm,
    EventForm,
    ProcedureForm,
    adverse_event_correct_submit,
    adverse_event_submit,
    consent_document_publish_submit,
    consent_sign_submit,
    procedure_correct_submit,
    procedure_submit,
)
from cellclinic.care.models import (
    AdverseEvent,
    ConsentDocument,
    ConsentSignature,
    Patient,
    Procedure,
)
from cellclinic.care.services import inquiry_accept, plan_from_template
from cellclinic.inquiries.models import Inquiry
from cellclinic.inquiries.services import inquiry_submit
from cellclinic.programs.models import Program
from cellclinic.programs.selectors import program_get
from conftest import build_answers


def staff(role: str, username: str | None = None) -> User:
    name = username or f"{role}-{User.objects.count() + 1}"
    user, _secret = staff_user_create(username=name, role=role, password="a-long-password-1")
    return user


def create_patient(
    *,
    program: str = "cerebral-palsy",
    physician: User | None = None,
    plan_start: date | None = None,
) -> Patient:
    """An accepted patient; with `plan_start`, its plan from the program's template."""
    current = program_get(slug=program)
    assert current is not None
    inquiry, _ = inquiry_submit(program=current, answers=build_answers(program), language="en")
    Inquiry.objects.filter(pk=inquiry.pk).update(status="consultation")
    inquiry.refresh_from_db()
    physician = (
        physician
        or User.objects.filter(groups__name="physician").first()
        or staff("physician", "dr-house")
    )
    patient = inquiry_accept(inquiry=inquiry, physician=physician, note="Suitable.")
    if plan_start is not None:
        plan_from_template(patient=patient, start=plan_start, physician=physician)
        patient.refresh_from_db()
    return patient


def ticked(count: int) -> dict[str, str]:
    return {f"statement-{n}": "yes" for n in range(1, count + 1)}


def sign_consent(patient: Patient, *, language: str = "en") -> ConsentSignature:
    document = consent_document_in_force(program=patient.program, language=language)
    return sign_with(
        patient=patient,
        document=document,
        data={
            "signer_name": "Maria Ivanova",
            "signer_role": "parent",
            **ticked(len(document.statements)),
        },
        method=ConsentSignature.Method.FAMILY_LINK,
        address="192.0.2.10",
    )


def today() -> date:
    return timezone.localdate()


def procedure_data(**changes: Any) -> dict[str, Any]:
    """A valid lumbar puncture yesterday at 09:00 (the plan starts two days ago)."""
    data: dict[str, Any] = {
        "performed_at": f"{today() - timedelta(days=1)} 09:00",
        "route": "lumbar_puncture",
        "cell_type": "umbilical cord mesenchymal stromal cells",
        "dose": "30",
        "dose_unit": "million_cells",
        "operator": "dr-house",
        "notes": "",
    }
    data.update(changes)
    return data


def event_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "description": "Headache on the evening after the puncture",
        "category": "nervous_system",
        "grade": "1",
        "serious": "no",
        "seriousness": [],
        "relation_cells": "unlikely",
        "relation_lumbar_puncture": "probable",
        "action": "treated",
        "outcome": "recovering",
        "onset_date": str(today()),
    }
    data.update(changes)
    return data


def record_procedure(*, patient: Patient, data: dict[str, Any], by: User) -> Procedure:
    """What the page and the API do with typed values: the form, then the service."""
    return procedure_submit(ProcedureForm(data, patient=patient), by=by)


def record_every_administration(
    *, patient: Patient, start: date, operator: str = "dr-house"
) -> None:
    """The four planned administrations, six days apart from `start`, each at 09:00: the
    patient moves to follow-up."""
    nurse = staff("nurse", "nurse-ann")
    for i in range(4):
        day = start + timedelta(days=6 * i)
        data = procedure_data(performed_at=f"{day} 09:00", operator=operator)
        record_procedure(patient=patient, data=data, by=nurse)


def correct_procedure(
    *, procedure: Procedure, data: dict[str, Any], by: User, reason: Any
) -> Procedure:
    form = ProcedureForm(data, patient=procedure.patient)
    return procedure_correct_submit(form, procedure, reason=reason, by=by)


def record_event(*, patient: Patient, data: dict[str, Any], by: User) -> AdverseEvent:
    return adverse_event_submit(EventForm(data, patient=patient), by=by)


def correct_event(
    *, event: AdverseEvent, data: dict[str, Any], by: User, reason: Any
) -> AdverseEvent:
    form = EventForm(data, patient=event.patient)
    return adverse_event_correct_submit(form, event, reason=reason, by=by)


def sign_with(
    *,
    patient: Patient,
    document: ConsentDocument,
    data: dict[str, Any],
    method: str,
    address: str,
    witness: User | None = None,
) -> ConsentSignature:
    """A signature from what the signer typed, as the signing pages take it."""
    form = ConsentSignForm(data, document=document)
    return consent_sign_submit(
        form, patient=patient, document=document, method=method, address=address, witness=witness
    )


def publish(*, program: Program, language: str, data: dict[str, Any], by: User) -> ConsentDocument:
    """A new consent document version from what the admin typed."""
    form = ConsentDocumentForm(data)
    return consent_document_publish_submit(form, program=program, language=language, by=by)


def create_treated_patient(*, program: str = "cerebral-palsy", days_ago: int = 30) -> Patient:
    """A patient whose plan started `days_ago` days ago, with its consent signed and its
    four planned administrations recorded six days apart (so its follow-ups are due)."""
    start = today() - timedelta(days=days_ago)
    patient = create_patient(program=program, plan_start=start)
    sign_consent(patient)
    record_every_administration(patient=patient, start=start)
    patient.refresh_from_db()
    return patient
