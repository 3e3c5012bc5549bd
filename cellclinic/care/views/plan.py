"""The patient's treatment plan: printable page, iCalendar export, and making it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cellclinic.accounts.access import staff_view
from cellclinic.accounts.permissions import can
from cellclinic.care.models import Patient, PlannedSession, SessionKind, TreatmentPlan
from cellclinic.care.selectors import patient_for
from cellclinic.care.services import (
    plan_calendar,
    plan_from_template,
    plan_session_add,
    plan_session_move,
    plan_session_remove,
)
from cellclinic.inquiries.services import DeskRefused
from cellclinic.lib.formfields import INTEGER, YEARS


def _refusal(code: str) -> str:
    return {
        "role": _("Only a physician can make or change the plan."),
        "plan_exists": _("This patient already has a plan."),
        "no_template": _("The program has no treatment template."),
        "kind": _("Choose one of the kinds offered."),
        "minutes": _("Give a duration between 5 and 480 minutes."),
        "spacing": _(
            "Cell administrations must stay between the program's minimum and maximum "
            "number of days apart."
        ),
        "done": _("This session already has a recorded procedure; it cannot change."),
        "reason_required": _("Give the reason."),
        "session": _("There is no such session in this plan."),
        "date_range": _("The date is too far from the stay; check the year."),
    }.get(code, _("This cannot be done."))


def _create(request: HttpRequest, found: Patient, plan: TreatmentPlan | None) -> str:
    start = _date(request.POST.get("start", ""))
    if start is None:
        raise DeskRefused("date", "start")
    plan_from_template(patient=found, start=start, physician=_user(request))
    return _("The plan is made from the program's template.")


def _add(request: HttpRequest, found: Patient, plan: TreatmentPlan | None) -> str:
    assert plan is not None  # nosec B101  # only offered with a plan
    when = _moment(request.POST.get("starts_at", ""), plan.time_zone)
    if when is None:
        raise DeskRefused("moment", "starts_at")
    minutes = request.POST.get("minutes", "")
    plan_session_add(
        plan=plan,
        kind=request.POST.get("kind", ""),
        starts_at=when,
        minutes=int(minutes) if INTEGER.fullmatch(minutes) else 0,
        physician=_user(request),
    )
    return _("The session is added.")


def _remove(request: HttpRequest, found: Patient, plan: TreatmentPlan | None) -> str:
    assert plan is not None  # nosec B101  # only offered with a plan
    session = _plan_session(plan, request.POST.get("session", ""))
    reason = request.POST.get("reason", "")
    plan_session_remove(session=session, physician=_user(request), reason=reason)
    return _("The session is taken out of the plan.")


def _move(request: HttpRequest, found: Patient, plan: TreatmentPlan | None) -> str:
    assert plan is not None  # nosec B101  # only offered with a plan
    session = _plan_session(plan, request.POST.get("session", ""))
    when = _moment(request.POST.get("starts_at", ""), plan.time_zone)
    if when is None:
        raise DeskRefused("moment", "starts_at")
    plan_session_move(
        session=session,
        starts_at=when,
        physician=_user(request),
        reason=request.POST.get("reason", ""),
    )
    return _("The session is moved.")


Action = Callable[[HttpRequest, Patient, "TreatmentPlan | None"], str]
# Each action of the page, and whether it needs a plan.
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
    found = patient_for(request, str(patient))
    plan = TreatmentPlan.objects.filter(patient=found).first()
    errors: dict[str, str] = {}
    if request.method == "POST":
        action, needs_plan = ACTIONS.get(request.POST.get("action", ""), (None, False))
        try:
            if action is None or (needs_plan and plan is None):
                raise DeskRefused("action", "action")
            messages.success(request, action(request, found, plan))
        except DeskRefused as refused:
            errors[refused.field] = {
                "date": _("Enter a real date as YYYY-MM-DD."),
                "moment": _("Enter a date and time as YYYY-MM-DD HH:MM."),
            }.get(refused.code) or _refusal(refused.code)
        else:
            return redirect(request.path)
    zone = ZoneInfo(plan.time_zone) if plan else None
    return render(
        request,
        "care/plan.html",
        {
            "patient": found,
            "plan": plan,
            "sessions": [
                {"session": s, "local": s.starts_at.astimezone(zone)} for s in plan.sessions.all()
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
    found = patient_for(request, str(patient))
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


def _plan_session(plan: TreatmentPlan, key: str) -> PlannedSession:
    try:
        found = plan.sessions.filter(uuid=forms.UUIDField().clean(key)).first()
    except ValidationError:
        found = None
    if found is None:
        raise DeskRefused("session", "session")
    return found


def _date(text: str) -> date | None:
    try:
        found = date.fromisoformat(text.strip())
    except ValueError:
        return None
    return found if YEARS[0] <= found.year <= YEARS[1] else None


def _moment(text: str, zone: str) -> datetime | None:
    try:
        # a wall-clock time at the clinic, made aware just below
        parsed = datetime.strptime(text.strip().replace("T", " "), "%Y-%m-%d %H:%M")  # noqa: DTZ007
    except ValueError:
        return None
    if not YEARS[0] <= parsed.year <= YEARS[1]:
        return None
    return parsed.replace(tzinfo=ZoneInfo(zone))
