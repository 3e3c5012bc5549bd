"""Procedures and adverse events: record, show with their history, correct."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cellclinic.accounts.access import staff_view
from cellclinic.accounts.permissions import can
from cellclinic.care.consent import consent_current
from cellclinic.care.forms import (
    EventForm,
    ProcedureForm,
    adverse_event_correct_submit,
    adverse_event_submit,
    labels,
    procedure_correct_submit,
    procedure_submit,
)
from cellclinic.care.models import Patient
from cellclinic.care.selectors import patient_for
from cellclinic.lib.invalid import Invalid, SummaryItem, error_summary, form_add_errors

Form = ProcedureForm | EventForm


def _error_list(errors: dict[str, str], form: Form) -> list[SummaryItem]:
    """The refusals as the summary above the form reads them, each linking to its field
    (`care/_fields.html` names them `f-<name>`); what concerns no field first."""
    fields = {name: (f"f-{name}", label) for name, label in labels(form).items()}
    return error_summary(errors, fields)


def _refused(form: Form, invalid: Invalid) -> dict[str, str]:
    """The refusals, each also beside its field."""
    form_add_errors(form, {k: v for k, v in invalid.errors.items() if k not in form.errors})
    return invalid.errors


@staff_view("patient.record_care")
def procedure_new(request: HttpRequest, patient: UUID) -> HttpResponse:
    found = patient_for(request, patient)
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = ProcedureForm(request.POST, patient=found)
    else:
        session = request.GET.get("session", "")
        form = ProcedureForm.planned(found, session=session, by=request.user)  # type: ignore[arg-type]
    if request.method == "POST":
        try:
            procedure_submit(form, by=request.user)  # type: ignore[arg-type]
        except Invalid as invalid:
            errors = _refused(form, invalid)
        else:
            messages.success(request, _("The procedure is recorded."))
            return redirect("patient_page", found.uuid)
    return render(
        request,
        "care/record_form.html",
        {
            "patient": found,
            "title": _("Record a procedure"),
            "form": form,
            "error_list": _error_list(errors, form),
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
    form: Form,
    correct: Callable[..., Any],
) -> HttpResponse:
    """A recorded procedure or event: its history, its values, and the correction form.
    `form` holds the recorded values; `correct(form, item, reason=, by=)` corrects them."""
    can_correct = can(request.user, "patient.record_care")
    errors: dict[str, str] = {}
    shown = form
    if request.method == "POST":
        if not can_correct:
            raise PermissionDenied
        shown = type(form)(request.POST, patient=found)
        try:
            correct(shown, item, reason=request.POST.get("reason", ""), by=request.user)
        except Invalid as invalid:
            errors = _refused(shown, invalid)
        else:
            messages.success(request, _("The correction is recorded; the earlier values are kept."))
            return redirect(request.path)
    return render(
        request,
        "care/record_page.html",
        {
            "patient": found,
            "title": title,
            "item": item,
            "form": shown,
            "error_list": _error_list(errors, shown),
            "reason_error": errors.get("reason", ""),
            "history": _history(item, labels(form)),
            "can_correct": can_correct,
        },
        status=400 if errors else 200,
    )


@staff_view("patient.view")
def procedure_page(request: HttpRequest, patient: UUID, procedure: UUID) -> HttpResponse:
    found = patient_for(request, patient)
    item = _child(found.procedures, procedure)
    return _record_page(
        request,
        found,
        item,
        title=_("Procedure"),
        form=ProcedureForm.of(item),
        correct=procedure_correct_submit,
    )


@staff_view("patient.record_care")
def adverse_event_new(request: HttpRequest, patient: UUID) -> HttpResponse:
    found = patient_for(request, patient)
    errors: dict[str, str] = {}
    form = EventForm(request.POST if request.method == "POST" else None, patient=found)
    if request.method == "POST":
        try:
            event = adverse_event_submit(form, by=request.user)  # type: ignore[arg-type]
        except Invalid as invalid:
            errors = _refused(form, invalid)
        else:
            messages.success(
                request,
                _("The adverse event is recorded; the medical director is being notified.")
                if event.serious
                else _("The adverse event is recorded."),
            )
            return redirect("patient_page", found.uuid)
    return render(
        request,
        "care/record_form.html",
        {
            "patient": found,
            "title": _("Record an adverse event"),
            "form": form,
            "error_list": _error_list(errors, form),
        },
        status=400 if errors else 200,
    )


@staff_view("patient.view")
def adverse_event_page(request: HttpRequest, patient: UUID, event: UUID) -> HttpResponse:
    found = patient_for(request, patient)
    item = _child(found.adverse_events, event)
    return _record_page(
        request,
        found,
        item,
        title=_("Adverse event"),
        form=EventForm.of(item),
        correct=adverse_event_correct_submit,
    )


def _child(related: Any, key: UUID) -> Any:
    found = related.filter(uuid=key).first()
    if found is None:
        raise Http404
    return found


def _history(item: Any, names: dict[str, str]) -> list[dict[str, Any]]:
    """Each change of a record, newest first: who, when, why and which values changed."""
    rows: list[dict[str, Any]] = []
    for record in item.history.select_related("history_user").order_by("-history_date"):
        previous = record.prev_record
        changes = []
        if previous is not None:
            delta = record.diff_against(previous)
            changes = [
                {"field": names.get(c.field, c.field), "old": c.old, "new": c.new}
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
