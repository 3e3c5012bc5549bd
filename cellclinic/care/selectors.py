"""Reads for the care pages and reports."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest

from cellclinic.audit.services import access_object
from cellclinic.care.models import (
    ADMINISTRATION_KINDS,
    AdverseEvent,
    Patient,
    PlannedSession,
    Procedure,
    Relation,
    Route,
    TreatmentPlan,
)
from cellclinic.programs.models import Program

# Possible, probable or definite: the relation counted as "related" in the report.
RELATED = (Relation.POSSIBLE, Relation.PROBABLE, Relation.DEFINITE)


def patient_list(*, status: str = "", program: str = "") -> QuerySet[Patient]:
    patients = Patient.objects.select_related("inquiry", "program").order_by("-created_at")
    if status in Patient.Status.values:
        patients = patients.filter(status=status)
    if program:
        patients = patients.filter(program__slug=program)
    return patients


@dataclass
class Share:
    """A count with its denominator; `per` is count / denominator (None when it is 0)."""

    count: int
    denominator: int

    @property
    def per(self) -> float | None:
        return self.count / self.denominator if self.denominator else None


@dataclass
class SafetyReport:
    program: Program
    patients_treated: int
    procedures: int
    procedures_by_route: dict[str, int]
    events: int
    serious_events: int
    patients_with_event: Share
    patients_with_serious_event: Share
    events_per_patient: Share
    events_per_procedure: Share
    by_grade: dict[int, int]
    by_category: dict[str, int]
    by_relation: dict[str, dict[str, int]] = field(default_factory=dict)
    related_per_procedure: dict[str, Share] = field(default_factory=dict)


# The column of an adverse event that records its relation to the cells and to each route.
RELATION_COLUMNS = {
    "cells": "relation_cells",
    Route.LUMBAR_PUNCTURE: "relation_lumbar_puncture",
    Route.INTRAVENOUS: "relation_infusion",
    Route.STEREOTACTIC: "relation_surgery",
}


def _program_events(program: Program) -> list[dict[str, Any]]:
    """The adverse events of a program, each as the columns the safety report counts."""
    return [
        dict(row)
        for row in AdverseEvent.objects.filter(patient__program=program).values(
            "patient_id", "grade", "serious", "category", *RELATION_COLUMNS.values()
        )
    ]


def _by_relation(events: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """For the cells and each route, the events by relation (an empty one not applicable)."""
    by_relation: dict[str, dict[str, int]] = {}
    for key, column in RELATION_COLUMNS.items():
        counts = Counter(e[column] or "not_applicable" for e in events)
        by_relation[key] = {
            value: counts.get(value, 0) for value in [*Relation.values, "not_applicable"]
        }
    return by_relation


def _related_per_procedure(
    events: list[dict[str, Any]], by_route: dict[str, int]
) -> dict[str, Share]:
    """For each route, the events related to it per procedure by that route."""
    return {
        route: Share(
            sum(1 for e in events if e[RELATION_COLUMNS[route]] in RELATED),
            by_route.get(route, 0),
        )
        for route in Route.values
    }


def safety_report(*, program: Program) -> SafetyReport:
    """Adverse events of a program by grade, seriousness and relation, per patient treated
    (a patient with at least one recorded procedure) and per procedure."""
    procedures = Procedure.objects.filter(patient__program=program)
    by_route = dict(
        procedures.values_list("route").annotate(n=Count("id")).values_list("route", "n")
    )
    treated = procedures.values("patient").distinct().count()
    events = _program_events(program)
    total_procedures = sum(by_route.values())
    grades = Counter(e["grade"] for e in events)
    return SafetyReport(
        program=program,
        patients_treated=treated,
        procedures=total_procedures,
        procedures_by_route={route: by_route.get(route, 0) for route in Route.values},
        events=len(events),
        serious_events=sum(1 for e in events if e["serious"]),
        patients_with_event=Share(len({e["patient_id"] for e in events}), treated),
        patients_with_serious_event=Share(
            len({e["patient_id"] for e in events if e["serious"]}), treated
        ),
        events_per_patient=Share(len(events), treated),
        events_per_procedure=Share(len(events), total_procedures),
        by_grade={grade: grades.get(grade, 0) for grade in range(1, 6)},
        by_category=dict(Counter(e["category"] for e in events).most_common()),
        by_relation=_by_relation(events),
        related_per_procedure=_related_per_procedure(events, by_route),
    )


def patient_record(*, patient: Patient) -> dict[str, Any]:
    """What the patient page and the discharge summary show."""
    from cellclinic.care.consent import consent_current
    from cellclinic.care.models import TreatmentPlan
    from cellclinic.care.records import stay_days

    plan = TreatmentPlan.objects.filter(patient=patient).first()
    return {
        "plan": plan,
        "stay": stay_days(plan) if plan else None,
        "consent": consent_current(patient=patient),
        "consents": list(patient.consents.select_related("document", "witnessed_by")),
        "procedures": list(
            patient.procedures.select_related("operator", "recorded_by").order_by("performed_at")
        ),
        "events": list(
            patient.adverse_events.select_related("procedure", "recorded_by").order_by(
                "onset_date", "pk"
            )
        ),
        "timeline": list(patient.status_changes.select_related("changed_by")),
    }


def patient_for(request: HttpRequest, patient_uuid: uuid.UUID | str) -> Patient:
    """The patient a staff member opens, named in the request's row of the access log."""
    try:
        key = uuid.UUID(str(patient_uuid))
    except ValueError:
        raise Http404 from None
    patient = Patient.objects.select_related("inquiry", "program").filter(uuid=key).first()
    if patient is None:
        raise Http404
    access_object(request, object_type="patient", object_ref=str(patient.uuid))
    return patient


@dataclass(frozen=True)
class PlanDay:
    """One day of a treatment plan in the clinic's time zone, its sessions in order."""

    day: date
    sessions: list[tuple[datetime, PlannedSession]]

    @property
    def has_administration(self) -> bool:
        """A day the cells are given: the family sees these first."""
        return any(s.kind in ADMINISTRATION_KINDS for _at, s in self.sessions)


def plan_days(*, plan: TreatmentPlan) -> list[PlanDay]:
    """The plan as days (the family's page and printable read it day by day)."""
    zone = ZoneInfo(plan.time_zone)
    days: dict[date, list[tuple[datetime, PlannedSession]]] = {}
    for session in plan.sessions.all():
        local = session.starts_at.astimezone(zone)
        days.setdefault(local.date(), []).append((local, session))
    return [PlanDay(day=day, sessions=sessions) for day, sessions in sorted(days.items())]
