"""The family's follow-up page (personal link) and the staff's follow-up desk."""

from __future__ import annotations

from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cellclinic.accounts.access import staff_view
from cellclinic.accounts.permissions import can
from cellclinic.care.selectors import patient_for
from cellclinic.followup.forms import (
    AssessmentForm,
    FamilyReportForm,
    FollowupFilters,
    assessment_submit,
    family_report_submit,
)
from cellclinic.followup.links import followup_from_token
from cellclinic.followup.models import FollowUp
from cellclinic.followup.selectors import followup_board, with_state
from cellclinic.inquiries.family import family_language
from cellclinic.lib.instruments import INSTRUMENTS, TIMEPOINTS
from cellclinic.lib.invalid import Invalid, error_summary
from cellclinic.outcomes.models import RegistryPatient
from cellclinic.programs.selectors import program_get, program_names


def followup_family(request: HttpRequest, token: str) -> HttpResponse:
    followup = followup_from_token(token)
    if followup is None:
        return render(request, "followup/link_invalid.html", status=404)
    # The same language as the family's other pages and its reminders (`family_language`).
    language = family_language(request, followup.patient.inquiry)
    with translation.override(language):
        response = _followup_family(request, followup, language)
    response["Content-Language"] = language
    return response


def _followup_family(request: HttpRequest, followup: FollowUp, language: str) -> HttpResponse:
    current = program_get(slug=followup.patient.program.slug)
    definition = current.definition if current else None
    if definition is None or definition.outcomes is None:
        return render(request, "followup/link_invalid.html", status=404)
    errors: dict[str, str] = {}
    posted = request.POST if request.method == "POST" else {}
    if request.method == "POST" and followup.answered_at is None:
        form = FamilyReportForm(request.POST, outcomes=definition.outcomes)
        try:
            family_report_submit(form, followup=followup)
        except Invalid as invalid:
            errors = invalid.errors
        else:
            return redirect(request.path)
    today = timezone.localdate(timezone=ZoneInfo(settings.CLINIC_TIME_ZONE))
    domains = [
        {
            "id": d.id,
            "label": d.label.get(language),
            "value": posted.get(f"domain-{d.id}", ""),
            "error": errors.get(f"domain-{d.id}", ""),
        }
        for d in definition.outcomes.family_domains
    ]
    return render(
        request,
        "followup/family.html",
        {
            "followup": followup,
            "program_name": definition.name.get(language),
            "domains": domains,
            "errors": errors,
            "summary": error_summary(
                errors, {f"domain-{d['id']}": (f"f-domain-{d['id']}", d["label"]) for d in domains}
            ),
            "state": followup.state(today),
        },
        status=400 if errors else 200,
    )


@staff_view("patient.view")
def followup_desk(request: HttpRequest) -> HttpResponse:
    filters = FollowupFilters(request.GET).values()
    state, program = filters["state"], filters["program"]
    today = timezone.localdate(timezone=ZoneInfo(settings.CLINIC_TIME_ZONE))
    board = followup_board(today=today, state=state, program=program)
    return render(
        request,
        "followup/desk.html",
        {
            **board,
            "states": FollowUp.State.choices,
            "state": state,
            "program": program,
            "programs": program_names(get_language()),
            "today": today,
        },
    )


@staff_view("patient.view")
def patient_assessments(request: HttpRequest, patient: UUID) -> HttpResponse:
    """A patient's measures at each time point and follow-up schedule; clinicians enter
    values here (the family's answers arrive through its link)."""
    found = patient_for(request, patient)
    current = program_get(slug=found.program.slug)
    outcomes = current.definition.outcomes if current else None
    can_enter = can(request.user, "patient.record_measure")
    errors: dict[str, str] = {}
    posted: Any = {}
    if request.method == "POST":
        if not can_enter:
            raise PermissionDenied
        posted = request.POST
        form = AssessmentForm(request.POST, outcomes=outcomes)
        try:
            assessment_submit(form, patient=found, by=request.user)  # type: ignore[arg-type]
        except Invalid as invalid:
            errors = invalid.errors
        else:
            messages.success(request, _("The value is recorded."))
            return redirect(request.path)
    registry = RegistryPatient.objects.filter(care_patient=found).first()
    today = timezone.localdate(timezone=ZoneInfo(settings.CLINIC_TIME_ZONE))
    items: list[str] = []
    if outcomes is not None:
        items = [*outcomes.muscle_groups, "severity", "frequency"]
    return render(
        request,
        "followup/patient.html",
        {
            "patient": found,
            "registry": registry,
            "assessments": registry.assessments.order_by("timepoint", "instrument", "item")
            if registry
            else [],
            "followups": [with_state(f, today) for f in found.followups.all()],
            "timepoints": TIMEPOINTS,
            "instruments": [
                (i, INSTRUMENTS[i].name)
                for i in (outcomes.clinician_instruments if outcomes else ())
            ],
            "items": items,
            "errors": errors,
            "posted": posted,
            "can_enter": can_enter,
            "today": today,
        },
        status=400 if errors else 200,
    )
