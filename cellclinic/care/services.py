"""Writes for care. Acceptance turns an inquiry into a patient of its program."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cellclinic.accounts.permissions import can
from cellclinic.care.models import (
    Patient,
    PatientStatusChange,
    PlannedSession,
    SessionKind,
    TreatmentPlan,
)
from cellclinic.care.workflow import patient_status_move, treatment_progress
from cellclinic.core.clinic import clinic
from cellclinic.inquiries.emails import family_notice_send, inquiry_accepted_notify
from cellclinic.inquiries.models import Inquiry, Status
from cellclinic.inquiries.services import DeskRefused, inquiry_status_change
from cellclinic.lib.text import has_control_characters
from cellclinic.programs.selectors import definition_of, program_get


def inquiry_accept(*, inquiry: Inquiry, physician: User, note: str) -> Patient:
    """A physician accepts after the consultation: the inquiry becomes a patient."""
    note = note.strip()
    if not note:
        raise DeskRefused("empty", "note")
    if has_control_characters(note):
        raise DeskRefused("control", "note")
    with transaction.atomic():
        inquiry_status_change(
            inquiry=inquiry, to_status=Status.ACCEPTED, by=physician, reason="consultation"
        )
        patient = Patient.objects.create(
            inquiry=inquiry,
            program_id=inquiry.program_id,
            program_version_id=inquiry.program_version_id,
            accepted_by=physician,
            consultation_note=note,
        )
        PatientStatusChange.objects.create(
            patient=patient,
            to_status=Patient.Status.ACCEPTED,
            changed_by=physician,
            reason="consultation",
        )
        inquiry_accepted_notify(
            inquiry=inquiry,
            physician=physician,
            program_name=definition_of(inquiry.program_version).name.get(inquiry.reply_language),
        )
        return patient


# --- the patient's status ----------------------------------------------------------------


# --- the treatment plan ------------------------------------------------------------------

ADMINISTRATION = SessionKind.LUMBAR_PUNCTURE


def _at(day: date, hhmm: str, zone: ZoneInfo) -> datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def plan_from_template(*, patient: Patient, start: date, physician: User) -> TreatmentPlan:
    """The program's default plan from a first administration day (programs.md section 5).

    Administrations `spacing_days` apart, each a lumbar puncture with the intravenous
    supplement the same day; rehabilitation on the days between, its kinds in turn.
    Stereotactic administration is never in the template: a physician adds it.
    """
    if not can(physician, "patient.plan"):
        raise DeskRefused("role", "start")
    if TreatmentPlan.objects.filter(patient=patient).exists():
        raise DeskRefused("plan_exists", "start")
    if abs((start - timezone.localdate(timezone=ZoneInfo(settings.CLINIC_TIME_ZONE))).days) > 1100:
        raise DeskRefused("date_range", "start")
    current = program_get(slug=patient.program.slug)
    template = current.definition.treatment if current else None
    if template is None:
        raise DeskRefused("no_template", "start")
    zone = ZoneInfo(settings.CLINIC_TIME_ZONE)
    days = [
        start + timedelta(days=i * template.spacing_days) for i in range(template.administrations)
    ]
    with transaction.atomic():
        plan = TreatmentPlan.objects.create(
            patient=patient, time_zone=settings.CLINIC_TIME_ZONE, created_by=physician
        )
        sessions: list[tuple[str, datetime]] = []
        for day in days:
            sessions.append((ADMINISTRATION, _at(day, template.administration_time, zone)))
            sessions.append((SessionKind.INTRAVENOUS, _at(day, template.supplement_time, zone)))
        between = [
            start + timedelta(days=offset)
            for offset in range(1, (days[-1] - start).days)
            if start + timedelta(days=offset) not in days
        ]
        for index, day in enumerate(between):
            kind = template.rehabilitation[index % len(template.rehabilitation)]
            sessions.append((kind, _at(day, template.rehabilitation_time, zone)))
        PlannedSession.objects.bulk_create(
            [
                PlannedSession(
                    plan=plan,
                    kind=kind,
                    starts_at=when,
                    minutes=template.session_minutes,
                    added_by=physician,
                )
                for kind, when in sessions
            ]
        )
        patient_status_move(
            patient=patient, to_status=Patient.Status.SCHEDULED, by=physician, reason="plan made"
        )
        family_notice_send(  # the family books its travel from these dates
            inquiry=patient.inquiry,
            author=physician,
            kind="plan_ready",
            template="inquiries/email/plan_ready",
            context={"first": start, "last": days[-1]},
        )
    return plan


def plan_session_add(
    *, plan: TreatmentPlan, kind: str, starts_at: datetime, minutes: int, physician: User
) -> PlannedSession:
    """A session added by a physician (stereotactic administration only this way)."""
    if not can(physician, "patient.plan"):
        raise DeskRefused("role", "kind")
    if kind not in SessionKind.values:
        raise DeskRefused("kind", "kind")
    if not 5 <= minutes <= 480:
        raise DeskRefused("minutes", "minutes")
    _within_reach(plan, starts_at)
    return PlannedSession.objects.create(
        plan=plan, kind=kind, starts_at=starts_at, minutes=minutes, added_by=physician
    )


def _check_spacing(
    plan: TreatmentPlan, moved: PlannedSession | None, when: datetime | None
) -> None:
    """Lumbar-puncture administrations stay within the template's spacing (5-7 days)."""
    current = program_get(slug=plan.patient.program.slug)
    template = current.definition.treatment if current else None
    if template is None:
        return
    zone = ZoneInfo(plan.time_zone)
    days = []
    for session in plan.sessions.filter(kind=ADMINISTRATION):
        moment = session.starts_at
        if moved is not None and session.pk == moved.pk:
            if when is None:  # the moved session is being removed
                continue
            moment = when
        days.append(moment.astimezone(zone).date())
    days.sort()
    for earlier, later in zip(days, days[1:], strict=False):
        if not template.min_spacing_days <= (later - earlier).days <= template.max_spacing_days:
            raise DeskRefused("spacing", "starts_at")


