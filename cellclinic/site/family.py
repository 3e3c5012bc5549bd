"""The family's page, reached by its personal link: the thread, a reply, documents."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from cellclinic.inquiries.family import inquiry_from_token
from cellclinic.inquiries.forms import FamilyReplyForm
from cellclinic.inquiries.models import Inquiry
from cellclinic.inquiries.services import DeskRefused, family_reply
from cellclinic.lib.invalid import form_errors
from cellclinic.programs.selectors import definition_of
from cellclinic.site.inquiry import check_uploads


def family_inquiry(request: HttpRequest, token: str) -> HttpResponse:
    inquiry = inquiry_from_token(token)
    if inquiry is None:
        return render(request, "inquiries/family_link_invalid.html", status=404)
    error = ""
    if request.method == "POST":
        uploads, upload_error = check_uploads(request)
        form = FamilyReplyForm(request.POST, uploads=uploads)
        error = upload_error or _reply(form, inquiry=inquiry)
        if not error:
            request.session["family_sent"] = True
            return redirect(request.path)
    language = translation.get_language()
    consent = _consent_state(inquiry)
    return render(
        request,
        "inquiries/family.html",
        {
            "inquiry": inquiry,
            "program_name": definition_of(inquiry.program_version).name.get(language),
            "thread": inquiry.messages.all(),
            "error": error,
            "posted": request.POST.get("body", "") if error else "",
            "sent": request.session.pop("family_sent", False),
            "consent": consent,
            "consent_url": reverse("family_consent", args=[token]) if consent else "",
        },
        status=400 if error else 200,
    )


def _reply(form: FamilyReplyForm, *, inquiry: Inquiry) -> str:
    """Store the family's reply; or why not, in one message."""
    if not form.is_valid():
        return next(iter(form_errors(form).values()))
    try:
        family_reply(inquiry=inquiry, body=form.cleaned_data["body"], uploads=form.uploads)
    except DeskRefused:
        return _("The message could not be sent.")
    return ""


def _consent_state(inquiry: Inquiry) -> str:
    """'to_sign' or 'signed' once the inquiry is a patient's who may sign; '' otherwise."""
    from cellclinic.care.consent import SIGNING_STATUSES, consent_current
    from cellclinic.care.models import Patient

    patient = Patient.objects.filter(inquiry=inquiry).first()
    if patient is None:
        return ""
    if consent_current(patient=patient) is not None:
        return "signed"
    return "to_sign" if patient.status in SIGNING_STATUSES else ""
