"""The flow of patients through a program (CONSORT-style), docs/outcomes.md "The flow".

For a program and a period (inquiries received between two dates, both included; all
time by default), every inquiry is counted in the boxes it reached:

- `received`: the inquiry was sent in the period;
- `screened` (an inquiry with a current screening decision), and `screened.<decision>` by
  that decision (an override replaces the automatic one);
- `consultation`: it reached the consultation (a status change to it, or its status is or
  went past it: an accepted inquiry was consulted);
- `accepted`: a physician accepted it after the consultation (a patient was made);
- `consented`: that patient signed a consent (a later withdrawal of it included);
- `treated`: that patient had at least one procedure recorded (the safety report's
  "patients treated");
- `declined`, and `declined.<category>`: the category is derived, not typed (the decline
  action has no category): `after_consultation` when the inquiry had reached the
  consultation, else `not_eligible` or `not_recommended` by its current screening decision,
  else `other`;
- `withdrawn`: the family withdrew (status withdrawn);
- `in_progress`: neither accepted, declined nor withdrawn yet.

The follow-up boxes come from the outcome registry (outcome_table's overall counts, all of
the program's registry patients, imported ones included, not limited to the period): per
time point `due`, `assessed` (among due), `lost` (due, not assessed) and `not_yet_due`.

For the public (all time), `public_shown` withholds boxes by `boxes.box_suppression` over
each inquiry's membership of the inquiry boxes and of the harms figures together (the
harms' patients treated are the `treated` box), and `boxes.chain_suppression` the
follow-up boxes.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Subquery

from cellclinic.care.models import ConsentSignature, Patient, Procedure
from cellclinic.inquiries.models import Inquiry, Status, StatusChange
from cellclinic.outcomes.boxes import box_suppression, chain_suppression
from cellclinic.outcomes.disclosure import PUBLIC_MINIMUM
from cellclinic.outcomes.selectors import REPORT_TIMEPOINTS
from cellclinic.outcomes.statistics import outcome_table
from cellclinic.programs.selectors import CurrentProgram
from cellclinic.screening.models import Decision
from cellclinic.screening.services import clinic_date

FLOW_DEFINITION = {"id": "cellclinic-flow", "version": "1"}
DECISIONS = tuple(Decision.Value.values)
DECLINE_CATEGORIES = ("after_consultation", "not_eligible", "not_recommended", "other")
# The inquiry boxes in the diagram's order; the first is the total.
INQUIRY_BOXES = (
    "received",
    "screened",
    *(f"screened.{d}" for d in DECISIONS),
    "consultation",
    "accepted",
    "consented",
    "treated",
    "declined",
    *(f"declined.{c}" for c in DECLINE_CATEGORIES),
    "withdrawn",
    "in_progress",
)
FOLLOWUP_FIELDS = ("due", "assessed", "lost", "not_yet_due")
# The harms figures (harms.py), counted among the treated. The public flow and the public
# harms are withheld together: the harms' patients treated are the flow's `treated` box.
HARM_FIGURES = ("any_event", "serious", "related_cells", "related_procedure", "stopped")
PUBLIC_BOXES = (*INQUIRY_BOXES, *(f"harm.{h}" for h in HARM_FIGURES))


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(settings.CLINIC_TIME_ZONE))


def _membership(row: dict[str, Any]) -> frozenset[str]:
    """The boxes an inquiry reached, from its grouped columns."""
    boxes = {"received"}
    decision = row["decision"]
    if decision:
        boxes |= {"screened", f"screened.{decision}"}
    status = row["status"]
    consulted = row["consulted"] or row["has_patient"] or status in (Status.CONSULTATION,)
    if consulted:
        boxes.add("consultation")
    if row["has_patient"]:
        boxes.add("accepted")
        if row["consented"]:
            boxes.add("consented")
        if row["treated"]:
            boxes.add("treated")
    if status == Status.DECLINED:
        if consulted:
            category = "after_consultation"
        elif decision in ("not_eligible", "not_recommended"):
            category = decision
        else:
            category = "other"
        boxes |= {"declined", f"declined.{category}"}
    elif status == Status.WITHDRAWN:
        boxes.add("withdrawn")
    elif not row["has_patient"]:
        boxes.add("in_progress")
    if row["treated"]:
        boxes |= {f"harm.{h}" for h in HARM_FIGURES if row.get(h)}
    return frozenset(boxes)


def _harm_columns() -> dict[str, Exists]:
    """For each harms figure, whether the inquiry's patient had such an event."""
    from cellclinic.care.models import AdverseEvent
    from cellclinic.care.selectors import RELATED

    events = AdverseEvent.objects.filter(patient__inquiry=OuterRef("pk")).values("pk")
    related_procedure = (
        Q(relation_lumbar_puncture__in=RELATED)
        | Q(relation_infusion__in=RELATED)
        | Q(relation_surgery__in=RELATED)
    )
    return {
        "any_event": Exists(events),
        "serious": Exists(events.filter(serious=True)),
        "related_cells": Exists(events.filter(relation_cells__in=RELATED)),
        "related_procedure": Exists(events.filter(related_procedure)),
        "stopped": Exists(events.filter(action=AdverseEvent.Action.STOPPED)),
    }