def _within_reach(plan: TreatmentPlan, starts_at: datetime) -> None:
    """A session within 60 days of the plan's first one: the stay stays a stay."""
    first = plan.sessions.order_by("starts_at").values_list("starts_at", flat=True).first()
    if first is not None and abs((starts_at - first).days) > 60:
        raise DeskRefused("date_range", "starts_at")


def _not_done(session: PlannedSession) -> None:
    from cellclinic.care.models import Procedure

    if Procedure.objects.filter(session=session).exists():
        raise DeskRefused("done", "starts_at")


def plan_session_move(
    *, session: PlannedSession, starts_at: datetime, physician: User, reason: str
) -> PlannedSession:
    """Move a planned session; its history keeps the earlier time and the reason."""
    if not can(physician, "patient.plan"):
        raise DeskRefused("role", "starts_at")
    reason = reason.strip()
    if not reason or has_control_characters(reason) or len(reason) > 1000:
        raise DeskRefused("reason_required", "reason")
    _not_done(session)
    _within_reach(session.plan, starts_at)
    if session.kind == ADMINISTRATION:
        _check_spacing(session.plan, session, starts_at)
    session.starts_at = starts_at
    session._history_user = physician  # type: ignore[attr-defined]
    session._change_reason = reason  # type: ignore[attr-defined]
    session.save(update_fields=["starts_at"])
    return session


def plan_session_remove(*, session: PlannedSession, physician: User, reason: str) -> None:
    """Take a session out of the plan (its history keeps it, with the reason)."""
    if not can(physician, "patient.plan"):
        raise DeskRefused("role", "reason")
    reason = reason.strip()
    if not reason or has_control_characters(reason) or len(reason) > 1000:
        raise DeskRefused("reason_required", "reason")
    _not_done(session)
    if session.kind == ADMINISTRATION:
        _check_spacing(session.plan, session, None)
    session._history_user = physician  # type: ignore[attr-defined]
    session._change_reason = reason  # type: ignore[attr-defined]
    plan = session.plan
    with transaction.atomic():
        session.delete()
        treatment_progress(patient=plan.patient, by=physician)


def plan_calendar(*, plan: TreatmentPlan, language: str) -> bytes:
    """The plan as an iCalendar file with every session in the clinic's time zone, named in
    `language` (the family's, for the family's file): the calendar is named after the clinic
    and the plan (X-WR-CALNAME), and each session is at the clinic (LOCATION: its name and
    address) with how to reach it (DESCRIPTION: its phone and e-mail)."""
    from django.utils import translation
    from icalendar import Calendar, Event

    identity = clinic()
    location = ", ".join(part for part in (identity.name, identity.address) if part)
    calendar = Calendar()
    calendar.add("prodid", "-//cellclinic//treatment plan//EN")
    calendar.add("version", "2.0")
    zone = ZoneInfo(plan.time_zone)
    with translation.override(language):
        reference = plan.patient.inquiry.reference
        plan_name = _("Treatment plan %(reference)s") % {"reference": reference}
        calendar.add("x-wr-calname", f"{identity.name} · {plan_name}")
        reach = [_("To change or ask about a session, contact the clinic:"), location]
        if identity.phone:
            reach.append(f"{_('Phone:')} {identity.phone}")
        if identity.email:
            reach.append(f"{_('E-mail:')} {identity.email}")
        description = "\n".join(reach)
        for session in plan.sessions.all():
            event = Event()
            event.add("uid", f"{session.uuid}@cellclinic")
            event.add("summary", str(SessionKind(session.kind).label))
            start = session.starts_at.astimezone(zone)
            event.add("dtstart", start)
            event.add("dtend", start + timedelta(minutes=session.minutes))
            event.add("dtstamp", plan.created_at)
            event.add("location", location)
            event.add("description", description)
            calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
