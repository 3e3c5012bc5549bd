"""The public "Contact us" form, its "sent" page, and the link of an invitation to inquire."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cellclinic.contact.forms import HONEYPOT, ContactForm
from cellclinic.contact.links import invitation_from_token
from cellclinic.contact.services import contact_submit
from cellclinic.core.ratelimit import RateLimited
from cellclinic.lib.clients import client_key
from cellclinic.lib.invalid import error_summary, form_errors
from cellclinic.programs.selectors import program_get, program_list

SESSION_SENT = "contact_sent"
SESSION_PREFILL = "inquiry_prefill"


def _page_language() -> str:
    return get_language() or settings.LANGUAGE_CODE


@require_http_methods(["GET", "POST"])
def contact_form(request: HttpRequest) -> HttpResponse:
    form_error = None
    if request.method == "POST":
        form = ContactForm(request.POST)
        if request.POST.get(HONEYPOT):
            form_error = _("Please leave the field marked “leave empty” empty.")
        if form.is_valid() and form_error is None:
            data = form.cleaned_data
            try:
                message = contact_submit(
                    name=data["name"],
                    email=data["email"],
                    language=data["language"],
                    body=data["message"],
                    page_language=_page_language(),
                    client=client_key(request),
                )
            except RateLimited:
                return _rate_limited(request)
            request.session[SESSION_SENT] = {"language": message.language}
            return redirect(reverse("contact_sent"))
    else:
        form = ContactForm(initial={"language": _page_language()})
    errors = form_errors(form) if form.is_bound else {}
    if form_error:
        errors = {"form": form_error, **errors}
    summary = error_summary(
        errors, {name: (f"f-{name}", form.fields[name].label or name) for name in form.ORDER}
    )
    return render(
        request,
        "contact/form.html",
        {
            "form": form,
            "summary": summary,
            "honeypot": HONEYPOT,
            "programs": _programs(),
            "body_limit": form.fields["message"].limit,  # type: ignore[attr-defined]
        },
        status=400 if errors else 200,
    )


def _programs() -> list[dict[str, str]]:
    language = _page_language()
    return [{"slug": p.slug, "name": p.definition.name.get(language)} for p in program_list()]


def _rate_limited(request: HttpRequest) -> HttpResponse:
    minutes = max(settings.INQUIRY_RATE_WINDOW // 60, 1)
    response = render(request, "contact/rate_limited.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(settings.INQUIRY_RATE_WINDOW)
    return response


@require_GET
def contact_sent(request: HttpRequest) -> HttpResponse:
    sent = request.session.get(SESSION_SENT)
    if not sent:
        return redirect(reverse("contact_form"))
    try:
        language_name = str(get_language_info(sent["language"])["name_translated"])
    except KeyError:
        language_name = sent["language"]
    return render(
        request, "contact/sent.html", {"language_name": language_name, "programs": _programs()}
    )


@require_GET
def contact_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation's link: the program's inquiry form, in the sender's language, with
    their name, address and language filled in (only what they sent us themselves)."""
    event = invitation_from_token(token)
    if event is None or program_get(slug=event.program) is None:
        raise Http404
    message = event.message
    request.session[SESSION_PREFILL] = {
        "program": event.program,
        "values": {
            "contact.name": message.name,
            "contact.email": message.email,
            "contact.language": message.language,
        },
    }
    response = redirect(reverse("inquiry_form", args=[event.program]))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        message.language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]
    )
    return response


def invitation_prefill(request: HttpRequest, slug: str) -> dict[str, Any]:
    """What an invitation's link filled in for this program's inquiry form (else nothing)."""
    prefill = request.session.get(SESSION_PREFILL)
    if isinstance(prefill, dict) and prefill.get("program") == slug:
        values = prefill.get("values")
        return dict(values) if isinstance(values, dict) else {}
    return {}
