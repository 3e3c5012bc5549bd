"""The patient's treatment plan: printable page, iCalendar export, and making it."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cellclinic.accounts.access import staff_view
from cellclinic.accounts.permissions import can
from cellclinic.care.forms import (
    PlanMakeForm,
    PlanSessionAddForm,
    PlanSessionMoveForm,
    PlanSessionRemoveForm,
    plan_make_submit,
    plan_session_add_submit,
    plan_session_move_submit,
    plan_session_remove_submit,
)
from cellclinic.care.models import SESSION_ROUTES, Patient, SessionKind, TreatmentPlan
from cellclinic.care.records import cell_sessions_done
from cellclinic.care.selectors import patient_for
from cellclinic.care.services import plan_calendar
from cellclinic.lib.invalid import Invalid


def _create(request: HttpRequest, found: Patient, plan: TreatmentPlan | None) -> str:
    plan_make_submit(PlanMakeForm(request.POST), patient=found, by=_user(request))
    return _("The plan is made from the program's template.")


def _add(request: HttpRequest, found: Patient, plan: TreatmentPlan | None) -> str:
    assert plan is not None  # nosec B101  # only offered with a plan
    plan_session_add_submit(PlanSessionAddForm(request.POST, plan=plan), by=_user(request))
    return _("The session is added.")


def _remove(request: HttpRequest, found: Patient, plan: TreatmentPlan | None) -> str:
    assert plan is not None  # nosec B101  # only offered with a plan
    plan_session_remove_submit(PlanSessionRemoveForm(request.POST, plan=plan), by=_user(request))
    return _("The session is taken out of the plan.")


def _move(request: HttpRequest, found: Patient, plan: TreatmentPlan | None) -> str:
    assert plan is not None  # nosec B101  # only offered with a plan
    plan_session_move_submit(PlanSessionMoveForm(request.POST, plan=plan), by=_user(request))
    return _("The session is moved.")


Action = Callable[[HttpRequest, Patient, "TreatmentPlan | None"], str]
# Each action of the page (the name of the button pressed), and whether it needs a plan.
ACTIONS: dict[str, tuple[Action, bool]] = {
    "create": (_create, False),
    "add": (_add, True),
    "remove": (_remove, True),
    "move": (_move, True),
}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@staff_view("patient.view")
def plan_page(request: HttpRequest, patient: UUID) -> HttpResponse:
    found = patient_for(request, patient)
    plan = TreatmentPlan.objects.filter(patient=found).first()
    errors: dict[str, str] = {}
    if request.method == "POST":
        action, needs_plan = ACTIONS.get(request.POST.get("action", ""), (None, False))
        try:
            if action is None or (needs_plan and plan is None):
                raise Invalid({"action": _("This cannot be done.")})
            messages.success(request, action(request, found, plan))
        except Invalid as invalid:
            errors = invalid.errors
        else:
            return redirect(request.path)
    zone = ZoneInfo(plan.time_zone) if plan else None
    can_record = can(request.user, "patient.record_care")
    done = cell_sessions_done(plan) if plan and can_record else set()
    return render(
        request,
        "care/plan.html",
        {
            "patient": found,
            "plan": plan,
            "sessions": [
                {
                    "session": s,
                    "local": s.starts_at.astimezone(zone),
                    "to_record": can_record and s.kind in SESSION_ROUTES and s.pk not in done,
                }
                for s in plan.sessions.all()
            ]
            if plan
            else [],
            "kinds": SessionKind.choices,
            "can_plan": can(request.user, "patient.plan"),
            "errors": errors,
            "posted": request.POST if errors else {},
        },
        status=400 if errors else 200,
    )


@staff_view("patient.view")
def plan_ics(request: HttpRequest, patient: UUID) -> HttpResponse:
    found = patient_for(request, patient)
    plan = TreatmentPlan.objects.filter(patient=found).first()
    if plan is None:
        return HttpResponse(
            _("This patient has no plan yet."), status=404, content_type="text/plain"
        )
    response = HttpResponse(
        plan_calendar(plan=plan, language=get_language()), content_type="text/calendar"
    )
    response["Content-Disposition"] = f'attachment; filename="plan-{found.inquiry.reference}.ics"'
    return response
