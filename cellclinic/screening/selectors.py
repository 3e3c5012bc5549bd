"""Reads for screening pages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from cellclinic.inquiries.models import Inquiry
from cellclinic.programs.schema import ScreeningNote, ScreeningRule
from cellclinic.programs.selectors import definition_of
from cellclinic.screening.models import Decision


def decision_display(decision: Decision, language: str) -> dict[str, Any]:
    """A decision with each reason and note in the reader's language.

    The stored texts are those of the language the screening ran in; the rule ids point
    back to the version's definition, which has every language.
    """
    definition = definition_of(decision.program_version)
    entries: list[ScreeningRule | ScreeningNote] = [
        *definition.screening.rules,
        *definition.screening.notes,
    ]
    texts = {entry.id: entry.text.get(language) for entry in entries}

    def text_of(entry: dict[str, str]) -> str:
        rule = entry["rule"]
        if rule.startswith("REQ:"):
            label = definition.item(rule[4:]).label.get(language)
            return _("Needed for screening but not answered: %(question)s") % {"question": label}
        return texts.get(rule, entry.get("text", ""))

    return {
        "decision": decision,
        "reasons": [dict(r, text=text_of(r)) for r in decision.reasons],
        "notes": [dict(n, text=text_of(n)) for n in decision.notes],
    }


def decisions_of(inquiry: Inquiry, language: str) -> list[dict[str, Any]]:
    decisions = inquiry.decisions.select_related("program_version", "decided_by").order_by(
        "created_at", "pk"
    )
    return [decision_display(d, language) for d in decisions]
