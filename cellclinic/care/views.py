"""The patient's treatment plan: printable page, iCalendar export, and making it."""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cellclinic.accounts.access import staff_view
from cellclinic.accounts.roles import roles_of
from cellclinic.audit.services import access_object
from cellclinic.care.consent import (
    SIGNING_STATUSES,
    consent_current,
    consent_document_in_force,
    consent_document_publish,
    consent_request,
    consent_sign,
    consent_withdraw,
)
from cellclinic.care.fields import (
    Field,
    event_fields,
    event_values,
    posted,
    procedure_fields,
    procedure_values,
)
from cellclinic.care.models import (
    AdverseEvent,
    ConsentDocument,
    ConsentSignature,
    Patient,
    Relation,
    Route,
    SessionKind,
    TreatmentPlan,
)
from cellclinic.care.records import (
    adverse_event_correct,
    adverse_event_record,
    procedure_correct,
    procedure_record,
)
from cellclinic.care.selectors import patient_for, patient_list, patient_record, safety_report
from cellclinic.care.services import (
    plan_calendar,
    plan_from_template,
    plan_session_add,
    plan_session_move,
    plan_session_remove,
)
from cellclinic.care.validation import INTEGER, YEARS, Invalid
from cellclinic.inquiries.family import inquiry_from_token
from cellclinic.inquiries.services import DeskRefused
from cellclinic.lib.clients import client_address
from cellclinic.lib.text import search_text
from cellclinic.programs.models import Program


def _refusal(code: str) -> str:
    return {
        "role": _("Only a physician can make or change the plan."),
        "plan_exists": _("This patient already has a plan."),
        "no_template": _("The program has no treatment template."),
        "kind": _("Choose one of the kinds offered."),
        "minutes": _("Give a duration between 5 and 480 minutes."),
        "spacing": _(
            "Cell administrations must stay between the program's minimum and maximum "
            "number of days apart."
        ),
        "done": _("This session already has a recorded procedure; it cannot change."),
        "reason_required": _("Give the reason."),
        "session": _("There is no such session in this plan."),
        "date_range": _("The date is too far from the stay; check the year."),
    }.get(code, _("This cannot be done."))


@staff_view("patient.view")
def plan_page(request: HttpRequest, patient: str) -> HttpResponse:
    found = patient_for(request, patient)
    plan = TreatmentPlan.objects.filter(patient=found).first()
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "create":
                start = _date(request.POST.get("start", ""))
                if start is None:
                    raise DeskRefused("date", "start")
                plan_from_template(patient=found, start=start, physician=request.user)  # type: ignore[arg-type]
                messages.success(request, _("The plan is made from the program's template."))
            elif action == "add" and plan is not None:
                when = _moment(request.POST.get("starts_at", ""), plan.time_zone)
                if when is None:
                    raise DeskRefused("moment", "starts_at")
                minutes = request.POST.get("minutes", "")
                plan_session_add(
                    plan=plan,
                    kind=request.POST.get("kind", ""),
                    starts_at=when,
                    minutes=int(minutes) if INTEGER.fullmatch(minutes) else 0,
                    physician=request.user,  # type: ignore[arg-type]
                )
                messages.success(request, _("The session is added."))
            elif action in ("move", "remove") and plan is not None:
                session = _plan_session(plan, request.POST.get("session", ""))
                reason = request.POST.get("reason", "")
                if action == "remove":
                    plan_session_remove(session=session, physician=request.user, reason=reason)  # type: ignore[arg-type]
                    messages.success(request, _("The session is taken out of the plan."))
                else:
                    when = _moment(request.POST.get("starts_at", ""), plan.time_zone)
                    if when is None:
                        raise DeskRefused("moment", "starts_at")
                    plan_session_move(
                        session=session,
                        starts_at=when,
                        physician=request.user,  # type: ignore[arg-type]
                        reason=reason,
                    )
                    messages.success(request, _("The session is moved."))
            else:
                raise DeskRefused("action", "action")
        except DeskRefused as refused:
            errors[refused.field] = {
                "date": _("Enter a real date as YYYY-MM-DD."),
                "moment": _("Enter a date and time as YYYY-MM-DD HH:MM."),
            }.get(refused.code) or _refusal(refused.code)
        else:
            return redirect(request.path)
    zone = ZoneInfo(plan.time_zone) if plan else None
    return render(
        request,
        "care/plan.html",
        {
            "patient": found,
            "plan": plan,
            "sessions": [
                {"session": s, "local": s.starts_at.astimezone(zone)} for s in plan.sessions.all()
            ]
            if plan
            else [],
            "kinds": SessionKind.choices,
            "can_plan": "physician" in roles_of(request.user),
            "errors": errors,
            "posted": request.POST if errors else {},
        },
        status=400 if errors else 200,
    )


