"""Consent: signed at the clinic or through the family's link; the admin's documents."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from cellclinic.accounts.access import staff_view
from cellclinic.care.consent import (
    SIGNING_STATUSES,
    consent_current,
    consent_document_in_force,
    consent_signer_default,
)
from cellclinic.care.forms import (
    ConsentDocumentForm,
    ConsentLanguageForm,
    ConsentSignForm,
    ConsentVersionForm,
    consent_document_publish_submit,
    consent_sign_submit,
)
from cellclinic.care.models import ConsentDocument, ConsentSignature, Patient
from cellclinic.care.selectors import patient_for
from cellclinic.inquiries.family import family_language, family_link_invalid, inquiry_from_token
from cellclinic.lib.clients import client_address
from cellclinic.lib.invalid import Invalid, error_summary, form_errors
from cellclinic.programs.models import Program


def _consent_context(
    found: Patient, language: str, errors: dict[str, str], data: Any
) -> dict[str, Any]:
    document = consent_document_in_force(program=found.program, language=language)
    statements = [
        {
            "number": n,
            "text": text,
            "checked": data.get(f"statement-{n}") in ("yes", "on"),
            "error": errors.get(f"statement-{n}", ""),
        }
        for n, text in enumerate(document.statements, start=1)
    ]
    fields = {  # in the page's order; a statement is named by its first words
        **{
            f"statement-{s['number']}": (
                f"f-statement-{s['number']}",
                Truncator(s["text"]).chars(40),
            )
            for s in statements
        },
        "signer_role": ("f-signer-role", _("I sign as")),
        "signer_name": ("f-signer-name", _("Your full name, typed as your signature")),
    }
    return {
        "patient": found,
        "document": document,
        "blocks": document.blocks(),
        "statements": statements,
        "roles": ConsentSignature.SignerRole.choices,
        "errors": errors,
        "summary": error_summary(errors, fields),
        "posted": data,
        "document_languages": [(code, str(name)) for code, name in settings.LANGUAGES],
        "language": document.language,
    }


@staff_view("consent.witness")
def consent_in_person(request: HttpRequest, patient: UUID) -> HttpResponse:
    """The patient or guardian signs at the clinic, a member of staff witnessing."""
    found = patient_for(request, patient)
    language = _language(request) or found.inquiry.reply_language
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


def _language(request: HttpRequest) -> str:
    """The language asked for in the address, else in the form; "en" for a wrong one."""
    for data in (request.GET, request.POST):
        form = ConsentLanguageForm(data)
        if not form.is_valid():
            return "en"
        if form.cleaned_data["language"]:
            return str(form.cleaned_data["language"])
    return ""


def _sign_posted(
    request: HttpRequest, found: Patient, method: str, *, witness: Any = None
) -> dict[str, str]:
    """Sign the posted document version; the errors by field (none when signed)."""
    version = ConsentVersionForm(request.POST, program=found.program)
    if not version.is_valid():
        return form_errors(version)
    document = version.cleaned_data["document"]
    try:
        consent_sign_submit(
            ConsentSignForm(request.POST, document=document),
            patient=found,
            document=document,
            method=method,
            address=client_address(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            witness=witness,
        )
    except Invalid as invalid:
        return invalid.errors
    return {}


@staff_view("patient.view")
def consent_snapshot(request: HttpRequest, patient: UUID, signature: UUID) -> HttpResponse:
    """Exactly what was signed, read-only."""
    found = patient_for(request, patient)
    item = found.consents.filter(uuid=signature).first()
    if item is None:
        raise Http404
    response = HttpResponse(item.snapshot, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def family_consent(request: HttpRequest, token: str) -> HttpResponse:
    """The family signs the consent through its personal link, in its language."""
    inquiry = inquiry_from_token(token)
    found = Patient.objects.filter(inquiry=inquiry).first() if inquiry else None
    if inquiry is None or found is None:
        return family_link_invalid(request, token)
    # The same language as the family's page that links here (`family_language`).
    language = family_language(request, inquiry)
    with translation.override(language):
        response = _family_consent(request, found, token, language)
    response["Content-Language"] = language
    return response


def _family_consent(
    request: HttpRequest, found: Patient, token: str, language: str
) -> HttpResponse:
    errors: dict[str, str] = {}
    data: Any = consent_signer_default(patient=found)
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
    values: Mapping[str, Any] = {
        "title": current.title,
        "body": current.body,
        "statements": "\n".join(current.statements),
    }
    if request.method == "POST":
        form = ConsentDocumentForm(request.POST)
        values = form.data
        try:
            made = consent_document_publish_submit(
                form,
                program=found,
                language=language,
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
