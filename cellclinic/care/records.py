"""Procedures and adverse events: recorded by nurses and physicians, checked field by
field, corrected with a reason while every earlier value is kept (history)."""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cellclinic.accounts.roles import roles_of
from cellclinic.care.consent import consent_current
from cellclinic.care.hooks import procedure_recorded
from cellclinic.care.models import (
    ADMINISTRATION_ROUTES,
    AdverseEvent,
    DoseUnit,
    Patient,
    PlannedSession,
    Procedure,
    Relation,
    Route,
    SessionKind,
    TreatmentPlan,
)
from cellclinic.care.services import patient_status_move
from cellclinic.care.validation import Checker, Invalid
from cellclinic.core.outbox import outbox_enqueue

RECORDERS = {"nurse", "physician"}
# The planned sessions that are a cell administration (the supplement goes with each).
ADMINISTRATION_KINDS = (SessionKind.LUMBAR_PUNCTURE, SessionKind.STEREOTACTIC)
MAX_DOSE = Decimal("1000000000")  # fits the column (14 digits, 4 decimals); no dose comes near
RECORD_WINDOW = timedelta(minutes=10)  # clocks differ a little; the future does not count


def _require_recorder(by: User, field: str) -> None:
    if not roles_of(by) & RECORDERS:
        raise Invalid({field: _("Only a nurse or a physician can record this.")})


def stay_days(plan: TreatmentPlan) -> tuple[date, date] | None:
    """The first and last day of the planned stay, at the clinic's time zone."""
    zone = ZoneInfo(plan.time_zone)
    moments = list(plan.sessions.values_list("starts_at", flat=True))
    if not moments:
        return None
    return min(moments).astimezone(zone).date(), max(moments).astimezone(zone).date()


def _clean_procedure(patient: Patient, data: dict[str, Any]) -> dict[str, Any]:
    plan = TreatmentPlan.objects.filter(patient=patient).first()
    zone = plan.time_zone if plan else settings.CLINIC_TIME_ZONE
    check = Checker(data)
    performed_at = check.moment("performed_at", zone=zone)
    route = check.choice("route", Route.values)
    cell_type = check.text("cell_type", limit=200)
    dose = check.decimal("dose", places=4, high=MAX_DOSE)
    dose_unit = check.choice("dose_unit", DoseUnit.values)
    operator_name = check.text("operator", limit=150)
    notes = check.text("notes", limit=5000, required=False)
    operator = User.objects.filter(username=operator_name, is_active=True).first()
    if operator_name and (operator is None or "physician" not in roles_of(operator)):
        check.fail("operator", _("Give the username of the physician who performed it."))
    if plan is None:
        check.fail("plan", _("The patient has no treatment plan yet."))
    elif performed_at is not None:
        days = stay_days(plan)
        local = performed_at.astimezone(ZoneInfo(zone)).date()
        if performed_at > timezone.now() + RECORD_WINDOW:
            check.fail("performed_at", _("A procedure cannot be recorded before it is done."))
        elif days is None or not days[0] <= local <= days[1]:
            check.fail(
                "performed_at",
                _("The date must lie within the stay, %(first)s to %(last)s.")
                % {"first": days[0] if days else "-", "last": days[1] if days else "-"},
            )
    session = None
    session_key = check.raw("session")
    if session_key:
        session = _session_of(plan, session_key)
        if session is None:
            check.fail("session", _("Choose a session of this patient's plan."))
    check.done()
    return {
        "performed_at": performed_at,
        "route": route,
        "cell_type": cell_type,
        "dose": dose,
        "dose_unit": dose_unit,
        "operator": operator,
        "notes": notes,
        "session": session,
    }


def _session_of(plan: TreatmentPlan | None, key: Any) -> PlannedSession | None:
    if plan is None or not isinstance(key, str):
        return None
    try:
        return plan.sessions.filter(uuid=uuid_module.UUID(key)).first()
    except ValueError:
        return None


def procedure_record(*, patient: Patient, data: dict[str, Any], by: User) -> Procedure:
    """Record a procedure. Refused without a signed consent of the version in force."""
    _require_recorder(by, "route")
    with transaction.atomic():
        locked = Patient.objects.select_for_update().get(pk=patient.pk)
        consent = consent_current(patient=locked)
        try:
            values = _clean_procedure(locked, data)
        except Invalid as invalid:
            if consent is None:
                invalid.errors = {"consent": _no_consent(), **invalid.errors}
            raise
        if consent is None:
            raise Invalid({"consent": _no_consent()})
        if locked.status not in (Patient.Status.SCHEDULED, Patient.Status.IN_TREATMENT):
            raise Invalid({"plan": _("Procedures are recorded during the stay only.")})
        if Procedure.objects.filter(
            patient=locked, route=values["route"], performed_at=values["performed_at"]
        ).exists():
            raise Invalid({"performed_at": _("This procedure is already recorded.")})
        procedure = Procedure(patient=locked, consent=consent, recorded_by=by, **values)
        procedure._history_user = by  # type: ignore[attr-defined]
        procedure.save()
        patient_status_move(
            patient=locked, to_status=Patient.Status.IN_TREATMENT, by=by, reason="first procedure"
        )
        if _all_administrations_done(locked):
            patient_status_move(
                patient=locked,
                to_status=Patient.Status.FOLLOW_UP,
                by=by,
                reason="every planned administration done",
            )
        procedure_recorded(locked)
    patient.status = locked.status
    return procedure