@staff_view("patient.view")
def plan_ics(request: HttpRequest, patient: str) -> HttpResponse:
    found = patient_for(request, patient)
    plan = TreatmentPlan.objects.filter(patient=found).first()
    if plan is None:
        return HttpResponse(
            _("This patient has no plan yet."), status=404, content_type="text/plain"
        )
    response = HttpResponse(
        plan_calendar(plan=plan, language=get_language()), content_type="text/calendar"
    )
    response["Content-Disposition"] = f'attachment; filename="plan-{found.inquiry.reference}.ics"'
    return response


def _plan_session(plan: TreatmentPlan, key: str) -> Any:
    try:
        found = plan.sessions.filter(uuid=uuid_module.UUID(key)).first()
    except ValueError:
        found = None
    if found is None:
        raise DeskRefused("session", "session")
    return found


def _date(text: str) -> date | None:
    try:
        found = date.fromisoformat(text.strip())
    except ValueError:
        return None
    return found if YEARS[0] <= found.year <= YEARS[1] else None


def _moment(text: str, zone: str) -> datetime | None:
    try:
        # a wall-clock time at the clinic, made aware just below
        parsed = datetime.strptime(text.strip().replace("T", " "), "%Y-%m-%d %H:%M")  # noqa: DTZ007
    except ValueError:
        return None
    if not YEARS[0] <= parsed.year <= YEARS[1]:
        return None
    return parsed.replace(tzinfo=ZoneInfo(zone))


# --- the patient page, procedures and adverse events -------------------------------------


def _error_list(errors: dict[str, str], fields: list[Field]) -> list[tuple[str, str]]:
    labels = {f.name: f.label for f in fields}
    labels.update({"consent": _("Consent"), "plan": _("Plan"), "reason": _("Reason")})
    return [(labels.get(name, name), message) for name, message in errors.items()]


@staff_view("patient.view")
def patient_list_page(request: HttpRequest) -> HttpResponse:
    status = search_text(request.GET.get("status", ""), 20)
    program = search_text(request.GET.get("program", ""), 60)
    patients = list(patient_list(status=status, program=program)[:500])
    return render(
        request,
        "care/patients.html",
        {
            "patients": patients,
            "statuses": Patient.Status.choices,
            "status": status,
            "program": program,
            "programs": Program.objects.order_by("slug"),
        },
    )


@staff_view("patient.view")
def patient_page(request: HttpRequest, patient: str) -> HttpResponse:
    found = patient_for(request, patient)
    record = patient_record(patient=found)
    zone = ZoneInfo(record["plan"].time_zone) if record["plan"] else None
    roles = roles_of(request.user)
    if request.method == "POST" and request.POST.get("action") == "request_consent":
        if not roles & {"coordinator", "physician"}:
            raise PermissionDenied
        consent_request(patient=found, by=request.user)  # type: ignore[arg-type]
        messages.success(request, _("The family is asked to sign through its personal link."))
        return redirect(request.path)
    if request.method == "POST" and request.POST.get("action") == "withdraw":
        signature = record["consent"]
        try:
            if signature is None:
                raise Invalid({"reason": _("There is no consent in force to withdraw.")})
            consent_withdraw(
                signature=signature,
                by=request.user,  # type: ignore[arg-type]
                reason=request.POST.get("reason", ""),
            )
        except Invalid as invalid:
            messages.error(request, "; ".join(invalid.errors.values()))
        else:
            messages.success(request, _("The withdrawal of consent is recorded."))
        return redirect(request.path)
    return render(
        request,
        "care/patient.html",
        {
            "patient": found,
            **record,
            "zone": zone,
            "can_record": bool(roles & {"nurse", "physician"}),
            "can_witness": bool(roles & {"nurse", "physician", "coordinator"}),
            "can_see_inquiry": bool(roles & {"coordinator", "physician", "admin"}),
            "can_request": bool(roles & {"coordinator", "physician"})
            and found.status in SIGNING_STATUSES,
        },
    )


def _physicians() -> list[str]:
    return list(
        User.objects.filter(groups__name="physician", is_active=True)
        .order_by("username")
        .values_list("username", flat=True)
    )


