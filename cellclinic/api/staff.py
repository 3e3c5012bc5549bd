"""Staff endpoints of the API: inquiries with their screening. Authenticated, role-checked,
and logged like the pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from cellclinic.accounts.access import signed_in_with_mfa
from cellclinic.accounts.roles import roles_of
from cellclinic.accounts.services import api_token_user
from cellclinic.audit.services import access_record
from cellclinic.inquiries.models import Inquiry
from cellclinic.inquiries.selectors import QueueFilters, inquiry_queue
from cellclinic.lib.references import normalise_reference
from cellclinic.lib.text import search_text

READERS = {"coordinator", "physician", "admin"}


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
    if not READERS & roles_of(user):
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
    filters = QueueFilters(
        **{
            name: search_text(value)
            for name, value in dict(
                program=program, status=status, decision=decision, country=country, q=q
            ).items()
        }
    )
    page = inquiry_queue(filters=filters, cursor=after)
    rows = (
        Inquiry.objects.filter(pk__in=[i.pk for i in page.rows])
        .select_related("program", "assigned_to")
        .prefetch_related("decisions")
        .order_by("-created_at", "-pk")
    )
    access_record(request=request, action="list", object_type="inquiry-list", object_ref="api")
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
    access_record(
        request=request, action="view", object_type="inquiry", object_ref=inquiry.reference
    )
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
