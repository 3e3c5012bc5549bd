"""The patient's treatment plan: printable page, iCalendar export, and making it."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cellclinic.accounts.access import patient_for, staff_view
from cellclinic.accounts.roles import roles_of
from cellclinic.care.models import SessionKind, TreatmentPlan
from cellclinic.care.services import plan_calendar, plan_from_template, plan_session_add
from cellclinic.inquiries.services import DeskRefused

PLAN_ROLES = ("coordinator", "physician", "nurse", "admin")


def _refusal(code: str) -> str:
    return {
        "role": _("Only a physician can make or change the plan."),
        "plan_exists": _("This patient already has a plan."),
        "no_template": _("The program has no treatment template."),
        "kind": _("Choose one of the kinds offered."),
        "minutes": _("Give a duration between 5 and 480 minutes."),
    }.get(code, _("This cannot be done."))


@staff_view(*PLAN_ROLES)
def plan_page(request: HttpRequest, patient: str) -> HttpResponse:
    found = patient_for(request, patient)
    plan = TreatmentPlan.objects.filter(patient=found).first()
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "create":
                start = _date(request.POST.get("start", ""))
                if start is None:
                    raise DeskRefused("date", "start")
                plan_from_template(patient=found, start=start, physician=request.user)  # type: ignore[arg-type]
                messages.success(request, _("The plan is made from the program's template."))
            elif action == "add" and plan is not None:
                when = _moment(request.POST.get("starts_at", ""), plan.time_zone)
                if when is None:
                    raise DeskRefused("moment", "starts_at")
                minutes = request.POST.get("minutes", "")
                plan_session_add(
                    plan=plan,
                    kind=request.POST.get("kind", ""),
                    starts_at=when,
                    minutes=int(minutes) if minutes.isdigit() else 0,
                    physician=request.user,  # type: ignore[arg-type]
                )
                messages.success(request, _("The session is added."))
            else:
                raise DeskRefused("action", "action")
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
            "can_plan": "physician" in roles_of(request.user),
            "errors": errors,
            "posted": request.POST if errors else {},
        },
        status=400 if errors else 200,
    )


@staff_view(*PLAN_ROLES)
def plan_ics(request: HttpRequest, patient: str) -> HttpResponse:
    found = patient_for(request, patient, action="download")
    plan = TreatmentPlan.objects.filter(patient=found).first()
    if plan is None:
        return HttpResponse(
            _("This patient has no plan yet."), status=404, content_type="text/plain"
        )
    response = HttpResponse(
        plan_calendar(plan=plan, language=get_language()), content_type="text/calendar"
    )
    response["Content-Disposition"] = f'attachment; filename="plan-{found.inquiry.reference}.ics"'
    response["Cache-Control"] = "no-store"
    return response


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _moment(text: str, zone: str) -> datetime | None:
    try:
        # a wall-clock time at the clinic, made aware just below
        parsed = datetime.strptime(text.strip().replace("T", " "), "%Y-%m-%d %H:%M")  # noqa: DTZ007
    except ValueError:
        return None
    return parsed.replace(tzinfo=ZoneInfo(zone))