def _session_options(found: Patient) -> list[tuple[str, str]]:
    plan = TreatmentPlan.objects.filter(patient=found).first()
    if plan is None:
        return []
    zone = ZoneInfo(plan.time_zone)
    return [
        (str(s.uuid), f"{s.starts_at.astimezone(zone):%Y-%m-%d %H:%M} {s.get_kind_display()}")
        for s in plan.sessions.filter(
            kind__in=[
                SessionKind.LUMBAR_PUNCTURE,
                SessionKind.INTRAVENOUS,
                SessionKind.STEREOTACTIC,
            ]
        )
    ]


@staff_view("patient.record_care")
def procedure_new(request: HttpRequest, patient: str) -> HttpResponse:
    found = patient_for(request, patient)
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    if request.method == "POST":
        values = posted(request.POST)
        try:
            procedure_record(patient=found, data=values, by=request.user)  # type: ignore[arg-type]
        except Invalid as invalid:
            errors = invalid.errors
        else:
            messages.success(request, _("The procedure is recorded."))
            return redirect("patient_page", found.uuid)
    fields = procedure_fields(
        values=values, errors=errors, sessions=_session_options(found), physicians=_physicians()
    )
    return render(
        request,
        "care/record_form.html",
        {
            "patient": found,
            "title": _("Record a procedure"),
            "fields": fields,
            "error_list": _error_list(errors, fields),
            "consent": consent_current(patient=found),
            "needs_consent": True,
        },
        status=400 if errors else 200,
    )


def _record_page(
    request: HttpRequest,
    found: Patient,
    item: Any,
    *,
    title: str,
    values: dict[str, Any],
    fields_of: Callable[[dict[str, Any], dict[str, str]], list[Field]],
    correct: Callable[..., Any],
) -> HttpResponse:
    """A recorded procedure or event: its history, its values, and the correction form."""
    can_correct = bool(roles_of(request.user) & {"nurse", "physician"})
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not can_correct:
            raise PermissionDenied
        values = posted(request.POST)
        try:
            correct(item, values, request.user, request.POST.get("reason", ""))
        except Invalid as invalid:
            errors = invalid.errors
        else:
            messages.success(request, _("The correction is recorded; the earlier values are kept."))
            return redirect(request.path)
    fields = fields_of(values, errors)
    return render(
        request,
        "care/record_page.html",
        {
            "patient": found,
            "title": title,
            "item": item,
            "fields": fields,
            "error_list": _error_list(errors, fields),
            "reason_error": errors.get("reason", ""),
            "history": _history(item, fields),
            "can_correct": can_correct,
        },
        status=400 if errors else 200,
    )


@staff_view("patient.view")
def procedure_page(request: HttpRequest, patient: str, procedure: str) -> HttpResponse:
    found = patient_for(request, patient)
    item = _child(found.procedures, procedure)
    plan = TreatmentPlan.objects.filter(patient=found).first()
    zone = ZoneInfo(plan.time_zone if plan else settings.CLINIC_TIME_ZONE)
    return _record_page(
        request,
        found,
        item,
        title=_("Procedure"),
        values=procedure_values(item, zone),
        fields_of=lambda values, errors: procedure_fields(
            values=values,
            errors=errors,
            sessions=_session_options(found),
            physicians=_physicians(),
        ),
        correct=lambda record, data, by, reason: procedure_correct(
            procedure=record, data=data, by=by, reason=reason
        ),
    )


def _procedure_options(found: Patient) -> list[tuple[str, str]]:
    return [
        (str(p.uuid), f"{p.performed_at:%Y-%m-%d} {p.get_route_display()}")
        for p in found.procedures.all()
    ]


@staff_view("patient.record_care")
def adverse_event_new(request: HttpRequest, patient: str) -> HttpResponse:
    found = patient_for(request, patient)
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    if request.method == "POST":
        values = posted(request.POST)
        try:
            event = adverse_event_record(patient=found, data=values, by=request.user)  # type: ignore[arg-type]
        except Invalid as invalid:
            errors = invalid.errors
        else:
            messages.success(
                request,
                _("The adverse event is recorded; the medical director is being notified.")
                if event.serious
                else _("The adverse event is recorded."),
            )
            return redirect("patient_page", found.uuid)
    fields = event_fields(values=values, errors=errors, procedures=_procedure_options(found))
    return render(
        request,
        "care/record_form.html",
        {
            "patient": found,
            "title": _("Record an adverse event"),
            "fields": fields,
            "error_list": _error_list(errors, fields),
        },
        status=400 if errors else 200,
    )


