"""Reads for the follow-up desk: what is due, overdue and missed, and response rates."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from cellclinic.followup.models import FollowUp
from cellclinic.lib.instruments import FOLLOW_UP_TIMEPOINTS

STATE_NAMES = dict(FollowUp.State.choices)


def with_state(followup: FollowUp, today: date) -> dict[str, Any]:
    """A follow-up with its state today, as code (for styles) and as a person reads it."""
    current = followup.state(today)
    return {"followup": followup, "state": current, "state_label": STATE_NAMES[current]}


def followup_board(*, today: date, state: str = "", program: str = "") -> dict[str, Any]:
    """Every follow-up with its state today, and per time point the response rate: answered
    among those whose window has opened (due, overdue, missed or answered)."""
    rows = FollowUp.objects.select_related("patient__inquiry", "patient__program").order_by(
        "due_date", "pk"
    )
    if program:
        rows = rows.filter(patient__program__slug=program)
    listed = []
    counts: dict[str, Counter[str]] = {tp: Counter() for tp in FOLLOW_UP_TIMEPOINTS}
    for followup in rows:
        current = followup.state(today)
        counts.setdefault(followup.timepoint, Counter())[current] += 1
        if not state or current == state:
            listed.append(with_state(followup, today))
    rates = []
    for timepoint, c in counts.items():
        opened = c["due"] + c["overdue"] + c["missed"] + c["answered"]
        rates.append(
            {
                "timepoint": timepoint,
                "answered": c["answered"],
                "opened": opened,
                "rate": c["answered"] / opened if opened else None,
                "upcoming": c["upcoming"],
                "missed": c["missed"],
            }
        )
    return {"rows": listed, "rates": rates}
