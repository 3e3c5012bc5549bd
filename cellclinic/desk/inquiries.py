"""The staff desk: the queue, one inquiry, its status, assignment, notes and documents."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from cellclinic.accounts.access import staff_view
from cellclinic.accounts.permissions import can, users_who_can
from cellclinic.accounts.roles import roles_of
from cellclinic.care.services import inquiry_accept
from cellclinic.inquiries.models import Status
from cellclinic.inquiries.selectors import inquiry_for, is_overdue
from cellclinic.inquiries.services import (
    DeskRefused,
    decline_default_text,
    inquiry_assign,
    inquiry_decline,
    inquiry_status_change,
    message_send,
    note_add,
)
from cellclinic.inquiries.workflow import next_statuses
from cellclinic.lib.text import search_text
from cellclinic.programs.selectors import definition_of, program_list
from cellclinic.screening.models import Decision
from cellclinic.screening.queue import QueueFilters, inquiry_queue
from cellclinic.screening.selectors import decisions_of

REFUSALS = {
    "not_allowed": gettext_lazy("That status change is not allowed from the current status."),
    "role": gettext_lazy("Your role may not do this."),
    "reason_required": gettext_lazy("Write the reason: it is required for this change."),
    "control": gettext_lazy("Remove the invisible control characters."),
    "empty": gettext_lazy("Write something first."),
    "too_long": gettext_lazy("This is too long."),
    "not_coordinator": gettext_lazy("Choose a coordinator."),
}


@staff_view("inquiry.view")
def queue(request: HttpRequest) -> HttpResponse:
    params = request.GET
    filters = QueueFilters(
        **{name: search_text(params.get(name, "")) for name in QueueFilters.__dataclass_fields__}
    )
    page = inquiry_queue(filters=filters, cursor=params.get("after", "")[:200])
    rows = [{"inquiry": i, "overdue": is_overdue(i, page.overdue_before)} for i in page.rows]  # type: ignore[arg-type]
    next_query = params.copy()
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
            "programs": program_list(),
            "decisions": Decision.Value.choices,
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
        else:
            text = str(value)
        shown.append(
            {
                "id": item.id,
                "label": item.label.get(language),
                "text": text,
                "section": item.section,
            }
        )
    return shown


@staff_view("inquiry.view")
def inquiry_page(request: HttpRequest, reference: str) -> HttpResponse:
    inquiry = inquiry_for(request, reference)
    language = get_language()
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        user: User = request.user  # type: ignore[assignment]
        try:
            if action == "status":
                inquiry_status_change(
                    inquiry=inquiry,
                    to_status=request.POST.get("status", ""),
                    by=user,
                    reason=request.POST.get("reason", ""),
                )
                messages.success(request, _("The status is changed."))
            elif action == "assign":
                username = search_text(request.POST.get("assignee", ""), 150)
                assignee = User.objects.filter(username=username).first() if username else None
                if username and assignee is None:
                    raise DeskRefused("not_coordinator", "assignee")
                inquiry_assign(inquiry=inquiry, assignee=assignee, by=user)
                messages.success(request, _("The assignment is changed."))
            elif action == "note":
                note_add(inquiry=inquiry, author=user, text=request.POST.get("text", ""))
                messages.success(request, _("The note is added."))
            elif action == "message":
                message_send(inquiry=inquiry, author=user, body=request.POST.get("body", ""))
                messages.success(request, _("The message is stored and will be e-mailed."))
            elif action == "accept":
                if not can(user, "inquiry.decide"):
                    raise DeskRefused("role", "note")
                inquiry_accept(inquiry=inquiry, physician=user, note=request.POST.get("note", ""))
                messages.success(request, _("Accepted: the patient is created."))
            elif action == "decline":
                if not can(user, "inquiry.decide"):
                    raise DeskRefused("role", "reason")
                inquiry_decline(
                    inquiry=inquiry,
                    physician=user,
                    reason=request.POST.get("reason", ""),
                    message=request.POST.get("message", ""),
                )
                messages.success(request, _("Declined: the family will be told by e-mail."))
            else:
                raise DeskRefused("not_allowed", "action")
        except DeskRefused as refused:
            errors[f"{action}.{refused.field}"] = str(REFUSALS.get(refused.code, refused.code))
        else:
            return redirect(request.path)
    roles = roles_of(request.user)
    context = {
        "inquiry": inquiry,
        "program_name": definition_of(inquiry.program_version).name.get(language),
        "answers": _answers(inquiry, language),
        "documents": inquiry.documents.all(),
        "decisions": decisions_of(inquiry, language),
        "changes": inquiry.status_changes.select_related("changed_by"),
        "notes": inquiry.internal_notes.select_related("author"),
        "thread": inquiry.messages.select_related("author").prefetch_related("documents"),
        "can_decide": can(request.user, "inquiry.decide") and inquiry.status == Status.CONSULTATION,
        "decline_text": request.POST.get("message") if errors else decline_default_text(inquiry),
        "moves": next_statuses(inquiry.status, roles),
        "coordinators": coordinators(),
        "errors": errors,
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
