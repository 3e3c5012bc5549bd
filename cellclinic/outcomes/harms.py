"""Harms in public (CONSORT-Harms), docs/outcomes.md "Harms".

Among the program's patients treated (at least one procedure recorded, as in the staff
safety report), the patients with:

- `any_event`: any adverse event recorded;
- `serious`: a serious adverse event;
- `related_cells`: an event whose relation to the cells is possible, probable or definite;
- `related_procedure`: an event whose relation to a procedure (lumbar puncture, infusion or
  stereotactic surgery) is possible, probable or definite;
- `stopped`: an event after which the treatment was stopped (the event's recorded action
  "treatment stopped"): the registry's record of a withdrawal because of an event.

Each as k of n patients treated with its Wilson 95% interval; and the events per
administration (every recorded adverse event of the patients treated / every recorded
procedure). For the public the boxes are withheld together with the flow's
(`flow.public_shown`): the patients treated here are the flow's `treated` box.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from cellclinic.care.models import AdverseEvent, Procedure
from cellclinic.care.selectors import RELATED, RELATION_COLUMNS
from cellclinic.outcomes.disclosure import PUBLIC_MINIMUM
from cellclinic.outcomes.flow import HARM_FIGURES, public_shown
from cellclinic.outcomes.statistics import wilson
from cellclinic.programs.selectors import CurrentProgram
from cellclinic.screening.services import clinic_date

HARMS_DEFINITION = {
    "id": "cellclinic-harms",
    "version": "1",
    "grading": "CTCAE grades 1-5",
    "related": "possible, probable or definite",
    "stopped": "an event recorded with the action 'treatment stopped'",
}
HARM_BOXES = ("treated", *HARM_FIGURES)
PROCEDURE_COLUMNS = tuple(c for k, c in RELATION_COLUMNS.items() if k != "cells")


def event_boxes(event: dict[str, Any]) -> set[str]:
    """The harm boxes one adverse event puts its patient in."""
    boxes = {"any_event"}
    if event["serious"]:
        boxes.add("serious")
    if event["relation_cells"] in RELATED:
        boxes.add("related_cells")
    if any(event[column] in RELATED for column in PROCEDURE_COLUMNS):
        boxes.add("related_procedure")
    if event["action"] == AdverseEvent.Action.STOPPED:
        boxes.add("stopped")
    return boxes


def harm_cells(*, program: CurrentProgram) -> tuple[Counter[frozenset[str]], int, int]:
    """The patients treated counted by the set of harm boxes each is in, the events of
    those patients and the procedures."""
    program_id = program.version.program_id
    procedures = Procedure.objects.filter(patient__program_id=program_id)
    treated = set(procedures.values_list("patient_id", flat=True).distinct())
    membership: dict[int, set[str]] = {patient: {"treated"} for patient in treated}
    events = 0
    for event in AdverseEvent.objects.filter(patient_id__in=treated).values(
        "patient_id", "serious", "action", *RELATION_COLUMNS.values()
    ):
        events += 1
        membership[event["patient_id"]] |= event_boxes(event)
    cells: Counter[frozenset[str]] = Counter(frozenset(m) for m in membership.values())
    return cells, events, procedures.count()


def harms(*, program: CurrentProgram, public: bool = False) -> dict[str, Any]:
    """The harms as JSON: each figure k of n patients treated with its Wilson interval;
    for the public, withheld figures are null with `"withheld": true` (`fewer_than` 10
    when they describe 1 to 9 patients). Events per administration are shown with the
    patients with any event (they give a lower bound of them)."""
    cells, events, procedures = harm_cells(program=program)
    counts = {box: sum(n for cell, n in cells.items() if box in cell) for box in HARM_BOXES}
    if public:
        joint = public_shown(program=program)
        shown = {box: joint["treated" if box == "treated" else f"harm.{box}"] for box in HARM_BOXES}
    else:
        shown = dict.fromkeys(HARM_BOXES, True)
    n = counts["treated"]
    figures = []
    for box in HARM_BOXES[1:]:
        k = counts[box]
        if shown[box] and shown["treated"]:
            interval = wilson(k, n)
            figures.append(
                {
                    "id": box,
                    "patients": k,
                    "of": n,
                    "rate": k / n if n else None,
                    "ci95": list(interval) if interval else None,
                    "withheld": False,
                    "fewer_than": None,
                }
            )
        else:
            figures.append(
                {
                    "id": box,
                    "patients": None,
                    "of": n if shown["treated"] else None,
                    "rate": None,
                    "ci95": None,
                    "withheld": True,
                    "fewer_than": PUBLIC_MINIMUM if 0 < k < PUBLIC_MINIMUM else None,
                }
            )
    per_administration = shown["treated"] and shown["any_event"]
    return {
        "program": program.slug,
        "report_date": clinic_date().isoformat(),
        "definition": dict(HARMS_DEFINITION),
        "minimum": PUBLIC_MINIMUM,
        "treated": n if shown["treated"] else None,
        "treated_withheld": not shown["treated"],
        "treated_fewer_than": PUBLIC_MINIMUM if not shown["treated"] and n else None,
        "figures": figures,
        "events_per_administration": {
            "events": events if per_administration else None,
            "administrations": procedures if per_administration else None,
            "rate": events / procedures if per_administration and procedures else None,
            "withheld": not per_administration,
        },
    }
