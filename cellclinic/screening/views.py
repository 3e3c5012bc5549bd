from __future__ import annotations

from pathlib import Path
from tempfile import NamedTemporaryFile

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from cellclinic.accounts.access import require, staff_view
from cellclinic.accounts.permissions import can
from cellclinic.accounts.roles import roles_of
from cellclinic.inquiries.selectors import inquiry_for
from cellclinic.lib.references import normalise_reference
from cellclinic.programs.loader import DefinitionError
from cellclinic.programs.rules import RuleError
from cellclinic.programs.selectors import program_get, program_list
from cellclinic.screening.engine import rule_set_for
from cellclinic.screening.models import Decision
from cellclinic.screening.selectors import decisions_of
from cellclinic.screening.services import (
    OverrideRefused,
    clinic_date,
    decision_override,
    draft_rule_set,
    screening_impact,
)

DRAFT_MAX_BYTES = 256 * 1024
OVERRIDE_MESSAGES = {
    "reason": ("reason", gettext_lazy("Write the reason for the override.")),
    "decision": ("decision", gettext_lazy("Choose one of the decisions offered.")),
    "role": ("decision", gettext_lazy("Only a physician can override a screening decision.")),
    "not_screened": ("decision", gettext_lazy("This inquiry has not been screened yet.")),
}


@staff_view("inquiry.view")
def inquiry_screening(request: HttpRequest, reference: str) -> HttpResponse:
    inquiry = inquiry_for(request, reference)
    errors: dict[str, str] = {}
    if request.method == "POST":
        require(request, "screening.override")
        try:
            decision_override(
                inquiry=inquiry,
                physician=request.user,  # type: ignore[arg-type]
                decision=request.POST.get("decision", ""),
                reason=request.POST.get("reason", ""),
            )
        except OverrideRefused as refused:
            field, message = OVERRIDE_MESSAGES[str(refused)]
            errors[field] = str(message)
        else:
            messages.success(
                request, _("The override is recorded; the automatic decision is kept.")
            )
            return redirect(request.path)
    language = get_language()
    return render(
        request,
        "screening/inquiry_screening.html",
        {
            "inquiry": inquiry,
            "program_name": inquiry.program_version.definition["name"].get(language)
            or inquiry.program_version.definition["name"]["en"],
            "decisions": decisions_of(inquiry, language),
            "can_override": can(request.user, "screening.override"),
            "choices": Decision.Value.choices,
            "errors": errors,
            "posted": request.POST if errors else {},
        },
        status=400 if errors else 200,
    )


@staff_view("screening.impact")
def impact(request: HttpRequest) -> HttpResponse:
    context: dict = {"programs": program_list(), "errors": {}, "as_of": clinic_date()}
    if request.method == "POST":
        errors = context["errors"]
        program = program_get(slug=request.POST.get("program", ""))
        upload = request.FILES.get("draft")
        if program is None:
            errors["program"] = _("Choose a program.")
        if upload is None:
            errors["draft"] = _("Attach the draft program file (YAML).")
        elif (upload.size or 0) > DRAFT_MAX_BYTES:
            errors["draft"] = _("The draft file is too large.")
        if not errors and program is not None and upload is not None:
            with NamedTemporaryFile(suffix=".yaml") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
                handle.flush()
                try:
                    draft = draft_rule_set(path=Path(handle.name), program=program.slug)
                except (DefinitionError, RuleError, UnicodeDecodeError) as exc:
                    name = upload.name or "draft"
                    errors["draft"] = str(exc).replace(Path(handle.name).name, name)
                else:
                    context["impact"] = screening_impact(
                        current=rule_set_for(program.definition, program.content_hash),
                        draft=draft,
                        program_id=program.version.program_id,
                        as_of=context["as_of"],
                    )
            context["selected"] = program.slug if program else ""
    status = 400 if context["errors"] else 200
    return render(request, "screening/impact.html", context, status=status)


@staff_view("staff.home")
def staff_home(request: HttpRequest) -> HttpResponse:
    reference = normalise_reference(request.GET.get("reference", "")[:40])
    if reference:
        return redirect("inquiry_screening", reference=reference)
    if can(request.user, "inquiry.view") and "start" not in request.GET:
        return redirect("staff_queue")  # the desk opens on the queue
    return render(request, "screening/staff_home.html", {"roles": sorted(roles_of(request.user))})
