"""The family's page, reached by its personal link: the thread, a reply, documents."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cellclinic.inquiries.family import inquiry_from_token
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


def family_inquiry(request: HttpRequest, token: str) -> HttpResponse:
    inquiry = inquiry_from_token(token)
    if inquiry is None:
        return render(request, "inquiries/family_link_invalid.html", status=404)
    errors: dict[str, str] = {}
    if request.method == "POST":
        uploads, upload_error = check_uploads(request)
        form = FamilyReplyForm(request.POST, uploads=uploads)
        errors = {DOCUMENTS: upload_error} if upload_error else _reply(form, inquiry=inquiry)
        if not errors:
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
            "errors": errors,
            "summary": error_summary(errors, REPLY_FIELDS),
            "posted": request.POST.get("body", "") if errors else "",
            "sent": request.session.pop("family_sent", False),
            "consent": consent,
            "consent_url": reverse("family_consent", args=[token]) if consent else "",
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
