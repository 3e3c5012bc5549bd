"""Field lists for the care forms: one generic template renders them, errors beside each."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from cellclinic.care.models import AdverseEvent, DoseUnit, Procedure, Relation, Route


@dataclass
class Field:
    name: str
    label: str
    kind: str  # text, textarea, select, multi, yesno
    value: Any = ""
    error: str = ""
    options: tuple[tuple[str, str], ...] = ()
    help: str = ""
    required: bool = True

    @property
    def values(self) -> list[str]:
        """The chosen values of a multi-choice field."""
        return list(self.value) if isinstance(self.value, list | tuple) else [str(self.value)]


def _fill(fields: list[Field], values: Mapping[str, Any], errors: Mapping[str, str]) -> list[Field]:
    for f in fields:
        if f.name in values:
            f.value = values[f.name]
        f.error = errors.get(f.name, "")
    return fields


def _opts(
    choices: Iterable[tuple[str, Any]], blank: str | None = None
) -> tuple[tuple[str, str], ...]:
    head = (("", blank),) if blank is not None else ()
    return head + tuple((value, str(label)) for value, label in choices)


def procedure_fields(
    *,
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    sessions: Iterable[tuple[str, str]],
    physicians: Iterable[str],
) -> list[Field]:
    return _fill(
        [
            Field(
                "session",
                _("Planned session"),
                "select",
                options=_opts(sessions, _("None")),
                required=False,
            ),
            Field(
                "performed_at",
                _("Date and time"),
                "text",
                help=_("YYYY-MM-DD HH:MM at the clinic; within the stay"),
            ),
            Field("route", _("Route"), "select", options=_opts(Route.choices, "")),
            Field(
                "cell_type",
                _("Cell type"),
                "text",
                help=_("as named in the treatment plan, with its source"),
            ),
            Field("dose", _("Dose"), "text", help=_("a number greater than zero")),
            Field("dose_unit", _("Dose unit"), "select", options=_opts(DoseUnit.choices, "")),
            Field(
                "operator",
                _("Operator (physician)"),
                "select",
                options=_opts(((p, p) for p in physicians), ""),
            ),
            Field("notes", _("Notes"), "textarea", required=False),
        ],
        values,
        errors,
    )


def procedure_values(procedure: Procedure, zone: Any) -> dict[str, Any]:
    return {
        "session": str(procedure.session.uuid) if procedure.session else "",
        "performed_at": procedure.performed_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "route": procedure.route,
        "cell_type": procedure.cell_type,
        "dose": f"{procedure.dose.normalize():f}",
        "dose_unit": procedure.dose_unit,
        "operator": procedure.operator.get_username(),
        "notes": procedure.notes,
    }


def event_fields(
    *,
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    procedures: Iterable[tuple[str, str]],
) -> list[Field]:
    na = _("Not applicable (no such procedure)")
    return _fill(
        [
            Field(
                "procedure",
                _("After the procedure"),
                "select",
                options=_opts(procedures, _("None")),
                required=False,
            ),
            Field("description", _("Description"), "textarea"),
            Field(
                "category",
                _("Category"),
                "select",
                options=_opts(AdverseEvent.Category.choices, ""),
            ),
            Field(
                "grade",
                _("Grade (CTCAE 1-5)"),
                "select",
                options=_opts(((str(g), str(g)) for g in range(1, 6)), ""),
                help=_("1 mild, 2 moderate, 3 severe, 4 life-threatening, 5 death"),
            ),
            Field("serious", _("Serious"), "yesno"),
            Field(
                "seriousness",
                _("Seriousness criteria"),
                "multi",
                options=_opts(AdverseEvent.Seriousness.choices),
                required=False,
                help=_("every criterion that applies; only for a serious event"),
            ),
            Field(
                "relation_cells",
                _("Relation to the cells"),
                "select",
                options=_opts(Relation.choices, ""),
            ),
            Field(
                "relation_lumbar_puncture",
                _("Relation to the lumbar puncture"),
                "select",
                options=_opts(Relation.choices, na),
                required=False,
            ),
            Field(
                "relation_infusion",
                _("Relation to the intravenous infusion"),
                "select",
                options=_opts(Relation.choices, na),
                required=False,
            ),
            Field(
                "relation_surgery",
                _("Relation to stereotactic surgery"),
                "select",
                options=_opts(Relation.choices, na),
                required=False,
            ),
            Field(
                "action",
                _("Action taken"),
                "select",
                options=_opts(AdverseEvent.Action.choices, ""),
            ),
            Field(
                "outcome", _("Outcome"), "select", options=_opts(AdverseEvent.Outcome.choices, "")
            ),
            Field("onset_date", _("Onset date"), "text", help=_("YYYY-MM-DD")),
            Field(
                "resolved_date",
                _("Resolved on"),
                "text",
                required=False,
                help=_("YYYY-MM-DD; when recovered"),
            ),
        ],
        values,
        errors,
    )


def event_values(event: AdverseEvent) -> dict[str, Any]:
    return {
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


def posted(data: Any) -> dict[str, Any]:
    """A POST as the services take it: lists for multi-choice fields, strings otherwise."""
    out: dict[str, Any] = {key: data.get(key) for key in data}
    if hasattr(data, "getlist"):
        out["seriousness"] = data.getlist("seriousness")
    return out