@staff_view("patient.view")
def adverse_event_page(request: HttpRequest, patient: str, event: str) -> HttpResponse:
    found = patient_for(request, patient)
    item = _child(found.adverse_events, event)
    return _record_page(
        request,
        found,
        item,
        title=_("Adverse event"),
        values=event_values(item),
        fields_of=lambda values, errors: event_fields(
            values=values, errors=errors, procedures=_procedure_options(found)
        ),
        correct=lambda record, data, by, reason: adverse_event_correct(
            event=record, data=data, by=by, reason=reason
        ),
    )


def _child(related: Any, key: str) -> Any:
    try:
        found = related.filter(uuid=uuid_module.UUID(key)).first()
    except ValueError:
        found = None
    if found is None:
        raise Http404
    return found


def _history(item: Any, fields: list[Field]) -> list[dict[str, Any]]:
    """Each change of a record, newest first: who, when, why and which values changed."""
    labels = {f.name: f.label for f in fields}
    rows: list[dict[str, Any]] = []
    for record in item.history.select_related("history_user").order_by("-history_date"):
        previous = record.prev_record
        changes = []
        if previous is not None:
            delta = record.diff_against(previous)
            changes = [
                {"field": labels.get(c.field, c.field), "old": c.old, "new": c.new}
                for c in delta.changes
                if c.field not in ("director_notified_at",)
            ]
            if not changes:
                continue
        rows.append(
            {
                "at": record.history_date,
                "by": record.history_user.get_username() if record.history_user else "",
                "reason": record.history_change_reason or "",
                "changes": changes,
                "created": previous is None,
            }
        )
    return rows


# --- consent -------------------------------------------------------------------------------


def _consent_context(
    found: Patient, language: str, errors: dict[str, str], data: Any
) -> dict[str, Any]:
    document = consent_document_in_force(program=found.program, language=language)
    return {
        "patient": found,
        "document": document,
        "blocks": document.blocks(),
        "statements": [
            {
                "number": n,
                "text": text,
                "checked": data.get(f"statement-{n}") in ("yes", "on"),
                "error": errors.get(f"statement-{n}", ""),
            }
            for n, text in enumerate(document.statements, start=1)
        ],
        "roles": ConsentSignature.SignerRole.choices,
        "errors": errors,
        "posted": data,
        "document_languages": [(code, str(name)) for code, name in settings.LANGUAGES],
        "language": document.language,
    }


@staff_view("consent.witness")
def consent_in_person(request: HttpRequest, patient: str) -> HttpResponse:
    """The patient or guardian signs at the clinic, a member of staff witnessing."""
    found = patient_for(request, patient)
    language = (
        request.GET.get("language")
        or request.POST.get("language")
        or (found.inquiry.reply_language)
    )
    errors: dict[str, str] = {}
    data: Any = {}
    if request.method == "POST":
        data = request.POST
        errors = _sign_posted(
            request, found, ConsentSignature.Method.IN_PERSON, witness=request.user
        )
        if not errors:
            messages.success(request, _("The consent is signed."))
            return redirect("patient_page", found.uuid)
    with translation.override(language if language in dict(settings.LANGUAGES) else "en"):
        context = _consent_context(found, language, errors, data)
    context["in_person"] = True
    return render(request, "care/consent_sign.html", context, status=400 if errors else 200)