def _no_consent() -> str:
    return _(
        "No signed consent of the version in force: the patient or guardian must sign "
        "the current consent document first."
    )


def _all_administrations_done(patient: Patient) -> bool:
    """Every planned administration has one: counted by distinct days at the clinic, so a
    record entered twice never ends the treatment early."""
    planned = PlannedSession.objects.filter(
        plan__patient=patient, kind__in=ADMINISTRATION_KINDS
    ).count()
    zone = ZoneInfo(settings.CLINIC_TIME_ZONE)
    done = {
        moment.astimezone(zone).date()
        for moment in Procedure.objects.filter(
            patient=patient, route__in=ADMINISTRATION_ROUTES
        ).values_list("performed_at", flat=True)
    }
    return planned > 0 and len(done) >= planned


def treatment_progress(*, patient: Patient, by: User | None) -> None:
    """After the plan changed: if every planned administration is now done, the patient
    moves to follow-up (and follow-up is scheduled)."""
    with transaction.atomic():
        if patient.status == Patient.Status.IN_TREATMENT and _all_administrations_done(patient):
            patient_status_move(
                patient=patient,
                to_status=Patient.Status.FOLLOW_UP,
                by=by,
                reason="every planned administration done",
            )
            procedure_recorded(patient)


def _correct(
    record: Procedure | AdverseEvent,
    *,
    values_of: Callable[[Patient, dict[str, Any]], dict[str, Any]],
    data: dict[str, Any],
    by: User,
    reason: str,
) -> None:
    """Check the corrected values and the reason together (every bad field named), then
    save with the reason: the record's history keeps every earlier value, who and why."""
    _require_recorder(by, "reason")
    check = Checker({"reason": reason})
    reason = check.text("reason", limit=1000)
    try:
        values = values_of(record.patient, data)
    except Invalid as invalid:
        raise Invalid({**invalid.errors, **check.errors}) from None
    check.done()
    for field, value in values.items():
        setattr(record, field, value)
    record._history_user = by  # type: ignore[union-attr]
    record._change_reason = reason  # type: ignore[union-attr]
    record.save()


def procedure_correct(
    *, procedure: Procedure, data: dict[str, Any], by: User, reason: str
) -> Procedure:
    """Correct a recorded procedure; the earlier values stay in its history with the reason."""
    with transaction.atomic():
        _correct(procedure, values_of=_clean_procedure, data=data, by=by, reason=reason)
        procedure_recorded(procedure.patient)  # a corrected date moves the treatment dates
    return procedure


# --- adverse events ------------------------------------------------------------------------

RELATION_FIELDS = {
    "relation_lumbar_puncture": Route.LUMBAR_PUNCTURE,
    "relation_infusion": Route.INTRAVENOUS,
    "relation_surgery": Route.STEREOTACTIC,
}


