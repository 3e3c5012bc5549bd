"""The desk's "Contact us" messages: the list, and one message with its conversation."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cellclinic.accounts.access import staff_view
from cellclinic.contact.forms import InvitationForm, ReplyForm
from cellclinic.contact.models import ContactMessage
from cellclinic.contact.selectors import contact_counts, contact_for, contact_messages
from cellclinic.contact.services import contact_close, contact_invite, contact_reply
from cellclinic.lib.invalid import Invalid, SummaryItem, error_summary, form_add_errors
from cellclinic.programs.selectors import program_get, program_names

PAGE = 100


@staff_view("contact.answer")
@require_GET
def contact_list(request: HttpRequest) -> HttpResponse:
    """Newest first, filtered by status; the newest 100 (older ones by their status)."""
    status = request.GET.get("status", "")
    if status not in ContactMessage.Status.values:
        status = ""
    rows = list(contact_messages(status=status)[:PAGE])
    counts = contact_counts()
    return render(
        request,
        "contact/staff/list.html",
        {
            "rows": [{"message": m, "language_name": language_name(m.language)} for m in rows],
            "status": status,
            "counts": [(s, counts[s.value]) for s in ContactMessage.Status],
            "page": PAGE,
        },
    )


def language_name(code: str) -> str:
    """A site language's name in the reader's language (the code if it is not one)."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def _programs() -> list[tuple[str, str]]:
    language = get_language() or settings.LANGUAGE_CODE
    return program_names(language)


def _act(
    request: HttpRequest, message: ContactMessage, reply: ReplyForm, invite: InvitationForm
) -> tuple[bool, list[str]]:
    """Do the posted action; whether it was done, and what concerns no field."""
    user: User = request.user  # type: ignore[assignment]
    action = request.POST.get("action", "")
    form: forms.Form | None = {"reply": reply, "invite": invite}.get(action)
    try:
        if action == "close":
            contact_close(message=message, author=user)
            messages.success(request, _("The message is closed."))
            return True, []
        if form is None:
            return False, [_("Choose one of the values offered.")]
        if not form.is_valid():
            return False, []
        data = form.cleaned_data
        if form is reply:
            contact_reply(message=message, author=user, body=data["body"])
            messages.success(request, _("The answer is stored and will be e-mailed."))
        else:
            program = program_get(slug=data["program"])
            if program is None:
                raise Invalid({"program": _("Choose one of the values offered.")})
            contact_invite(message=message, author=user, program=program, note=data["note"])
            messages.success(request, _("The invitation is stored and will be e-mailed."))
    except Invalid as refused:
        return False, list(form_add_errors(form, refused.errors).values()) if form else list(
            refused.errors.values()
        )
    return True, []


@staff_view("contact.answer")
@require_http_methods(["GET", "POST"])
def contact_page(request: HttpRequest, message: UUID) -> HttpResponse:
    found = contact_for(request, message)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    programs = _programs()
    reply = ReplyForm(request.POST if action == "reply" else None, auto_id="f-reply-%s")
    invite = InvitationForm(
        request.POST if action == "invite" else None, programs=programs, auto_id="f-invite-%s"
    )
    problems: list[str] = []
    if request.method == "POST":
        done, problems = _act(request, found, reply, invite)
        if done:
            return redirect(request.path)
    failed = request.method == "POST"
    acted = {"reply": reply, "invite": invite}.get(action)
    fields = (
        {name: (acted[name].id_for_label, acted[name].label) for name in acted.fields}
        if acted is not None
        else {}
    )
    errors = {name: str(e[0]) for name, e in acted.errors.items()} if acted is not None else {}
    summary = [SummaryItem("", p) for p in problems] + error_summary(errors, fields)
    names = dict(programs)
    events = list(found.events.select_related("author"))
    for event in events:
        event.program_name = names.get(event.program, event.program)  # type: ignore[attr-defined]
    return render(
        request,
        "contact/staff/message.html",
        {
            "message": found,
            "language_name": language_name(found.language),
            "events": events,
            "reply": reply,
            "invite": invite,
            "summary": summary,
        },
        status=400 if failed else 200,
    )
