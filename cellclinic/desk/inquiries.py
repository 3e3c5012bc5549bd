"""The staff desk: the queue, one inquiry, its status, assignment, notes and documents."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise as StrPromise
from django.utils.translation import get_language, get_language_info, gettext_lazy
from django.utils.translation import gettext as _
from django_countries import countries

from cellclinic.accounts.access import staff_view
from cellclinic.accounts.permissions import can, users_who_can
from cellclinic.accounts.roles import roles_of
from cellclinic.care.services import inquiry_accept
from cellclinic.inquiries.desk_forms import (
    REFUSALS,
    AcceptForm,
    AssignForm,
    DeclineForm,
    DeskForm,
    MessageForm,
    NoteForm,
    StatusMoveForm,
)
from cellclinic.inquiries.forms import country_pairs
from cellclinic.inquiries.models import Inquiry, Status
from cellclinic.inquiries.selectors import inquiry_for, is_overdue
from cellclinic.inquiries.services import (
    DeskRefused,
    decline_default_text,
    inquiry_assign,
    inquiry_decline,
    inquiry_mark_read,
    inquiry_status_change,
    message_send,
    note_add,
)
from cellclinic.inquiries.workflow import next_statuses
from cellclinic.lib.dates import age_on
from cellclinic.lib.invalid import error_summary, form_errors
from cellclinic.programs.selectors import definition_of, program_list
from cellclinic.screening.forms import QueueFilterForm
from cellclinic.screening.models import Decision
from cellclinic.screening.queue import inquiry_queue
from cellclinic.screening.selectors import decisions_of


@dataclass(frozen=True)
class DeskAction:
    """One action of the inquiry page: its form, the one service it calls with the form's
    values (and the person acting, as the keyword `user_as`), and what staff are told when
    it is done. With `needs` (a capability, a field), a person without the capability is
    refused on that field before the form is read."""

    form: type[DeskForm]
    service: Callable[..., object]
    user_as: str
    done: StrPromise
    needs: tuple[str, str] | None = None


ACTIONS = {
    "status": DeskAction(
        StatusMoveForm, inquiry_status_change, "by", gettext_lazy("The status is changed.")
    ),
    "assign": DeskAction(
        AssignForm, inquiry_assign, "by", gettext_lazy("The assignment is changed.")
    ),
    "note": DeskAction(NoteForm, note_add, "author", gettext_lazy("The note is added.")),
    "message": DeskAction(
        MessageForm,
        message_send,
        "author",
        gettext_lazy("The message is stored and will be e-mailed."),
        needs=("inquiry.work", "body"),  # asked before the text, as message_send does
    ),
    "accept": DeskAction(
        AcceptForm,
        inquiry_accept,
        "physician",
        gettext_lazy("Accepted: the patient is created."),
        needs=("inquiry.decide", "note"),
    ),
    "decline": DeskAction(
        DeclineForm,
        inquiry_decline,
        "physician",
        gettext_lazy("Declined: the family will be told by e-mail."),
        needs=("inquiry.decide", "reason"),
    ),
}

# The desk actions' fields as the error summary links to them (html id, label), in page order.
INQUIRY_FIELDS = {
    "status.status": ("f-status", gettext_lazy("Move to")),
    "status.reason": ("f-status-reason", gettext_lazy("Reason")),
    "assign.assignee": ("f-assignee", gettext_lazy("Coordinator")),
    "message.body": ("f-message", gettext_lazy("Write to the family")),
    "accept.note": ("f-accept-note", gettext_lazy("Consultation note (required)")),
    "decline.reason": ("f-decline-reason", gettext_lazy("Reason (internal, required)")),
    "decline.message": (
        "f-decline-message",
        gettext_lazy("Message to the family (in its language; edit before sending)"),
    ),
    "note.text": ("f-note", gettext_lazy("Add a note")),
}


def _age(birth_date: object, today: date) -> int | None:
    """Whole years today from the answer's birth date (None if there is none)."""
    try:
        return age_on(date.fromisoformat(str(birth_date)), today) if birth_date else None
    except ValueError:
        return None


def _queue_row(inquiry: Any, *, names: dict[int, str], overdue_before: Any, today: date) -> Any:
    """One row of the queue. Labels come from dicts made once per page (a model's
    `get_FOO_display` per row and column cost about 0.2 ms each: 20 ms a page)."""
    current = inquiry.current[0] if inquiry.current else None
    return {
        "inquiry": inquiry,
        "overdue": is_overdue(inquiry, overdue_before),
        "program_name": names.get(inquiry.program_id, "") or inquiry.program.slug,
        "status": STATUS_LABELS.get(inquiry.status, inquiry.status),
        "decision": DECISION_LABELS.get(current.decision, current.decision) if current else "",
        "age": _age(inquiry.birth_date, today),
        "country_name": countries.name(inquiry.country) or inquiry.country,
    }


STATUS_LABELS = dict(Status.choices)  # lazy texts: each shows in the reader's language
DECISION_LABELS = dict(Decision.Value.choices)