def _clean_event(patient: Patient, data: dict[str, Any]) -> dict[str, Any]:
    check = Checker(data)
    description = check.text("description", limit=5000)
    category = check.choice("category", AdverseEvent.Category.values)
    grade = check.integer("grade", low=1, high=5)
    serious = check.boolean("serious")
    seriousness = check.choices("seriousness", AdverseEvent.Seriousness.values)
    relation_cells = check.choice("relation_cells", Relation.values)
    relations = {
        field: check.choice(field, Relation.values, required=False) for field in RELATION_FIELDS
    }
    action = check.choice("action", AdverseEvent.Action.values)
    outcome = check.choice("outcome", AdverseEvent.Outcome.values)
    onset = check.day("onset_date")
    resolved = check.day("resolved_date", required=False)
    today = timezone.localdate(timezone=ZoneInfo(settings.CLINIC_TIME_ZONE))

    if serious is True and not seriousness and "seriousness" not in check.errors:
        check.fail("seriousness", _("A serious event needs at least one seriousness criterion."))
    if serious is False and seriousness:
        check.fail("seriousness", _("Only a serious event has seriousness criteria."))
    if grade == 5 and outcome and outcome != AdverseEvent.Outcome.FATAL:
        check.fail("outcome", _("Grade 5 is death: the outcome is fatal."))
    if outcome == AdverseEvent.Outcome.FATAL and grade is not None and grade != 5:
        check.fail("grade", _("A fatal outcome is grade 5."))
    if (grade == 5 or outcome == AdverseEvent.Outcome.FATAL) and (
        serious is False or (serious and "death" not in seriousness)
    ):
        check.fail("seriousness", _("A death is a serious event with the criterion 'death'."))
    accepted_on = patient.created_at.astimezone(ZoneInfo(settings.CLINIC_TIME_ZONE)).date()
    if onset is not None and onset > today:
        check.fail("onset_date", _("The date cannot be in the future."))
    elif onset is not None and onset < accepted_on:
        check.fail(
            "onset_date",
            _("The date cannot be before the patient was accepted (%(day)s).")
            % {"day": accepted_on},
        )
    if resolved is not None:
        if resolved > today:
            check.fail("resolved_date", _("The date cannot be in the future."))
        elif onset is not None and resolved < onset:
            check.fail("resolved_date", _("The event cannot end before it began."))
        elif outcome in (AdverseEvent.Outcome.RECOVERING, AdverseEvent.Outcome.NOT_RECOVERED):
            check.fail("resolved_date", _("An event not yet resolved has no end date."))
    elif outcome in (AdverseEvent.Outcome.RECOVERED, AdverseEvent.Outcome.SEQUELAE):
        check.fail("resolved_date", _("Give the date the event resolved."))

    procedure = None
    procedure_key = check.raw("procedure")
    if procedure_key:
        procedure = _procedure_of(patient, procedure_key)
        if procedure is None:
            check.fail("procedure", _("Choose one of this patient's procedures."))
        else:
            field = next(f for f, r in RELATION_FIELDS.items() if r == procedure.route)
            if not relations[field] and field not in check.errors:
                check.fail(field, _("Judge the relation to the procedure the event follows."))
            local = procedure.performed_at.astimezone(ZoneInfo(settings.CLINIC_TIME_ZONE))
            if onset is not None and onset < local.date():
                check.fail("onset_date", _("The event cannot begin before its procedure."))
    check.done()
    return {
        "description": description,
        "category": category,
        "grade": grade,
        "serious": bool(serious),
        "seriousness": seriousness,
        "relation_cells": relation_cells,
        **relations,
        "action": action,
        "outcome": outcome,
        "onset_date": onset,
        "resolved_date": resolved,
        "procedure": procedure,
    }


def _procedure_of(patient: Patient, key: Any) -> Procedure | None:
    if not isinstance(key, str):
        return None
    try:
        return patient.procedures.filter(uuid=uuid_module.UUID(key)).first()
    except ValueError:
        return None


def adverse_event_record(*, patient: Patient, data: dict[str, Any], by: User) -> AdverseEvent:
    """Record an adverse event; a serious one notifies the medical director at once."""
    _require_recorder(by, "description")
    values = _clean_event(patient, data)
    with transaction.atomic():
        event = AdverseEvent(patient=patient, recorded_by=by, **values)
        event._history_user = by  # type: ignore[attr-defined]
        event.save()
        if event.serious:
            _notify_director(event)
    return event


def adverse_event_correct(
    *, event: AdverseEvent, data: dict[str, Any], by: User, reason: str
) -> AdverseEvent:
    """Correct an event; the history keeps earlier values. Becoming serious notifies."""
    with transaction.atomic():
        _correct(event, values_of=_clean_event, data=data, by=by, reason=reason)
        if event.serious and event.director_notified_at is None:
            _notify_director(event)
    return event


def _notify_director(event: AdverseEvent) -> None:
    """An e-mail to the medical director, stored now and sent by a retrying task."""
    patient = event.patient
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "event": event,
            "patient": patient,
            "program": patient.program.slug,
            "link": settings.SITE_URL
            + reverse("adverse_event_page", args=[patient.uuid, event.uuid]),
            "criteria": [str(AdverseEvent.Seriousness(c).label) for c in event.seriousness],
        }
        subject = render_to_string("care/email/serious_event_subject.txt", context)
        body = render_to_string("care/email/serious_event_body.txt", context)
    outbox_enqueue(
        kind="serious_adverse_event",
        to=settings.MEDICAL_DIRECTOR_EMAIL,
        language=settings.LANGUAGE_CODE,
        subject=" ".join(subject.split()),
        body=body,
        urgent=True,
    )
    now: datetime = timezone.now()
    AdverseEvent.objects.filter(pk=event.pk).update(director_notified_at=now)
    event.director_notified_at = now
