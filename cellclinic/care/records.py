"""Procedures and adverse events: recorded by nurses and physicians, corrected with a
reason while every earlier value is kept (history).

The services take typed values (`ProcedureValues`, `EventValues`), made by the forms of
`care/forms.py` from what staff typed; they enforce the rules that are not input syntax:
the role, a signed consent of the version in force, the patient's stage, no duplicate."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cellclinic.accounts.permissions import can
from cellclinic.care.consent import consent_current
from cellclinic.care.hooks import procedure_recorded
from cellclinic.care.models import (
    SESSION_ROUTES,
    AdverseEvent,
    Patient,
    PlannedSession,
    Procedure,
    Route,
    SessionKind,
    TreatmentPlan,
)
from cellclinic.care.workflow import follow_up_when_done, patient_status_move
from cellclinic.core.clinic import clinic
from cellclinic.core.outbox import outbox_enqueue
from cellclinic.lib.invalid import Invalid

# The planned sessions that are a cell administration (the supplement goes with each).
MAX_DOSE = Decimal("1000000000")  # fits the column (14 digits, 4 decimals); no dose comes near
RECORD_WINDOW = timedelta(minutes=10)  # clocks differ a little; the future does not count


@dataclass(frozen=True)
class ProcedureValues:
    """A procedure as recorded: what `ProcedureForm` makes of the typed values."""

    performed_at: datetime
    route: str
    cell_type: str
    dose: Decimal
    dose_unit: str
    operator: User
    notes: str = ""
    session: PlannedSession | None = None


@dataclass(frozen=True)
class EventValues:
    """An adverse event as recorded: what `EventForm` makes of the typed values."""

    description: str
    category: str
    grade: int
    serious: bool
    seriousness: tuple[str, ...]
    relation_cells: str
    action: str
    outcome: str
    onset_date: date
    resolved_date: date | None = None
    relation_lumbar_puncture: str = ""
    relation_infusion: str = ""
    relation_surgery: str = ""
    procedure: Procedure | None = None

    def fields(self) -> dict[str, object]:
        """The model's fields (`seriousness` is stored as a list)."""
        return {**_model_fields(self), "seriousness": list(self.seriousness)}


def _model_fields(values: ProcedureValues | EventValues) -> dict[str, object]:
    """The values by field name, the objects themselves (`asdict` would copy them)."""
    return {field.name: getattr(values, field.name) for field in fields(values)}


def require_recorder(by: User, field: str) -> None:
    if not can(by, "patient.record_care"):
        raise Invalid({field: _("Only a nurse or a physician can record this.")})


def stay_days(plan: TreatmentPlan) -> tuple[date, date] | None:
    """The first and last day of the planned stay, at the clinic's time zone."""
    zone = ZoneInfo(plan.time_zone)
    moments = list(plan.sessions.values_list("starts_at", flat=True))
    if not moments:
        return None
    return min(moments).astimezone(zone).date(), max(moments).astimezone(zone).date()


def procedure_record(*, patient: Patient, values: ProcedureValues, by: User) -> Procedure:
    """Record a procedure. Refused without a signed consent of the version in force, without
    a plan, outside the stay, and when the same procedure is recorded already."""
    require_recorder(by, "route")
    with transaction.atomic():
        locked = Patient.objects.select_for_update().get(pk=patient.pk)
        consent = consent_current(patient=locked)
        if consent is None:
            raise Invalid({"consent": no_consent()})
        plan = TreatmentPlan.objects.filter(patient=locked).first()
        if plan is None:
            raise Invalid({"plan": no_plan()})
        if locked.status not in (Patient.Status.SCHEDULED, Patient.Status.IN_TREATMENT):
            raise Invalid({"plan": _("Procedures are recorded during the stay only.")})
        if Procedure.objects.filter(
            patient=locked, route=values.route, performed_at=values.performed_at
        ).exists():
            raise Invalid({"performed_at": _("This procedure is already recorded.")})
        if values.session is not None and values.session.pk in cell_sessions_done(plan):
            raise Invalid({"session": _("This planned session is already recorded.")})
        procedure = Procedure(
            patient=locked, consent=consent, recorded_by=by, **_model_fields(values)
        )
        procedure._history_user = by  # type: ignore[attr-defined]
        procedure.save()
        patient_status_move(
            patient=locked, to_status=Patient.Status.IN_TREATMENT, by=by, reason="first procedure"
        )
        follow_up_when_done(locked, by)
        procedure_recorded(locked)
    patient.status = locked.status
    return procedure


