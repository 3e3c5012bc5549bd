"""The patient list, the patient page and the discharge summary."""

from __future__ import annotations

from uuid import UUID
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cellclinic.accounts.access import staff_view
from cellclinic.accounts.permissions import can
from cellclinic.care.consent import SIGNING_STATUSES, consent_request
from cellclinic.care.forms import PatientFilters, WithdrawForm, consent_withdraw_submit
from cellclinic.care.models import Patient
from cellclinic.care.selectors import patient_for, patient_list, patient_record
from cellclinic.lib.invalid import Invalid
from cellclinic.programs.selectors import program_names


@staff_view("patient.view")
def patient_list_page(request: HttpRequest) -> HttpResponse:
    filters = PatientFilters(request.GET).values()
    status, program = filters["status"], filters["program"]
    patients = list(patient_list(status=status, program=program)[:500])
    return render(
        request,
        "care/patients.html",
        {
            "patients": patients,
            "statuses": Patient.Status.choices,
            "status": status,
            "program": program,
            "programs": program_names(get_language()),
        },
    )


@staff_view("patient.view")
def patient_page(request: HttpRequest, patient: UUID) -> HttpResponse:
    found = patient_for(request, patient)
    record = patient_record(patient=found)
    zone = ZoneInfo(record["plan"].time_zone) if record["plan"] else None
    if request.method == "POST" and request.POST.get("action") == "request_consent":
        if not can(request.user, "consent.request"):
            raise PermissionDenied
        consent_request(patient=found, by=request.user)  # type: ignore[arg-type]
        messages.success(request, _("The family is asked to sign through its personal link."))
        return redirect(request.path)
    if request.method == "POST" and request.POST.get("action") == "withdraw":
        signature = record["consent"]
        try:
            if signature is None:
                raise Invalid({"reason": _("There is no consent in force to withdraw.")})
            consent_withdraw_submit(
                WithdrawForm(request.POST),
                signature=signature,
                by=request.user,  # type: ignore[arg-type]
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
            "can_record": can(request.user, "patient.record_care"),
            "can_witness": can(request.user, "consent.witness"),
            "can_see_inquiry": can(request.user, "inquiry.view"),
            "can_request": can(request.user, "consent.request")
            and found.status in SIGNING_STATUSES,
        },
    )


@staff_view("patient.view")
def discharge_summary(request: HttpRequest, patient: UUID) -> HttpResponse:
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