@staff_view("inquiry.view")
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET)
    form.full_clean()  # never invalid: every value is only cleaned
    filters = form.filters()
    page = inquiry_queue(filters=filters, cursor=form.cleaned_data["after"], me=request.user.pk)
    programs = program_list()
    language = get_language() or settings.LANGUAGE_CODE
    names = {p.version.program_id: p.definition.name.get(language) for p in programs}
    today = timezone.localdate()
    rows = [
        _queue_row(i, names=names, overdue_before=page.overdue_before, today=today)
        for i in page.rows
    ]
    next_query = request.GET.copy()
    if page.next_cursor:
        next_query["after"] = page.next_cursor
    return render(
        request,
        "inquiries/staff/queue.html",
        {
            "rows": rows,
            "filters": filters,
            "counts": [(s, page.counts.get(s.value, 0)) for s in Status],
            "counted_at": page.counted_at,
            "programs": [(p.slug, p.definition.name.get(language)) for p in programs],
            "decisions": Decision.Value.choices,
            "countries": country_pairs(language),
            "coordinators": users_who_can("inquiry.assignee", active_only=False).order_by(
                "username"
            ),
            "next_url": f"?{next_query.urlencode()}" if page.next_cursor else "",
            "statuses": list(Status),
        },
    )


def _answers(inquiry: Any, language: str) -> list[dict[str, Any]]:
    definition = definition_of(inquiry.program_version)
    shown = []
    for item in definition.items:
        if item.id not in inquiry.answers:
            continue
        value = inquiry.answers[item.id]
        if item.type in ("choice", "multi_choice"):
            values = value if isinstance(value, list) else [value]
            text = ", ".join(item.choice_label(v, language) for v in values)
        elif item.type == "boolean":
            text = _("Yes") if value else _("No")
        elif item.type == "country":
            text = countries.name(value) or str(value)
        elif item.type == "language":
            text = language_name(value)
        else:
            text = str(value)
        shown.append(
            {
                "id": item.id,
                "label": item.label.get(language),
                "text": text,
                "section": item.section,
                "ltr": item.type in ("email", "phone"),  # isolated in right-to-left text
            }
        )
    return shown


def language_name(code: str) -> str:
    """A site language's name in the reader's language (the code if it is not one)."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def _act(request: HttpRequest, inquiry: Inquiry, action: str) -> dict[str, str]:
    """Do the posted `action`; or what is refused, by `action.field` (as the page shows it)."""
    user: User = request.user  # type: ignore[assignment]
    todo = ACTIONS.get(action)
    try:
        if todo is None:
            raise DeskRefused("not_allowed", "action")
        if todo.needs and not can(user, todo.needs[0]):
            raise DeskRefused("role", todo.needs[1])
        form = todo.form(request.POST)
        if not form.is_valid():
            return {f"{action}.{field}": message for field, message in form_errors(form).items()}
        todo.service(inquiry=inquiry, **{todo.user_as: user}, **form.values())
    except DeskRefused as refused:
        return {f"{action}.{refused.field}": str(REFUSALS.get(refused.code, refused.code))}
    messages.success(request, str(todo.done))
    return {}


@staff_view("inquiry.view")
def inquiry_page(request: HttpRequest, reference: str) -> HttpResponse:
    inquiry = inquiry_for(request, reference)
    language = get_language()
    errors: dict[str, str] = {}
    if request.method == "POST":
        errors = _act(request, inquiry, request.POST.get("action", ""))
        if not errors:
            return redirect(request.path)
    # Shown as it was when opened; opened by the one it waits for, it is read from now on.
    read_now = request.method == "GET" and inquiry_mark_read(
        inquiry=inquiry,
        by=request.user,  # type: ignore[arg-type]
    )
    roles = roles_of(request.user)
    labels = STATUS_LABELS
    context = {
        "inquiry": inquiry,
        "read_now": read_now,
        "country_name": countries.name(inquiry.country) or inquiry.country,
        "program_name": definition_of(inquiry.program_version).name.get(language),
        "answers": _answers(inquiry, language),
        "reply_language_name": language_name(inquiry.reply_language),
        "documents": inquiry.documents.all(),
        "decisions": decisions_of(inquiry, language),
        "changes": [
            {
                "change": c,
                "from": labels.get(c.from_status, c.from_status),
                "to": labels.get(c.to_status, c.to_status),
            }
            for c in inquiry.status_changes.select_related("changed_by")
        ],
        "notes": inquiry.internal_notes.select_related("author"),
        "thread": inquiry.messages.select_related("author").prefetch_related("documents"),
        "can_decide": can(request.user, "inquiry.decide") and inquiry.status == Status.CONSULTATION,
        "decline_text": request.POST.get("message") if errors else decline_default_text(inquiry),
        "moves": next_statuses(inquiry.status, roles),
        "coordinators": coordinators(),
        "errors": errors,
        "summary": error_summary(errors, INQUIRY_FIELDS),
        "posted": request.POST if errors else {},
        "roles": roles,
    }
    return render(request, "inquiries/staff/inquiry.html", context, status=400 if errors else 200)


@staff_view("inquiry.view")
def document_download(request: HttpRequest, reference: str, document: UUID) -> FileResponse:
    """A family's document, for staff only; every download is in the access log (the
    logged path names the document)."""
    inquiry = inquiry_for(request, reference)
    found = inquiry.documents.filter(uuid=document).first()
    if found is None:
        raise Http404
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.original_name,
        content_type=found.content_type,
    )
    return response


def coordinators() -> Any:
    """Everyone who may be assigned an inquiry, for the queue's filter and the assign list."""
    return users_who_can("inquiry.assignee", active_only=False).order_by("username")