def no_plan() -> str:
    return _("The patient has no treatment plan yet.")


def no_consent() -> str:
    return _(
        "No signed consent of the version in force: the patient or guardian must sign "
        "the current consent document first."
    )


def _correct(
    record: Procedure | AdverseEvent, *, values: dict[str, object], by: User, reason: str
) -> None:
    """Save the corrected values with the reason: the record's history keeps every earlier
    value, who and why."""
    require_recorder(by, "reason")
    if not reason:
        raise Invalid({"reason": _("This field is required.")})
    for field, value in values.items():
        setattr(record, field, value)
    record._history_user = by  # type: ignore[union-attr]
    record._change_reason = reason  # type: ignore[union-attr]
    record.save()


def procedure_correct(
    *, procedure: Procedure, values: ProcedureValues, by: User, reason: str
) -> Procedure:
    """Correct a recorded procedure; the earlier values stay in its history with the reason."""
    with transaction.atomic():
        _correct(procedure, values=_model_fields(values), by=by, reason=reason)
        procedure_recorded(procedure.patient)  # a corrected date moves the treatment dates
    return procedure


# --- adverse events ------------------------------------------------------------------------

RELATION_FIELDS = {
    "relation_lumbar_puncture": Route.LUMBAR_PUNCTURE,
    "relation_infusion": Route.INTRAVENOUS,
    "relation_surgery": Route.STEREOTACTIC,
}


def adverse_event_record(*, patient: Patient, values: EventValues, by: User) -> AdverseEvent:
    """Record an adverse event; a serious one notifies the medical director at once."""
    require_recorder(by, "description")
    with transaction.atomic():
        event = AdverseEvent(patient=patient, recorded_by=by, **values.fields())
        event._history_user = by  # type: ignore[attr-defined]
        event.save()
        if event.serious:
            _notify_director(event)
    return event


def adverse_event_correct(
    *, event: AdverseEvent, values: EventValues, by: User, reason: str
) -> AdverseEvent:
    """Correct an event; the history keeps earlier values. Becoming serious notifies."""
    with transaction.atomic():
        _correct(event, values=values.fields(), by=by, reason=reason)
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
            "clinic": clinic(),
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


def cell_sessions_done(plan: TreatmentPlan) -> set[int]:
    """The plan's cell sessions (those with a route) that are done, by primary key.

    One rule, for the procedure form's pre-fill and the plan page: a cell session is done
    when a procedure is linked to it, or when a procedure of the session's route was
    performed on the session's day (both days in the plan's time zone), linked to no
    session or to another one. So a procedure recorded with no planned session chosen
    still counts for its day."""
    zone = ZoneInfo(plan.time_zone)
    procedures = Procedure.objects.filter(patient_id=plan.patient_id)
    linked = set(procedures.exclude(session=None).values_list("session_id", flat=True))
    performed = {
        (route, moment.astimezone(zone).date())
        for route, moment in procedures.values_list("route", "performed_at")
    }
    done: set[int] = set()
    for session in plan.sessions.filter(kind__in=list(SESSION_ROUTES)):
        day = session.starts_at.astimezone(zone).date()
        route = SESSION_ROUTES[SessionKind(session.kind)]
        if session.pk in linked or (route, day) in performed:
            done.add(session.pk)
    return done
