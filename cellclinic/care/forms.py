"""The forms staff fill in for care records (procedures and adverse events, new or
corrected), for the treatment plan (make it, add, move or remove a session) and for consent
(the document's texts, a signature, a withdrawal).

The page and the API bind the same form; `*_submit` runs it and then the service, and
raises one `Invalid` with every refusal by field (the form's, and the consent and plan the
service would refuse as well), so a bad record is refused the same way wherever it comes from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cellclinic.accounts.permissions import can, users_who_can
from cellclinic.care.consent import (
    consent_current,
    consent_document_publish,
    consent_may_publish,
    consent_may_withdraw,
    consent_sign,
    consent_sign_refusals,
    consent_withdraw,
)
from cellclinic.care.models import (
    SESSION_ROUTES,
    AdverseEvent,
    ConsentDocument,
    ConsentSignature,
    DoseUnit,
    Patient,
    PlannedSession,
    Procedure,
    Relation,
    Route,
    SessionKind,
    TreatmentPlan,
)
from cellclinic.care.records import (
    MAX_DOSE,
    RECORD_WINDOW,
    RELATION_FIELDS,
    EventValues,
    ProcedureValues,
    adverse_event_correct,
    adverse_event_record,
    cell_sessions_done,
    no_consent,
    no_plan,
    procedure_correct,
    procedure_record,
    require_recorder,
    stay_days,
)
from cellclinic.care.services import (
    plan_from_template,
    plan_session_add,
    plan_session_move,
    plan_session_remove,
)
from cellclinic.inquiries.services import DeskRefused
from cellclinic.lib.formfields import (
    Choice,
    Choices,
    Day,
    Filters,
    Moment,
    PositiveDecimal,
    SearchText,
    TextField,
    WholeNumber,
    YesNo,
    typed,
)
from cellclinic.lib.invalid import Invalid, form_errors
from cellclinic.lib.text import has_control_characters
from cellclinic.programs.models import Program
from cellclinic.programs.schema import LANGUAGE_CODES

NOT_APPLICABLE = gettext_lazy("Not applicable (no such procedure)")
SESSION_KINDS = tuple(SESSION_ROUTES)  # the cell sessions: a procedure is recorded for each


class Key(forms.UUIDField):
    """The uuid of one of the patient's rows, offered as a list. The form's `clean()` looks it
    up and refuses a malformed one (`MALFORMED`) with one of no row, after the other fields."""

    MALFORMED = "malformed"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, widget=forms.Select, **kwargs)

    def to_python(self, value: Any) -> Any:  # a uuid, None, or MALFORMED
        try:
            return super().to_python(value)
        except ValidationError:
            return self.MALFORMED


def _row(rows: Any, key: Any) -> Any:
    """The row of `rows` with the uuid `key`, or None (a malformed key names none)."""
    return rows.filter(uuid=key).first() if isinstance(key, UUID) and rows is not None else None


def _lazy_options(make: Any, blank: Any) -> CallableChoiceIterator:
    """Options made only when a page renders them (the API never does)."""

    def options() -> Iterator[tuple[str, str]]:
        yield "", str(blank)
        yield from make()

    return CallableChoiceIterator(options)


class ProcedureRelation(Choice):
    """The relation to one kind of procedure: blank ("not applicable") unless the event follows
    a procedure of that kind, when `EventForm.clean` requires it. So it is neither marked
    optional on the page (a field marked so is accepted at its default) nor required."""

    conditional = True

    def __init__(self, *, label: Any) -> None:
        super().__init__(
            choices=Relation.choices,
            blank=NOT_APPLICABLE,
            required=False,
            label=label,
            help_text=gettext_lazy("Required when the event follows this procedure."),
        )


class ResolvedDay(Day):
    """The day the event resolved: required when the outcome is recovered (with or without
    lasting effects), refused while it is not, so `EventForm.clean` decides. Like
    `ProcedureRelation`, it is marked neither optional nor required on the page."""

    conditional = True

    def __init__(self) -> None:
        super().__init__(
            required=False,
            label=gettext_lazy("Resolved on"),
            help_text=gettext_lazy(
                "YYYY-MM-DD. Required when the outcome is recovered, with or without "
                "lasting effects."
            ),
        )


class ProcedureForm(forms.Form):
    session = Key(label=gettext_lazy("Planned session"))
    performed_at = Moment(
        label=gettext_lazy("Date and time"),
        help_text=gettext_lazy("YYYY-MM-DD HH:MM at the clinic; within the stay"),
    )
    route = Choice(choices=Route.choices, blank="", label=gettext_lazy("Route"))
    cell_type = TextField(
        limit=200,
        label=gettext_lazy("Cell type"),
        help_text=gettext_lazy("as named in the treatment plan, with its source"),
    )
    dose = PositiveDecimal(
        places=4,
        high=MAX_DOSE,
        label=gettext_lazy("Dose"),
        help_text=gettext_lazy("a number greater than zero"),
    )
    dose_unit = Choice(choices=DoseUnit.choices, blank="", label=gettext_lazy("Dose unit"))
    operator = TextField(limit=150, label=gettext_lazy("Operator (physician)"), widget=forms.Select)
    notes = TextField(
        limit=5000, required=False, label=gettext_lazy("Notes"), widget=forms.Textarea
    )

    def __init__(
        self, data: Mapping[str, Any] | None = None, *, patient: Patient, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        self.patient = patient
        self.plan = TreatmentPlan.objects.filter(patient=patient).first()
        self.zone = self.plan.time_zone if self.plan else settings.CLINIC_TIME_ZONE
        self.fields["performed_at"].zone = self.zone  # type: ignore[attr-defined]
        self.fields["session"].widget.choices = _lazy_options(self._sessions, _("None"))  # type: ignore[attr-defined]
        self.fields["operator"].widget.choices = _lazy_options(self._physicians, "")  # type: ignore[attr-defined]

    @classmethod
    def of(cls, procedure: Procedure) -> ProcedureForm:
        """The recorded values, to show and to correct."""
        form = cls(patient=procedure.patient)
        form.initial = {
            "session": str(procedure.session.uuid) if procedure.session else "",
            "performed_at": procedure.performed_at.astimezone(ZoneInfo(form.zone)).strftime(
                "%Y-%m-%d %H:%M"
            ),
            "route": procedure.route,
            "cell_type": procedure.cell_type,
            "dose": f"{procedure.dose.normalize():f}",
            "dose_unit": procedure.dose_unit,
            "operator": procedure.operator.get_username(),
            "notes": procedure.notes,
        }
        return form

    @classmethod
    def planned(
        cls, patient: Patient, *, session: str = "", by: User | None = None
    ) -> ProcedureForm:
        """A new record pre-filled from a planned session: the one asked for, else the first
        cell session of the plan not yet done (`cell_sessions_done`: a procedure is linked to
        it, or one of its route was performed on its day in the plan's time zone). The date,
        the route (a session's kind names its route) and the operator (whoever records it, if
        a physician) are filled in; the cell type and dose units as this patient's last
        procedure had them."""
        form = cls(patient=patient)
        planned = form._planned_session(session)
        initial: dict[str, Any] = {}
        if planned is not None:
            local = planned.starts_at.astimezone(ZoneInfo(form.zone))
            initial |= {
                "session": str(planned.uuid),
                "performed_at": f"{local:%Y-%m-%d %H:%M}",
                "route": planned.kind,
            }
        last = patient.procedures.order_by("-performed_at").first()
        if last is not None:
            initial |= {"cell_type": last.cell_type, "dose_unit": last.dose_unit}
        if by is not None and can(by, "patient.operate"):
            initial["operator"] = by.get_username()
        form.initial = initial
        return form

    def _planned_session(self, key: str) -> Any:
        if self.plan is None:
            return None
        sessions = self.plan.sessions.filter(kind__in=SESSION_KINDS)
        try:
            asked = _row(sessions, UUID(key)) if key else None
        except ValueError:  # a damaged link: fill in as if none was asked for
            asked = None
        return asked or sessions.exclude(pk__in=cell_sessions_done(self.plan)).first()

    def _sessions(self) -> Iterator[tuple[str, str]]:
        if self.plan is None:
            return
        zone = ZoneInfo(self.zone)
        for s in self.plan.sessions.filter(kind__in=SESSION_KINDS):
            yield (
                str(s.uuid),
                f"{s.starts_at.astimezone(zone):%Y-%m-%d %H:%M} {s.get_kind_display()}",
            )

    def _physicians(self) -> Iterator[tuple[str, str]]:
        names = (
            users_who_can("patient.operate").order_by("username").values_list("username", flat=True)
        )
        return ((name, name) for name in names)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name = data.get("operator")
        if name:
            operator = User.objects.filter(username=name, is_active=True).first()
            if operator is None or not can(operator, "patient.operate"):
                self.add_error(
                    "operator", _("Give the username of the physician who performed it.")
                )
            else:
                data["operator"] = operator
        if self.plan is not None and data.get("performed_at") is not None:
            self._check_stay(data["performed_at"])
        key = data.get("session")
        data["session"] = None
        if key:
            cell_sessions = self.plan.sessions.filter(kind__in=SESSION_KINDS) if self.plan else None
            data["session"] = _row(cell_sessions, key)
            if data["session"] is None:
                self.add_error("session", _("Choose a session of this patient's plan."))
            else:
                self._check_session(data["session"], data)
        return data

    def _check_session(self, session: PlannedSession, data: dict[str, Any]) -> None:
        """The procedure is the planned session's: its route is the one the session's kind
        names, and its day (in the plan's time zone) the session's day."""
        zone = ZoneInfo(self.zone)
        route = SESSION_ROUTES[SessionKind(session.kind)]
        day = session.starts_at.astimezone(zone).date()
        if data.get("route") and data["route"] != route:
            self.add_error(
                "route",
                _("The planned session chosen is by this route: %(route)s.")
                % {"route": route.label},
            )
        performed_at = data.get("performed_at")
        if performed_at is not None and performed_at.astimezone(zone).date() != day:
            self.add_error(
                "performed_at",
                _("The planned session chosen is on %(day)s; give a time on that day.")
                % {"day": day.isoformat()},
            )

    def _check_stay(self, performed_at: Any) -> None:
        assert self.plan is not None  # nosec B101  # narrows the type for mypy
        days = stay_days(self.plan)
        local = performed_at.astimezone(ZoneInfo(self.zone)).date()
        if performed_at > timezone.now() + RECORD_WINDOW:
            self.add_error("performed_at", _("A procedure cannot be recorded before it is done."))
        elif days is None or not days[0] <= local <= days[1]:
            self.add_error(
                "performed_at",
                _("The date must lie within the stay, %(first)s to %(last)s.")
                % {"first": days[0] if days else "-", "last": days[1] if days else "-"},
            )

    def refusals(self) -> dict[str, str]:
        """Every bad field, and the missing plan (the service refuses it too)."""
        errors = {} if self.is_valid() else form_errors(self)
        if self.plan is None:
            errors["plan"] = no_plan()
        return errors

    def values(self) -> ProcedureValues:
        return typed(ProcedureValues, self.cleaned_data)


class EventForm(forms.Form):
    procedure = Key(label=gettext_lazy("After the procedure"))
    description = TextField(limit=5000, label=gettext_lazy("Description"), widget=forms.Textarea)
    category = Choice(
        choices=AdverseEvent.Category.choices, blank="", label=gettext_lazy("Category")
    )
    grade = WholeNumber(
        low=1,
        high=5,
        label=gettext_lazy("Grade (CTCAE 1-5)"),
        help_text=gettext_lazy("1 mild, 2 moderate, 3 severe, 4 life-threatening, 5 death"),
    )
    serious = YesNo(label=gettext_lazy("Serious"))
    seriousness = Choices(
        choices=AdverseEvent.Seriousness.choices,
        label=gettext_lazy("Seriousness criteria"),
        help_text=gettext_lazy("every criterion that applies; only for a serious event"),
    )
    relation_cells = Choice(
        choices=Relation.choices, blank="", label=gettext_lazy("Relation to the cells")
    )
    relation_lumbar_puncture = ProcedureRelation(
        label=gettext_lazy("Relation to the lumbar puncture")
    )
    relation_infusion = ProcedureRelation(
        label=gettext_lazy("Relation to the intravenous infusion")
    )
    relation_surgery = ProcedureRelation(label=gettext_lazy("Relation to stereotactic surgery"))
    action = Choice(
        choices=AdverseEvent.Action.choices, blank="", label=gettext_lazy("Action taken")
    )
    outcome = Choice(choices=AdverseEvent.Outcome.choices, blank="", label=gettext_lazy("Outcome"))
    onset_date = Day(label=gettext_lazy("Onset date"), help_text=gettext_lazy("YYYY-MM-DD"))
    resolved_date = ResolvedDay()

    def __init__(
        self, data: Mapping[str, Any] | None = None, *, patient: Patient, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        self.patient = patient
        self.fields["procedure"].widget.choices = _lazy_options(self._procedures, _("None"))  # type: ignore[attr-defined]

    @classmethod
    def of(cls, event: AdverseEvent) -> EventForm:
        """The recorded values, to show and to correct."""
        form = cls(patient=event.patient)
        form.initial = {
            "procedure": str(event.procedure.uuid) if event.procedure else "",
            "description": event.description,
            "category": event.category,
            "grade": str(event.grade),
            "serious": "yes" if event.serious else "no",
            "seriousness": list(event.seriousness),
            "relation_cells": event.relation_cells,
            "relation_lumbar_puncture": event.relation_lumbar_puncture,
            "relation_infusion": event.relation_infusion,
            "relation_surgery": event.relation_surgery,
            "action": event.action,
            "outcome": event.outcome,
            "onset_date": event.onset_date.isoformat(),
            "resolved_date": event.resolved_date.isoformat() if event.resolved_date else "",
        }
        return form

    def _procedures(self) -> Iterator[tuple[str, str]]:
        for p in self.patient.procedures.all():
            yield str(p.uuid), f"{p.performed_at:%Y-%m-%d} {p.get_route_display()}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        seen = dict(data)  # the values as typed: a rule below may take one out of `data`
        self._check_seriousness(seen)
        self._check_dates(seen)
        self._check_procedure(seen, data)
        return data

    def _check_seriousness(self, seen: dict[str, Any]) -> None:
        serious, criteria = seen.get("serious"), seen.get("seriousness") or []
        if serious is True and not criteria and "seriousness" not in self.errors:
            self.add_error(
                "seriousness", _("A serious event needs at least one seriousness criterion.")
            )
        if serious is False and criteria:
            self.add_error("seriousness", _("Only a serious event has seriousness criteria."))
        self._check_death(seen)

    def _check_death(self, seen: dict[str, Any]) -> None:
        """Grade 5, a fatal outcome and the criterion 'death' go together."""
        grade, serious, outcome = seen.get("grade"), seen.get("serious"), seen.get("outcome")
        criteria = seen.get("seriousness") or []
        fatal = AdverseEvent.Outcome.FATAL
        if grade == 5 and outcome and outcome != fatal:
            self.add_error("outcome", _("Grade 5 is death: the outcome is fatal."))
        if outcome == fatal and grade is not None and grade != 5:
            self.add_error("grade", _("A fatal outcome is grade 5."))
        if (grade == 5 or outcome == fatal) and (
            serious is False or (serious and "death" not in criteria)
        ):
            self.add_error(
                "seriousness", _("A death is a serious event with the criterion 'death'.")
            )

    def _check_dates(self, seen: dict[str, Any]) -> None:
        zone = ZoneInfo(settings.CLINIC_TIME_ZONE)
        today = timezone.localdate(timezone=zone)
        onset, resolved = seen.get("onset_date"), seen.get("resolved_date")
        outcome = seen.get("outcome")
        accepted_on = self.patient.created_at.astimezone(zone).date()
        if onset is not None and onset > today:
            self.add_error("onset_date", _("The date cannot be in the future."))
        elif onset is not None and onset < accepted_on:
            self.add_error(
                "onset_date",
                _("The date cannot be before the patient was accepted (%(day)s).")
                % {"day": accepted_on},
            )
        Outcome = AdverseEvent.Outcome
        if resolved is None:
            if outcome in (Outcome.RECOVERED, Outcome.SEQUELAE):
                self.add_error("resolved_date", _("Give the date the event resolved."))
        elif resolved > today:
            self.add_error("resolved_date", _("The date cannot be in the future."))
        elif onset is not None and resolved < onset:
            self.add_error("resolved_date", _("The event cannot end before it began."))
        elif outcome in (Outcome.RECOVERING, Outcome.NOT_RECOVERED):
            self.add_error("resolved_date", _("An event not yet resolved has no end date."))

    def _check_procedure(self, seen: dict[str, Any], data: dict[str, Any]) -> None:
        key = seen.get("procedure")
        data["procedure"] = None
        if not key:
            return
        procedure = _row(self.patient.procedures, key)
        if procedure is None:
            self.add_error("procedure", _("Choose one of this patient's procedures."))
            return
        data["procedure"] = procedure
        field = next(f for f, r in RELATION_FIELDS.items() if r == procedure.route)
        if not seen.get(field) and field not in self.errors:
            self.add_error(field, _("Judge the relation to the procedure the event follows."))
        local = procedure.performed_at.astimezone(ZoneInfo(settings.CLINIC_TIME_ZONE))
        onset = seen.get("onset_date")
        if onset is not None and onset < local.date():
            self.add_error("onset_date", _("The event cannot begin before its procedure."))

    def refusals(self) -> dict[str, str]:
        return {} if self.is_valid() else form_errors(self)

    def values(self) -> EventValues:
        data = self.cleaned_data
        return typed(EventValues, {**data, "seriousness": tuple(data["seriousness"])})


class ReasonForm(forms.Form):
    reason = TextField(limit=1000, label=gettext_lazy("Reason"))


# --- the forms, then the services: one way in for the pages, the API and the demo --------------


def procedure_submit(form: ProcedureForm, *, by: User) -> Procedure:
    """Record the procedure the form holds. With bad fields, a missing consent is named
    first, as the service would refuse it next."""
    require_recorder(by, "route")
    errors = form.refusals()
    if errors:
        if consent_current(patient=form.patient) is None:
            errors = {"consent": no_consent(), **errors}
        raise Invalid(errors)
    return procedure_record(patient=form.patient, values=form.values(), by=by)


def procedure_correct_submit(
    form: ProcedureForm, procedure: Procedure, *, reason: Any, by: User
) -> Procedure:
    checked = _correction_reason(form, reason, by)
    return procedure_correct(procedure=procedure, values=form.values(), by=by, reason=checked)


def adverse_event_submit(form: EventForm, *, by: User) -> AdverseEvent:
    require_recorder(by, "description")
    errors = form.refusals()
    if errors:
        raise Invalid(errors)
    return adverse_event_record(patient=form.patient, values=form.values(), by=by)


def adverse_event_correct_submit(
    form: EventForm, event: AdverseEvent, *, reason: Any, by: User
) -> AdverseEvent:
    checked = _correction_reason(form, reason, by)
    return adverse_event_correct(event=event, values=form.values(), by=by, reason=checked)


def _correction_reason(form: ProcedureForm | EventForm, reason: Any, by: User) -> str:
    """The reason for a correction, checked with the corrected values: every bad field and
    the reason are named at once."""
    require_recorder(by, "reason")
    reason_form = ReasonForm({"reason": reason})
    errors = {**form.refusals(), **({} if reason_form.is_valid() else form_errors(reason_form))}
    if errors:
        raise Invalid(errors)
    return str(reason_form.cleaned_data["reason"])


def labels(form: forms.BaseForm) -> dict[str, str]:
    """Each field's label by name, with the names that are not fields of the form."""
    names = {"consent": _("Consent"), "plan": _("Plan"), "reason": _("Reason")}
    return {**names, **{name: str(field.label) for name, field in form.fields.items()}}


# --- the treatment plan -----------------------------------------------------------------------

GIVE_REASON = gettext_lazy("Give the reason.")
NO_SESSION = gettext_lazy("There is no such session in this plan.")
KIND = gettext_lazy("Choose one of the kinds offered.")

# The plan services' refusals (`DeskRefused.code`), as staff read them.
PLAN_REFUSALS = {
    "role": gettext_lazy("Only a physician can make or change the plan."),
    "plan_exists": gettext_lazy("This patient already has a plan."),
    "no_template": gettext_lazy("The program has no treatment template."),
    "kind": KIND,
    "minutes": gettext_lazy("Give a duration between 5 and 480 minutes."),
    "spacing": gettext_lazy(
        "Cell administrations must stay between the program's minimum and maximum "
        "number of days apart."
    ),
    "done": gettext_lazy("This session already has a recorded procedure; it cannot change."),
    "reason_required": GIVE_REASON,
    "session": NO_SESSION,
    "date_range": gettext_lazy("The date is too far from the stay; check the year."),
}


class PlanReason(TextField):
    """Why a session moves or goes: every refusal says "Give the reason.", as the service's
    own check (it stays, for any other caller) always has."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(limit=1000, error_messages={"required": GIVE_REASON}, **kwargs)

    def validate(self, value: Any) -> None:
        try:
            super().validate(value)
        except ValidationError:
            raise ValidationError(GIVE_REASON, code="reason") from None


class PlanMakeForm(forms.Form):
    """The plan from the program's template: its first administration day."""

    start = Day(
        label=gettext_lazy("First administration day (YYYY-MM-DD)"),
        error_messages={"required": gettext_lazy("Enter a real date as YYYY-MM-DD.")},
    )


class PlanSessionAddForm(forms.Form):
    """A session a physician adds: its kind, when (the plan's wall clock) and how long."""

    kind = Choice(
        choices=SessionKind.choices, error_messages={"required": KIND, "invalid_choice": KIND}
    )
    starts_at = Moment(label=gettext_lazy("Date and time (YYYY-MM-DD HH:MM)"))
    minutes = WholeNumber(
        low=5,
        high=480,
        label=gettext_lazy("Minutes"),
        error_messages={"invalid": gettext_lazy("Give a duration between 5 and 480 minutes.")},
    )

    def __init__(
        self, data: Mapping[str, Any] | None = None, *, plan: TreatmentPlan, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        self.plan = plan
        self.fields["starts_at"].zone = plan.time_zone  # type: ignore[attr-defined]


class PlanSessionRemoveForm(forms.Form):
    """One of the plan's sessions (by its uuid), and why it goes."""

    session = Key()
    reason = PlanReason(label=gettext_lazy("Reason"))

    def __init__(
        self, data: Mapping[str, Any] | None = None, *, plan: TreatmentPlan, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        self.plan = plan

    def clean(self) -> dict[str, Any]:
        """The session, looked up among this plan's only; none, or another's, is refused."""
        data = super().clean() or {}
        data["session"] = _row(self.plan.sessions, data.get("session"))
        if data["session"] is None:
            self.add_error("session", NO_SESSION)
        return data


class PlanSessionMoveForm(PlanSessionRemoveForm):
    """One of the plan's sessions, its new time (the plan's wall clock), and why it moves."""

    starts_at = Moment(label=gettext_lazy("New date and time (YYYY-MM-DD HH:MM)"))
    field_order = ["session", "starts_at", "reason"]

    def __init__(
        self, data: Mapping[str, Any] | None = None, *, plan: TreatmentPlan, **kwargs: Any
    ) -> None:
        super().__init__(data, plan=plan, **kwargs)
        self.fields["starts_at"].zone = plan.time_zone  # type: ignore[attr-defined]


T = TypeVar("T")


def _plan_run(form: forms.Form, run: Callable[[dict[str, Any]], T]) -> T:
    """`run` with the form's values; a bad field, or the service's refusal, as `Invalid`."""
    if not form.is_valid():
        raise Invalid(form_errors(form))
    try:
        return run(form.cleaned_data)
    except DeskRefused as refused:
        message = PLAN_REFUSALS.get(refused.code, gettext_lazy("This cannot be done."))
        raise Invalid({refused.field: str(message)}) from None


def plan_make_submit(form: PlanMakeForm, *, patient: Patient, by: User) -> TreatmentPlan:
    return _plan_run(
        form, lambda data: plan_from_template(patient=patient, start=data["start"], physician=by)
    )


def plan_session_add_submit(form: PlanSessionAddForm, *, by: User) -> PlannedSession:
    return _plan_run(
        form,
        lambda data: plan_session_add(
            plan=form.plan,
            kind=data["kind"],
            starts_at=data["starts_at"],
            minutes=data["minutes"],
            physician=by,
        ),
    )


def plan_session_move_submit(form: PlanSessionMoveForm, *, by: User) -> PlannedSession:
    return _plan_run(
        form,
        lambda data: plan_session_move(
            session=data["session"],
            starts_at=data["starts_at"],
            physician=by,
            reason=data["reason"],
        ),
    )


def plan_session_remove_submit(form: PlanSessionRemoveForm, *, by: User) -> None:
    _plan_run(
        form,
        lambda data: plan_session_remove(
            session=data["session"], physician=by, reason=data["reason"]
        ),
    )


# --- the lists' filters ------------------------------------------------------------------------


class ProgramFilter(Filters):
    """A report's program, by its slug."""

    program = SearchText(limit=60)


class PatientFilters(ProgramFilter):
    """The patient list's status and program."""

    status = SearchText(limit=20)


# --- consent ------------------------------------------------------------------------------------


class Statements(forms.Field):
    """The statements the signer ticks one by one: one per line, from 1 to 20."""

    widget = forms.Textarea

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, str):
            return [line.strip() for line in value.splitlines() if line.strip()]
        if not isinstance(value, list) or not 1 <= len(value) <= 20:
            raise ValidationError(_("Give from 1 to 20 statements, one per line."))
        return value

    def validate(self, value: list[Any]) -> None:
        if not 1 <= len(value) <= 20:
            raise ValidationError(_("Give from 1 to 20 statements, one per line."))
        for line in value:
            if not isinstance(line, str) or not 1 <= len(line) <= 500:
                raise ValidationError(_("Each statement is one line of at most 500 characters."))
            if has_control_characters(line) or line != line.strip():
                raise ValidationError(_("Remove the invisible control characters."))


class ConsentDocumentForm(forms.Form):
    title = TextField(limit=300)
    body = TextField(limit=50_000)
    statements = Statements()


def consent_document_publish_submit(
    form: ConsentDocumentForm, *, program: Program, language: str, by: User
) -> ConsentDocument:
    consent_may_publish(by)
    errors = {} if form.is_valid() else form_errors(form)
    if language not in LANGUAGE_CODES:
        errors["language"] = _("Choose one of the values offered.")
    if errors:
        raise Invalid(errors)
    return consent_document_publish(program=program, language=language, by=by, **form.cleaned_data)


class ConsentLanguageForm(forms.Form):
    """The language of the document to show (from the address or the form): one of the
    site's, none, or a wrong one (the page then shows the English document)."""

    language = forms.ChoiceField(choices=settings.LANGUAGES, required=False)


class ConsentVersionForm(forms.Form):
    """The document version the signer read (its uuid), one of the patient's program."""

    document = Key()

    def __init__(
        self, data: Mapping[str, Any] | None = None, *, program: Program, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        self.program = program

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        versions = ConsentDocument.objects.filter(program=self.program)
        data["document"] = _row(versions, data.get("document"))
        if data["document"] is None:
            self.add_error("document", _("This version is no longer in force; reload the page."))
        return data


class ConsentSignForm(forms.Form):
    """The signer's name and role, and a tick for each statement of the document."""

    signer_name = TextField(limit=200)
    signer_role = Choice(choices=ConsentSignature.SignerRole.choices)

    def __init__(
        self, data: Mapping[str, Any] | None = None, *, document: ConsentDocument, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        for number in range(1, len(document.statements) + 1):
            self.fields[f"statement-{number}"] = Ticked()


class Ticked(forms.Field):
    """A statement the signer ticked (`yes`, `on`, or a JSON true)."""

    def to_python(self, value: Any) -> bool:
        if value not in ("yes", "on", True):
            raise ValidationError(_("Tick this statement to sign."))
        return True


def consent_sign_submit(
    form: ConsentSignForm,
    *,
    patient: Patient,
    document: ConsentDocument,
    method: str,
    address: str,
    user_agent: str = "",
    witness: User | None = None,
) -> ConsentSignature:
    """Sign what the form holds; with bad fields, why the document cannot be signed as well."""
    if not form.is_valid():
        refusals = consent_sign_refusals(
            patient=patient, document=document, method=method, witness=witness
        )
        raise Invalid({**form_errors(form), **refusals})
    return consent_sign(
        patient=patient,
        document=document,
        signer_name=form.cleaned_data["signer_name"],
        signer_role=form.cleaned_data["signer_role"],
        method=method,
        address=address,
        user_agent=user_agent,
        witness=witness,
    )


class WithdrawForm(forms.Form):
    reason = TextField(limit=2000)


def consent_withdraw_submit(form: WithdrawForm, *, signature: ConsentSignature, by: User) -> None:
    consent_may_withdraw(by)
    if not form.is_valid():
        raise Invalid(form_errors(form))
    consent_withdraw(signature=signature, by=by, reason=form.cleaned_data["reason"])