def inquiry_cells(
    *,
    program: CurrentProgram,
    start: date | None = None,
    end: date | None = None,
    with_harms: bool = False,
) -> Counter[frozenset[str]]:
    """The inquiries of the program received in the period, counted by the set of boxes
    each reached (with the harms figures their treated patient is in): one grouped query."""
    inquiries = Inquiry.objects.filter(program_id=program.version.program_id)
    if start is not None:
        inquiries = inquiries.filter(created_at__gte=_day_start(start))
    if end is not None:
        inquiries = inquiries.filter(created_at__lt=_day_start(end + timedelta(days=1)))
    patients = Patient.objects.filter(inquiry=OuterRef("pk"))
    harms = _harm_columns() if with_harms else {}
    grouped = (
        inquiries.annotate(
            decision=Subquery(
                Decision.objects.filter(inquiry=OuterRef("pk"), is_current=True).values("decision")[
                    :1
                ]
            ),
            consulted=Exists(
                StatusChange.objects.filter(inquiry=OuterRef("pk"), to_status=Status.CONSULTATION)
            ),
            has_patient=Exists(patients),
            consented=Exists(
                ConsentSignature.objects.filter(patient__inquiry=OuterRef("pk")).values("pk")
            ),
            treated=Exists(Procedure.objects.filter(patient__inquiry=OuterRef("pk")).values("pk")),
            **harms,
        )
        .values("decision", "status", "consulted", "has_patient", "consented", "treated", *harms)
        .annotate(n=Count("pk"))
        .order_by()
    )
    cells: Counter[frozenset[str]] = Counter()
    for row in grouped:
        cells[_membership(dict(row))] += row["n"]
    return cells


def followup_counts(*, program: CurrentProgram) -> dict[str, int]:
    """The registry's follow-up boxes, from the outcome table's overall row of each time
    point: `registry.treated`, and `<timepoint>.due|assessed|lost|not_yet_due`."""
    counts: dict[str, int] = {}
    if program.definition.outcomes is None:
        return counts
    for timepoint in REPORT_TIMEPOINTS:
        row = outcome_table(program=program, timepoint=timepoint, by=None)["overall"]
        due = row.get("due", row["treated"])
        counts["registry.treated"] = row["treated"]
        counts[f"{timepoint}.due"] = due
        counts[f"{timepoint}.assessed"] = row["assessed"]
        counts[f"{timepoint}.lost"] = due - row["assessed"]
        counts[f"{timepoint}.not_yet_due"] = row.get("not_yet_due", row["treated"] - due)
    return counts


def followup_containments(timepoints: tuple[str, ...]) -> list[tuple[str, str]]:
    """Pairs (outer, inner) of follow-up boxes of which the first holds the second: the
    treated hold everything; a later time point's window closes later, so its due (and
    assessed) patients are due at every earlier one; the due hold their assessed and lost."""
    pairs: list[tuple[str, str]] = []
    for i, tp in enumerate(timepoints):
        for field in FOLLOWUP_FIELDS:
            pairs.append(("registry.treated", f"{tp}.{field}"))
        pairs += [(f"{tp}.due", f"{tp}.assessed"), (f"{tp}.due", f"{tp}.lost")]
        for later in timepoints[i + 1 :]:
            pairs += [(f"{tp}.due", f"{later}.due"), (f"{tp}.due", f"{later}.assessed")]
            pairs.append((f"{later}.not_yet_due", f"{tp}.not_yet_due"))
    return pairs


def public_shown(*, program: CurrentProgram) -> dict[str, bool]:
    """Which inquiry and harms boxes the public sees (all time): one suppression over
    both, since the harms' patients treated are the flow's `treated` box."""
    return box_suppression(inquiry_cells(program=program, with_harms=True), PUBLIC_BOXES)


def _box(count: int, shown: bool) -> dict[str, Any]:
    if shown:
        return {"count": count, "withheld": False, "fewer_than": None}
    return {
        "count": None,
        "withheld": True,
        "fewer_than": PUBLIC_MINIMUM if 0 < count < PUBLIC_MINIMUM else None,
    }


def flow(
    *,
    program: CurrentProgram,
    start: date | None = None,
    end: date | None = None,
    public: bool = False,
) -> dict[str, Any]:
    """The flow as JSON (the API's answer): each box's count, or for the public, null with
    `"withheld": true` where it is withheld (`fewer_than` 10 when it has 1 to 9)."""
    cells = inquiry_cells(program=program, start=start, end=end)
    counts = {box: sum(n for cell, n in cells.items() if box in cell) for box in INQUIRY_BOXES}
    followup = followup_counts(program=program)
    if public:
        if start is not None or end is not None:
            raise ValueError("the public flow covers all time")
        shown = public_shown(program=program)
        if followup:
            shown |= chain_suppression(
                followup,
                total="registry.treated",
                contains=followup_containments(REPORT_TIMEPOINTS),
            )
    else:
        shown = dict.fromkeys([*counts, *followup], True)
    timepoints = REPORT_TIMEPOINTS if followup else ()
    return {
        "program": program.slug,
        "report_date": clinic_date().isoformat(),
        "period": {
            "from": start.isoformat() if start else None,
            "to": end.isoformat() if end else None,
        },
        "definition": dict(FLOW_DEFINITION),
        "minimum": PUBLIC_MINIMUM,
        "boxes": [{"id": box, **_box(counts[box], shown[box])} for box in INQUIRY_BOXES],
        "registry": {
            "treated": _box(followup["registry.treated"], shown["registry.treated"])
            if followup
            else None,
            "timepoints": [
                {
                    "timepoint": tp,
                    **{
                        field: _box(followup[f"{tp}.{field}"], shown[f"{tp}.{field}"])
                        for field in FOLLOWUP_FIELDS
                    },
                }
                for tp in timepoints
            ],
        },
    }
