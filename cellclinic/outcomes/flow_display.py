"""The flow and the harms as pages show them: labels in the reader's language, values as
words ("fewer than 10"), and the flow diagram's layout for the SVG template."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cellclinic.lib.instruments import timepoint_name

BOX_LABELS = {
    "received": _("Inquiries received"),
    "screened": _("Screened"),
    "screened.not_eligible": _("Not eligible by the rules"),
    "screened.not_recommended": _("Not recommended"),
    "screened.specialist_review": _("Specialist review"),
    "screened.eligible_for_consultation": _("Eligible for a consultation"),
    "declined": _("Declined"),
    "declined.after_consultation": _("After the consultation"),
    "declined.not_eligible": _("Not eligible at screening"),
    "declined.not_recommended": _("Not recommended at screening"),
    "declined.other": _("Other reason"),
    "withdrawn": _("Withdrawn by the family"),
    "in_progress": _("Still in progress"),
    "consultation": _("Consultations"),
    "accepted": _("Accepted"),
    "consented": _("Consent signed"),
    "treated": _("Treated"),
}
# (box, level): level 0 is a step of the main path, 1 a branch, 2 a branch's detail.
LAYOUT = (
    ("received", 0),
    ("screened", 1),
    ("screened.not_eligible", 2),
    ("screened.not_recommended", 2),
    ("screened.specialist_review", 2),
    ("screened.eligible_for_consultation", 2),
    ("declined", 1),
    ("declined.after_consultation", 2),
    ("declined.not_eligible", 2),
    ("declined.not_recommended", 2),
    ("declined.other", 2),
    ("withdrawn", 1),
    ("in_progress", 1),
    ("consultation", 0),
    ("accepted", 0),
    ("consented", 0),
    ("treated", 0),
)
HARM_LABELS = {
    "any_event": _("Any adverse event"),
    "serious": _("A serious adverse event"),
    "related_cells": _("An event related to the cells"),
    "related_procedure": _("An event related to a procedure"),
    "stopped": _("Treatment stopped because of an event"),
}
WIDTH = 360
ROW = {0: 46, 1: 40, 2: 34}
INDENT = {0: 8, 1: 36, 2: 64}


def value_text(box: dict[str, Any]) -> str:
    """A box's value as a reader reads it."""
    if not box["withheld"]:
        return number_format(box["count"])
    if box["fewer_than"]:
        return gettext("fewer than %(minimum)s") % {"minimum": box["fewer_than"]}
    return gettext("not shown")


def flow_rows(flow: dict[str, Any]) -> list[dict[str, Any]]:
    """The diagram's rows in order, each with its label, value, level and place."""
    by_id = {box["id"]: box for box in flow["boxes"]}
    rows: list[dict[str, Any]] = []
    for box, level in LAYOUT:
        rows.append(
            {
                "id": box,
                "label": str(BOX_LABELS[box]),
                "value": value_text(by_id[box]),
                "level": level,
            }
        )
    registry = flow["registry"]
    if registry["treated"] is not None:
        rows.append(
            {
                "id": "registry.treated",
                "label": gettext("Treated, in the outcome registry"),
                "value": value_text(registry["treated"]),
                "level": 0,
            }
        )
        for tp in registry["timepoints"]:
            values = {f: value_text(tp[f]) for f in ("due", "assessed", "lost", "not_yet_due")}
            rows.append(
                {
                    "id": tp["timepoint"],
                    "label": timepoint_name(tp["timepoint"]),
                    "value": gettext("due %(due)s · not yet due %(not_yet_due)s") % values,
                    "value2": gettext("assessed %(assessed)s · lost %(lost)s") % values,
                    "level": 1,
                    **values,
                }
            )
    y = 8
    for row in rows:
        level = row["level"]
        step = ROW[level] + (16 if "value2" in row else 0)
        row["x"] = INDENT[level]
        row["y"] = y
        row["width"] = WIDTH - INDENT[level] - 8
        row["height"] = step - 6
        row["centre"] = row["x"] + row["width"] // 2
        row["label_y"] = y + (16 if level == 0 else 14)
        row["value_y"] = y + (34 if level == 0 else 29)
        row["value2_y"] = row["value_y"] + 15
        y += step
    return rows


def flow_diagram(flow: dict[str, Any]) -> dict[str, Any]:
    rows = flow_rows(flow)
    height = rows[-1]["y"] + rows[-1]["height"] + 8 if rows else 16
    return {"rows": rows, "width": WIDTH, "height": height, "flow": flow}


def harm_rows(harms: dict[str, Any]) -> list[dict[str, Any]]:
    """Each harms figure as "k of n patients (p%)" with its interval in percent."""
    rows = []
    for figure in harms["figures"]:
        if figure["withheld"]:
            box = {"withheld": True, "fewer_than": figure["fewer_than"], "count": None}
            text, interval = value_text(box), "—"
        else:
            text = gettext("%(k)s of %(n)s patients") % {"k": figure["patients"], "n": figure["of"]}
            if figure["rate"] is not None:
                text += f" ({round(100 * figure['rate'])}%)"
            ci = figure["ci95"]
            interval = f"{round(100 * ci[0])}% – {round(100 * ci[1])}%" if ci else "—"
        rows.append(
            {
                "id": figure["id"],
                "label": str(HARM_LABELS[figure["id"]]),
                "text": text,
                "interval": interval,
            }
        )
    return rows


class FlowPeriod(forms.Form):
    """The staff report's period of the flow: inquiries received between two dates."""

    start = forms.DateField(required=False, label=_("Inquiries received from"))
    end = forms.DateField(required=False, label=_("to"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", gettext("The end of the period comes before its start."))
        return data
