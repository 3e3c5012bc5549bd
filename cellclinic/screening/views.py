from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from cellclinic.accounts.access import require, staff_view
from cellclinic.accounts.permissions import can
from cellclinic.accounts.roles import roles_of
from cellclinic.inquiries.models import Inquiry
from cellclinic.inquiries.selectors import inquiry_for
from cellclinic.lib.invalid import form_errors
from cellclinic.lib.references import normalise_reference
from cellclinic.programs.selectors import program_list
from cellclinic.screening.engine import rule_set_for
from cellclinic.screening.forms import (
    OVERRIDE_DECISION,
    OVERRIDE_REASON,
    ImpactForm,
    OverrideForm,
)
from cellclinic.screening.models import Decision
from cellclinic.screening.selectors import decisions_of
from cellclinic.screening.services import (
    OverrideRefused,
    clinic_date,
    decision_override,
    screening_impact,
)

OVERRIDE_REFUSALS = {
    "reason": ("reason", OVERRIDE_REASON),
    "decision": ("decision", OVERRIDE_DECISION),
    "role": ("decision", gettext_lazy("Only a physician can override a screening decision.")),
    "not_screened": ("decision", gettext_lazy("This inquiry has not been screened yet.")),
}


def _override(form: OverrideForm, *, inquiry: Inquiry, physician: User) -> dict[str, str]:
    """Record the override; or what is refused, by field."""
    if not form.is_valid():
        return form_errors(form)
    try:
        decision_override(
            inquiry=inquiry,
            physician=physician,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
        )
    except OverrideRefused as refused:
        field, message = OVERRIDE_REFUSALS[str(refused)]
        return {field: str(message)}
    return {}


@staff_view("inquiry.view")
def inquiry_screening(request: HttpRequest, reference: str) -> HttpResponse:
    inquiry = inquiry_for(request, reference)
    errors: dict[str, str] = {}
    if request.method == "POST":
        require(request, "screening.override")
        errors = _override(OverrideForm(request.POST), inquiry=inquiry, physician=request.user)  # type: ignore[arg-type]
        if not errors:
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
        form = ImpactForm(request.POST, request.FILES)
        if form.is_valid():
            program = form.cleaned_data["program"]
            context["impact"] = screening_impact(
                current=rule_set_for(program.definition, program.content_hash),
                draft=form.cleaned_data["rules"],
                program_id=program.version.program_id,
                as_of=context["as_of"],
            )
        context["errors"] = form_errors(form)
        program = form.cleaned_data.get("program")
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
