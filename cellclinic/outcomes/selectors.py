"""Reads of the registry for pages: the staff report and the public program figures."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from cellclinic.lib.instruments import FOLLOW_UP_TIMEPOINTS
from cellclinic.outcomes.models import RegistryChange
from cellclinic.outcomes.statistics import outcome_table
from cellclinic.programs.selectors import CurrentProgram

PUBLIC_MINIMUM = 10  # a group of fewer treated patients is never shown in public
REPORT_TIMEPOINTS = ("discharge", *FOLLOW_UP_TIMEPOINTS)


def registry_state() -> str:
    """Changes whenever the registry is written to (see RegistryChange)."""
    return str(RegistryChange.current())


def public_figures(*, program: CurrentProgram) -> dict[str, Any] | None:
    """Per follow-up time point: patients treated, the follow-up rate (assessed / treated)
    and the improved rate with its interval, each computed from the registry. A time point
    with fewer than 10 treated patients is withheld. Cached until the registry changes."""
    outcomes = program.definition.outcomes
    if outcomes is None:
        return None
    key = f"public-figures:{program.slug}:{program.content_hash}:{registry_state()}"
    found = cache.get(key)
    if found is not None:
        return dict(found)
    rows = []
    for timepoint in FOLLOW_UP_TIMEPOINTS:
        table = outcome_table(program=program, timepoint=timepoint, by=None)
        overall = table["overall"]
        family = table["family_reported"]["overall"]
        shown = overall["treated"] >= PUBLIC_MINIMUM
        rows.append(
            {
                "timepoint": timepoint,
                "months": timepoint.lstrip("m"),
                "shown": shown,
                **(overall if shown else {}),
                "followup_pct": round(100 * overall["assessed"] / overall["treated"])
                if shown
                else None,
                "rate_pct": round(100 * overall["rate"])
                if shown and overall["rate"] is not None
                else None,
                "ci_pct": [round(100 * v) for v in overall["ci95"]]
                if shown and overall["ci95"]
                else None,
                "family": family if shown else None,
                "family_pct": round(100 * family["rate"])
                if shown and family["rate"] is not None
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
