"""Staff endpoints of the API: inquiries with their screening. Authenticated, role-checked,
and logged like the pages."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from cellclinic.accounts.access import signed_in_with_mfa
from cellclinic.accounts.permissions import can
from cellclinic.accounts.services import api_token_user
from cellclinic.api.invalid import (
    FORM_REFUSALS,
    BlankNone,
    IsoDate,
    IsoDateTime,
    form_data,
    posted,
    unprocessable,
)
from cellclinic.api.schemas import ErrorsOut
from cellclinic.audit.services import access_object
from cellclinic.care.forms import EventForm, ProcedureForm, adverse_event_submit, procedure_submit
from cellclinic.care.selectors import patient_for
from cellclinic.inquiries.models import Inquiry
from cellclinic.lib.invalid import Invalid, form_errors
from cellclinic.lib.references import normalise_reference
from cellclinic.screening.forms import QueueFilterForm
from cellclinic.screening.queue import inquiry_queue


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_user(token=token)
        if user is not None:
            request.user = user
        return user


class MfaSession(SessionAuth):
    """The desk's own browser session, only when the sign-in included MFA."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None and signed_in_with_mfa(request):
            return user
        return None


router = Router(auth=[BearerToken(), MfaSession()], tags=["staff"])


def _reader(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if not can(user, "inquiry.view"):
        raise HttpError(403, "Your role may not read inquiries.")
    request.user = user
    return user


class DecisionOut(Schema):
    kind: str
    decision: str
    rule_set_version: str
    rule_set_hash: str
    reasons: list[dict[str, str]]
    notes: list[dict[str, str]]
    reason: str = Field(description="a physician's reason, for an override")


class InquirySummaryOut(Schema):
    reference: str
    program: str
    status: str
    created_at: datetime
    contact_name: str
    country: str
    reply_language: str
    assigned_to: str | None
    decision: str | None


class InquiryPageOut(Schema):
    items: list[InquirySummaryOut]
    next: str | None = Field(description="pass as `after` for the next page")


class InquiryOut(InquirySummaryOut):
    answers: dict[str, Any]
    decisions: list[DecisionOut]


def _summary(inquiry: Inquiry) -> dict[str, Any]:
    current = next((d for d in inquiry.decisions.all() if d.is_current), None)
    return {
        "reference": inquiry.reference,
        "program": inquiry.program.slug,
        "status": inquiry.status,
        "created_at": inquiry.created_at,
        "contact_name": inquiry.contact_name,
        "country": inquiry.country,
        "reply_language": inquiry.reply_language,
        "assigned_to": inquiry.assigned_to.username if inquiry.assigned_to else None,
        "decision": current.decision if current else None,
    }


@router.get("/inquiries", response=InquiryPageOut, operation_id="staff_list_inquiries")
def list_inquiries(
    request: HttpRequest,
    program: str = "",
    status: str = "",
    decision: str = "",
    country: str = "",
    q: str = "",
    after: str = "",
) -> dict[str, Any]:
    """The queue, newest first, with the desk's filters; keyset-paginated."""
    _reader(request)
    form = QueueFilterForm(
        dict(program=program, status=status, decision=decision, country=country, q=q, after=after)
    )
    form.full_clean()  # never invalid: the desk's filters, only cleaned
    page = inquiry_queue(filters=form.filters(), cursor=form.cleaned_data["after"])
    rows = (
        Inquiry.objects.filter(pk__in=[i.pk for i in page.rows])
        .select_related("program", "assigned_to")
        .prefetch_related("decisions")
        .order_by("-created_at", "-pk")
    )
    return {"items": [_summary(i) for i in rows], "next": page.next_cursor}


@router.get("/inquiries/{reference}", response=InquiryOut, operation_id="staff_read_inquiry")
def read_inquiry(request: HttpRequest, reference: str) -> dict[str, Any]:
    """One inquiry with its answers and every screening decision (automatic and overrides)."""
    _reader(request)
    inquiry = (
        Inquiry.objects.select_related("program", "assigned_to")
        .prefetch_related("decisions")
        .filter(reference=normalise_reference(reference[:20]))
        .first()
    )
    if inquiry is None:
        raise HttpError(404, "There is no such inquiry.")
    access_object(request, object_type="inquiry", object_ref=inquiry.reference)
    decisions = [
        {
            "kind": d.kind,
            "decision": d.decision,
            "rule_set_version": d.rule_set_version,
            "rule_set_hash": d.rule_set_hash,
            "reasons": d.reasons,
            "notes": d.notes,
            "reason": d.reason,
        }
        for d in sorted(inquiry.decisions.all(), key=lambda d: (d.created_at, d.pk))
    ]
    return {**_summary(inquiry), "answers": inquiry.answers, "decisions": decisions}


# --- care: patients, procedures, adverse events ---------------------------------------------


def _patient(request: HttpRequest, key: str, capability: str) -> Any:
    """The patient the path names (`care.selectors.patient_for`: logged), for a caller who
    holds the capability; a malformed id is a patient that does not exist (404)."""
    user = request.auth  # type: ignore[attr-defined]
    if not can(user, capability):
        raise HttpError(403, "Your role may not do this.")
    request.user = user
    try:
        return patient_for(request, key[:40])
    except Http404:
        raise HttpError(404, "There is no such patient.") from None


class ProcedureIn(Schema):
    performed_at: IsoDateTime = Field(
        description="`YYYY-MM-DD HH:MM` at the clinic's time zone, or ISO 8601 with an offset"
    )
    route: str = Field(description="lumbar_puncture, intravenous or stereotactic")
    cell_type: str
    dose: Decimal = Field(description="greater than zero, at most 4 decimal places")
    dose_unit: str = Field(
        description="million_cells, cells, million_cells_per_kg, cells_per_kg or ml"
    )
    operator: str = Field(description="the username of the physician who performed it")
    notes: str = ""
    session: BlankNone[UUID] = Field(None, description="the planned session's uuid, if any")


class AdverseEventIn(Schema):
    description: str
    category: str
    grade: int = Field(description="CTCAE grade 1-5")
    serious: bool
    seriousness: list[str] = Field(
        default_factory=list,
        description="death, life_threatening, hospitalisation, disability, "
        "congenital_anomaly, medically_important",
    )
    relation_cells: str = Field(description="unrelated, unlikely, possible, probable, definite")
    relation_lumbar_puncture: str = Field("", description="empty when not applicable")
    relation_infusion: str = Field("", description="empty when not applicable")
    relation_surgery: str = Field("", description="empty when not applicable")
    action: str
    outcome: str
    onset_date: IsoDate = Field(description="YYYY-MM-DD")
    resolved_date: BlankNone[IsoDate] = Field(None, description="YYYY-MM-DD; when recovered")
    procedure: BlankNone[UUID] = Field(
        None, description="the uuid of the procedure it follows, if any"
    )


class RecordedOut(Schema):
    uuid: str
    patient_status: str


class ProcedureOut(Schema):
    uuid: str
    performed_at: datetime
    route: str
    cell_type: str
    dose: str
    dose_unit: str
    operator: str


class AdverseEventOut(Schema):
    uuid: str
    onset_date: str
    category: str
    grade: int
    serious: bool
    relation_cells: str
    outcome: str


class PatientOut(Schema):
    uuid: str
    reference: str
    program: str
    status: str
    consent_in_force: bool
    procedures: list[ProcedureOut]
    adverse_events: list[AdverseEventOut]


@router.get("/patients/{patient}", response=PatientOut, operation_id="staff_read_patient")
def read_patient(request: HttpRequest, patient: str) -> dict[str, Any]:
    """A patient's status, consent, procedures and adverse events."""
    from cellclinic.care.consent import consent_current

    found = _patient(request, patient, "patient.view")
    return {
        "uuid": str(found.uuid),
        "reference": found.inquiry.reference,
        "program": found.program.slug,
        "status": found.status,
        "consent_in_force": consent_current(patient=found) is not None,
        "procedures": [
            {
                "uuid": str(p.uuid),
                "performed_at": p.performed_at,
                "route": p.route,
                "cell_type": p.cell_type,
                "dose": f"{p.dose.normalize():f}",
                "dose_unit": p.dose_unit,
                "operator": p.operator.get_username(),
            }
            for p in found.procedures.select_related("operator")
        ],
        "adverse_events": [
            {
                "uuid": str(e.uuid),
                "onset_date": e.onset_date.isoformat(),
                "category": e.category,
                "grade": e.grade,
                "serious": e.serious,
                "relation_cells": e.relation_cells,
                "outcome": e.outcome,
            }
            for e in found.adverse_events.all()
        ],
    }


@router.post(
    "/patients/{patient}/procedures",
    response={201: RecordedOut, 422: ErrorsOut},
    operation_id="staff_record_procedure",
)
def record_procedure(request: HttpRequest, patient: str, payload: ProcedureIn) -> Status:
    """Record a procedure (nurses and physicians). Refused (422, field `consent`) without
    a signed consent of the version in force; every bad field is named."""
    found = _patient(request, patient, "patient.record_care")
    form = ProcedureForm(form_data(payload), patient=found)
    try:
        made = procedure_submit(form, by=request.user)  # type: ignore[arg-type]
    except Invalid as invalid:
        return unprocessable(invalid)
    return Status(201, {"uuid": str(made.uuid), "patient_status": found.status})


@router.post(
    "/patients/{patient}/adverse-events",
    response={201: RecordedOut, 422: ErrorsOut},
    operation_id="staff_record_adverse_event",
)
def record_adverse_event(request: HttpRequest, patient: str, payload: AdverseEventIn) -> Status:
    """Record an adverse event (nurses and physicians); a serious one notifies the medical
    director by a retrying task. Every bad field is named."""
    found = _patient(request, patient, "patient.record_care")
    form = EventForm(form_data(payload), patient=found)
    try:
        made = adverse_event_submit(form, by=request.user)  # type: ignore[arg-type]
    except Invalid as invalid:
        return unprocessable(invalid)
    return Status(201, {"uuid": str(made.uuid), "patient_status": found.status})


def _form_refusals(form_class: Any) -> Any:
    def refusals(request: HttpRequest, body: dict[str, Any]) -> dict[str, str]:
        match = request.resolver_match
        found = _patient(
            request, match.kwargs.get("patient", "") if match else "", "patient.record_care"
        )
        form = form_class(posted(body), patient=found)
        form.is_valid()
        return form_errors(form)

    return refusals


FORM_REFUSALS["record_procedure"] = _form_refusals(ProcedureForm)
FORM_REFUSALS["record_adverse_event"] = _form_refusals(EventForm)
