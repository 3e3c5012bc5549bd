"""The family's page, reached by its personal link: the thread, a reply, documents; once
accepted, the treatment plan's dates, what to bring, the consent and the follow-ups, with a
printable plan and a calendar file. Every page of the link is in the family's language
(`family_language`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cellclinic.care.consent import SIGNING_STATUSES, consent_current
from cellclinic.care.models import Patient, TreatmentPlan
from cellclinic.care.selectors import PlanDay, plan_days
from cellclinic.care.services import plan_calendar
from cellclinic.followup.links import followup_url
from cellclinic.followup.models import FollowUp
from cellclinic.inquiries.emails import family_link_resend
from cellclinic.inquiries.family import (
    family_language,
    family_link_invalid,
    family_thread,
    inquiry_from_expired_token,
    inquiry_from_token,
)
from cellclinic.inquiries.forms import DOCUMENTS, FamilyReplyForm
from cellclinic.inquiries.models import Inquiry
from cellclinic.inquiries.services import DeskRefused, family_reply
from cellclinic.lib.invalid import error_summary, form_errors
from cellclinic.programs.selectors import definition_of
from cellclinic.site.inquiry import check_uploads

# The reply's fields as the error summary links to them (html id, label).
REPLY_FIELDS = {
    "body": ("f-body", gettext_lazy("Your message")),
    DOCUMENTS: ("f-documents", gettext_lazy("Medical records")),
}


def _in_family_language(
    request: HttpRequest, inquiry: Inquiry, view: Any, *args: Any
) -> HttpResponse:
    language = family_language(request, inquiry)
    with translation.override(language):
        response: HttpResponse = view(request, inquiry, *args)
    response["Content-Language"] = language
    return response


def family_inquiry(request: HttpRequest, token: str) -> HttpResponse:
    inquiry = inquiry_from_token(token)
    if inquiry is None:
        return family_link_invalid(request, token)
    return _in_family_language(request, inquiry, _family_page, token)


def _family_page(request: HttpRequest, inquiry: Inquiry, token: str) -> HttpResponse:
    errors: dict[str, str] = {}
    if request.method == "POST":
        uploads, upload_error = check_uploads(request)
        form = FamilyReplyForm(request.POST, uploads=uploads)
        errors = {DOCUMENTS: upload_error} if upload_error else _reply(form, inquiry=inquiry)
        if not errors:
            request.session["family_sent"] = True
            return redirect(request.path)
    language = translation.get_language()
    return render(
        request,
        "inquiries/family.html",
        {
            "inquiry": inquiry,
            "program_name": definition_of(inquiry.program_version).name.get(language),
            "thread": family_thread(inquiry),
            "errors": errors,
            "summary": error_summary(errors, REPLY_FIELDS),
            "posted": request.POST.get("body", "") if errors else "",
            "sent": request.session.pop("family_sent", False),
            **_care(inquiry, token),
        },
        status=400 if errors else 200,
    )


def _reply(form: FamilyReplyForm, *, inquiry: Inquiry) -> dict[str, str]:
    """Store the family's reply; or why not, by field (none when stored)."""
    if not form.is_valid():
        return form_errors(form)
    try:
        family_reply(inquiry=inquiry, body=form.cleaned_data["body"], uploads=form.uploads)
    except DeskRefused:
        return {"form": _("The message could not be sent.")}
    return {}


@dataclass(frozen=True)
class FollowUpRow:
    followup: FollowUp
    state: str
    state_label: str
    link: str  # the report's link while it can be answered


def _care(inquiry: Inquiry, token: str) -> dict[str, Any]:
    """What the page shows once the inquiry is a patient's: plan, consent, follow-ups."""
    patient = Patient.objects.filter(inquiry=inquiry).select_related("program").first()
    if patient is None:
        return {"patient": None, "consent": ""}
    plan = TreatmentPlan.objects.filter(patient=patient).first()
    days = plan_days(plan=plan) if plan else []
    signature = consent_current(patient=patient)
    consent = "signed" if signature else "to_sign" if patient.status in SIGNING_STATUSES else ""
    today = timezone.localdate(timezone=ZoneInfo(settings.CLINIC_TIME_ZONE))
    followups = []
    for followup in patient.followups.all():
        state = followup.state(today)
        answerable = state in (FollowUp.State.DUE, FollowUp.State.OVERDUE)
        followups.append(
            FollowUpRow(
                followup=followup,
                state=state,
                state_label=str(FollowUp.State(state).label),
                link=followup_url(followup) if answerable else "",
            )
        )
    return {
        "patient": patient,
        "plan": plan,
        "plan_days": days,
        "key_days": [d for d in days if d.has_administration],
        "first_day": days[0].day if days else None,
        "last_day": days[-1].day if days else None,
        "plan_url": reverse("family_plan", args=[token]) if plan else "",
        "plan_ics_url": reverse("family_plan_ics", args=[token]) if plan else "",
        "consent": consent,
        "signature": signature,
        "consent_url": reverse("family_consent", args=[token]) if consent else "",
        "followups": followups,
    }


def family_plan(request: HttpRequest, token: str) -> HttpResponse:
    """The plan to print or keep on a phone, in the family's language."""
    inquiry = inquiry_from_token(token)
    if inquiry is None:
        return family_link_invalid(request, token)
    return _in_family_language(request, inquiry, _plan_page, token)


def _plan_page(request: HttpRequest, inquiry: Inquiry, token: str) -> HttpResponse:
    plan = TreatmentPlan.objects.filter(patient__inquiry=inquiry).first()
    if plan is None:
        return render(request, "inquiries/family_link_invalid.html", status=404)
    days: list[PlanDay] = plan_days(plan=plan)
    language = translation.get_language()
    return render(
        request,
        "care/family_plan.html",
        {
            "inquiry": inquiry,
            "plan": plan,
            "plan_days": days,
            "program_name": definition_of(inquiry.program_version).name.get(language),
            "family_link": reverse("family_inquiry", args=[token]),
            "plan_ics_url": reverse("family_plan_ics", args=[token]),
        },
    )


def family_plan_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The plan as a calendar file, its sessions named in the family's language."""
    inquiry = inquiry_from_token(token)
    plan = (
        TreatmentPlan.objects.filter(patient__inquiry=inquiry).first()
        if inquiry is not None
        else None
    )
    if inquiry is None or plan is None:
        return family_link_invalid(request, token)
    language = family_language(request, inquiry)
    response = HttpResponse(
        plan_calendar(plan=plan, language=language), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="plan-{inquiry.reference}.ics"'
    response["Content-Language"] = language
    return response


@require_POST
def family_link_new(request: HttpRequest, token: str) -> HttpResponse:
    """From an expired link: e-mail a fresh one to the family's address (at most hourly)."""
    inquiry = inquiry_from_token(token) or inquiry_from_expired_token(token)
    if inquiry is None:
        return family_link_invalid(request, token)
    family_link_resend(inquiry=inquiry)  # an hour after the last one, or nothing new
    with translation.override(family_language(request, inquiry)):
        return render(request, "inquiries/family_link_sent.html")
