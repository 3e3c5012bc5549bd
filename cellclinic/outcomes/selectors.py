"""Reads of the registry for pages: the staff report and the public program figures."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from cellclinic.lib.instruments import FOLLOW_UP_TIMEPOINTS
from cellclinic.outcomes.disclosure import PUBLIC_MINIMUM, public_table
from cellclinic.outcomes.models import RegistryChange
from cellclinic.outcomes.statistics import outcome_table
from cellclinic.programs.selectors import CurrentProgram

REPORT_TIMEPOINTS = ("discharge", *FOLLOW_UP_TIMEPOINTS)


def registry_state() -> str:
    """Changes whenever the registry is written to (see RegistryChange)."""
    return str(RegistryChange.current())


def public_figures(*, program: CurrentProgram) -> dict[str, Any] | None:
    """Per follow-up time point: patients treated, the follow-up rate (assessed / treated),
    the improved rate with its interval and the family-reported rate, each computed from the
    registry and published by the rule of `disclosure.public_table` (treated under 10, or
    followed up or answered by 1 to 9, is withheld). Cached until the registry changes."""
    outcomes = program.definition.outcomes
    if outcomes is None:
        return None
    key = f"public-figures:{program.slug}:{program.content_hash}:{registry_state()}"
    found = cache.get(key)
    if found is not None:
        return dict(found)
    rows = []
    for timepoint in FOLLOW_UP_TIMEPOINTS:
        table = public_table(outcome_table(program=program, timepoint=timepoint, by=None))
        overall = table["overall"]
        family = table["family_reported"]["overall"]
        shown = overall["treated"] is not None
        results = shown and overall["assessed"] is not None
        family_shown = shown and family["reported"] is not None
        rows.append(
            {
                "timepoint": timepoint,
                "months": timepoint.lstrip("m"),
                "shown": shown,
                "results_shown": results,
                "family_shown": family_shown,
                **overall,
                "followup_pct": round(100 * overall["assessed"] / overall["treated"])
                if results
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
        "minimum": PUBLIC_MINIMUM,
    }
    cache.set(key, figures, 3600)
    return figures
