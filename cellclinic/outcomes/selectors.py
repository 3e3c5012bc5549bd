"""Reads of the registry for pages: the staff report and the public program figures."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from cellclinic.lib.instruments import FOLLOW_UP_TIMEPOINTS
from cellclinic.outcomes.disclosure import PUBLIC_MINIMUM, public_table
from cellclinic.outcomes.models import RegistryChange
from cellclinic.outcomes.statistics import outcome_table
from cellclinic.programs.selectors import CurrentProgram
from cellclinic.screening.services import clinic_date

REPORT_TIMEPOINTS = ("discharge", *FOLLOW_UP_TIMEPOINTS)


def registry_state() -> str:
    """Changes whenever the registry is written to (see RegistryChange)."""
    return str(RegistryChange.current())


def public_figures(*, program: CurrentProgram) -> dict[str, Any] | None:
    """Per follow-up time point, as of today at the clinic: patients treated, how many were
    due (their window closed) and not yet due, the follow-up rate (assessed / due), the
    improved rate with its interval and the family-reported rate, each computed from the
    registry and published by the rule of `disclosure.public_table` (treated under 10, or
    due, followed up or answered by 1 to 9, is withheld). Named with the report date and the
    definition's version. Cached until the registry changes or the date does."""
    outcomes = program.definition.outcomes
    if outcomes is None:
        return None
    as_of = clinic_date()
    key = f"public-figures:{program.slug}:{program.content_hash}:{registry_state()}:{as_of}"
    found = cache.get(key)
    if found is not None:
        return dict(found)
    rows = []
    for timepoint in FOLLOW_UP_TIMEPOINTS:
        table = public_table(
            outcome_table(program=program, timepoint=timepoint, by=None, as_of=as_of)
        )
        overall = table["overall"]
        family = table["family_reported"]["overall"]
        shown = overall["treated"] is not None
        due_shown = shown and overall["due"] is not None
        results = due_shown and overall["assessed"] is not None
        family_shown = shown and family["reported"] is not None
        rows.append(
            {
                "timepoint": timepoint,
                "months": timepoint.lstrip("m"),
                "shown": shown,
                "due_shown": due_shown,
                "results_shown": results,
                "family_shown": family_shown,
                **overall,
                "followup_pct": round(100 * overall["assessed"] / overall["due"])
                if results and overall["due"]
                else None,
                "rate_pct": round(100 * overall["rate"])
                if results and overall["rate"] is not None
                else None,
                "ci_pct": [round(100 * v) for v in overall["ci95"]]
                if results and overall["ci95"]
                else None,
                "family": family,
                "family_pct": round(100 * family["rate"])
                if family_shown and family["rate"] is not None
                else None,
            }
        )
    figures = {
        "rows": rows,
        "definition_id": outcomes.improved.id,
        "definition_version": outcomes.improved.version,
        "as_of": as_of,
        "minimum": PUBLIC_MINIMUM,
    }
    cache.set(key, figures, 3600)
    return figures