def _sign_posted(
    request: HttpRequest, found: Patient, method: str, *, witness: Any = None
) -> dict[str, str]:
    """Sign the posted document version; the errors by field (none when signed)."""
    document = _posted_document(found, request.POST.get("document", ""))
    if document is None:
        return {"document": _("This version is no longer in force; reload the page.")}
    try:
        consent_sign(
            patient=found,
            document=document,
            data=dict(request.POST.items()),
            method=method,
            address=client_address(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            witness=witness,
        )
    except Invalid as invalid:
        return invalid.errors
    return {}


def _posted_document(found: Patient, key: str) -> ConsentDocument | None:
    try:
        return ConsentDocument.objects.filter(
            uuid=uuid_module.UUID(key), program=found.program
        ).first()
    except ValueError:
        return None


@staff_view("patient.view")
def consent_snapshot(request: HttpRequest, patient: str, signature: str) -> HttpResponse:
    """Exactly what was signed, read-only."""
    found = patient_for(request, patient)
    item = _child(found.consents, signature)
    response = HttpResponse(item.snapshot, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def family_consent(request: HttpRequest, token: str) -> HttpResponse:
    """The family signs the consent through its personal link, in its language."""
    inquiry = inquiry_from_token(token)
    found = Patient.objects.filter(inquiry=inquiry).first() if inquiry else None
    if inquiry is None or found is None:
        return render(request, "inquiries/family_link_invalid.html", status=404)
    language = translation.get_language()
    errors: dict[str, str] = {}
    data: Any = {}
    signed = consent_current(patient=found)
    if request.method == "POST":
        data = request.POST
        errors = _sign_posted(request, found, ConsentSignature.Method.FAMILY_LINK)
        if not errors:
            request.session["consent_signed"] = True
            return redirect(request.path)
    context = _consent_context(found, language, errors, data)
    context.update(
        {
            "signed": signed,
            "just_signed": request.session.pop("consent_signed", False),
            "family_link": reverse("family_inquiry", args=[token]),
            "can_sign": found.status in SIGNING_STATUSES,
        }
    )
    return render(request, "care/family_consent.html", context, status=400 if errors else 200)


@staff_view("consent.documents")
def consent_documents(request: HttpRequest) -> HttpResponse:
    rows = []
    for program in Program.objects.order_by("slug"):
        for code, name in settings.LANGUAGES:
            document = consent_document_in_force(program=program, language=code)
            rows.append({"program": program, "code": code, "name": name, "document": document})
    return render(request, "care/consent_documents.html", {"rows": rows})


@staff_view("consent.documents")
def consent_document_edit(request: HttpRequest, program: str, language: str) -> HttpResponse:
    found = Program.objects.filter(slug=program).first()
    if found is None or language not in dict(settings.LANGUAGES):
        raise Http404
    current = consent_document_in_force(program=found, language=language)
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "title": current.title,
        "body": current.body,
        "statements": "\n".join(current.statements),
    }
    if request.method == "POST":
        values = {key: request.POST.get(key, "") for key in ("title", "body", "statements")}
        try:
            made = consent_document_publish(
                program=found,
                language=language,
                data=values,
                by=request.user,  # type: ignore[arg-type]
            )
        except Invalid as invalid:
            errors = invalid.errors
        else:
            messages.success(
                request,
                _("Version %(version)d is now in force; earlier signatures keep their version.")
                % {"version": made.version},
            )
            return redirect(request.path)
    versions = ConsentDocument.objects.filter(program=found, language=language).select_related(
        "created_by"
    )
    return render(
        request,
        "care/consent_edit.html",
        {
            "program": found,
            "language": language,
            "current": current,
            "values": values,
            "errors": errors,
            "versions": versions,
        },
        status=400 if errors else 200,
    )


# --- reports -------------------------------------------------------------------------------


@staff_view("safety.view")
def safety_report_page(request: HttpRequest) -> HttpResponse:
    programs = list(Program.objects.order_by("slug"))
    slug = search_text(request.GET.get("program", ""), 60) or (programs[0].slug if programs else "")
    program = next((p for p in programs if p.slug == slug), None)
    report = safety_report(program=program) if program else None
    if program is not None:
        access_object(request, object_type="program", object_ref=program.slug)
    relation_rows = []
    if report is not None:
        columns = [("cells", _("Cells"))] + [(value, str(label)) for value, label in Route.choices]
        for value, label in [*Relation.choices, ("not_applicable", _("Not applicable"))]:
            relation_rows.append(
                {"label": label, "counts": [report.by_relation[key][value] for key, _l in columns]}
            )
    else:
        columns = []
    return render(
        request,
        "care/safety_report.html",
        {
            "programs": programs,
            "program": program,
            "report": report,
            "columns": columns,
            "relation_rows": relation_rows,
            "categories": [
                (AdverseEvent.Category(c).label, n)
                for c, n in (report.by_category.items() if report else [])
            ],
            "routes": [
                (label, report.procedures_by_route[value], report.related_per_procedure[value])
                for value, label in Route.choices
            ]
            if report
            else [],
        },
    )


@staff_view("patient.view")
def discharge_summary(request: HttpRequest, patient: str) -> HttpResponse:
    found = patient_for(request, patient)
    record = patient_record(patient=found)
    zone = ZoneInfo(record["plan"].time_zone if record["plan"] else settings.CLINIC_TIME_ZONE)
    return render(
        request,
        "care/summary.html",
        {
            "patient": found,
            **record,
            "zone": zone,
            "administrations": sum(1 for p in record["procedures"] if p.is_administration),
            "printed_at": timezone.now(),
        },
    )
