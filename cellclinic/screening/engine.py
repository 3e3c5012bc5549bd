"""Screening: a program's rules applied to one set of answers, or to every stored inquiry.

Rules are compiled once per rule-set version (keyed by the definition's content hash).
The decision is the most severe among the fired reasons; with none it is
`eligible_for_consultation`. Only a physician ever decides treatment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cellclinic.programs.rules import (
    Dialect,
    Missing,
    Test,
    Thresholds,
    compile_python,
    compile_sql,
    parse_condition,
)
from cellclinic.programs.schema import DECISIONS, ProgramDefinition, Text

ELIGIBLE = "eligible_for_consultation"
REVIEW = "specialist_review"
SEVERITY = {decision: rank for rank, decision in enumerate(reversed(DECISIONS))}


def most_severe(decisions: list[str]) -> str:
    return max(decisions, key=SEVERITY.__getitem__, default=ELIGIBLE)


@dataclass(frozen=True)
class CompiledRule:
    id: str
    decision: str | None  # None for a note
    text: Text
    test: Test
    node: Any


@dataclass(frozen=True)
class Outcome:
    program: str
    version: str
    hash: str
    decision: str
    reasons: list[dict[str, str]]
    notes: list[dict[str, str]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "program": self.program,
            "rule_set": {"version": self.version, "hash": self.hash},
            "decision": self.decision,
            "reasons": self.reasons,
            "notes": self.notes,
        }


class RuleSet:
    """One program version's rules, compiled."""

    def __init__(self, definition: ProgramDefinition, content_hash: str) -> None:
        self.definition = definition
        self.program = definition.id
        self.version = definition.version
        self.hash = content_hash
        screening = definition.screening
        self.required = screening.required
        self.rules = [self._compile(r.id, r.decision, r.text, r.when) for r in screening.rules]
        self.notes = [self._compile(n.id, None, n.text, n.when) for n in screening.notes]

    def _compile(self, rule_id: str, decision: str | None, text: Text, when: Any) -> CompiledRule:
        node = parse_condition(when, self.definition, f"screening[{rule_id}].when")
        return CompiledRule(rule_id, decision, text, compile_python(node), node)

    def screen(self, answers: dict[str, Any], *, as_of: date) -> Outcome:
        """Screen answers already checked by `validate_answers(enforce_required=False)`."""
        language = get_language() or "en"
        thresholds = Thresholds(as_of)
        reasons = []
        for item_id in self.required:
            if answers.get(item_id) is None:
                label = self.definition.item(item_id).label.get(language)
                reasons.append(
                    {
                        "rule": f"REQ:{item_id}",
                        "decision": REVIEW,
                        "text": _("Needed for screening but not answered: %(question)s")
                        % {"question": label},
                    }
                )
        for rule in self.rules:
            if rule.test(answers, thresholds) is True:
                reasons.append(
                    {
                        "rule": rule.id,
                        "decision": str(rule.decision),
                        "text": rule.text.get(language),
                    }
                )
        notes = [
            {"rule": note.id, "text": note.text.get(language)}
            for note in self.notes
            if note.test(answers, thresholds) is True
        ]
        decision = most_severe([reason["decision"] for reason in reasons])
        return Outcome(self.program, self.version, self.hash, decision, reasons, notes)

    def decision_sql(self, dialect: Dialect, as_of: date) -> tuple[str, list[Any]]:
        """One SQL expression giving each stored row's decision under these rules."""
        thresholds = Thresholds(as_of)
        by_decision: dict[str, list[tuple[str, list[Any]]]] = {d: [] for d in DECISIONS}
        for item_id in self.required:
            by_decision[REVIEW].append(compile_sql(Missing(item_id), dialect, thresholds))
        for rule in self.rules:
            assert rule.decision is not None  # nosec B101  # narrows the type for mypy, not a check of input
            by_decision[rule.decision].append(compile_sql(rule.node, dialect, thresholds))
        whens, params = [], []
        for decision in DECISIONS:
            tests = by_decision.get(decision) or []
            if not tests:
                continue
            # `IS TRUE` (not plain truth) so an unknown condition never fires.
            whens.append("WHEN " + " OR ".join(f"({sql}) IS TRUE" for sql, _ in tests) + " THEN %s")
            for _sql, test_params in tests:
                params.extend(test_params)
            params.append(decision)
        params.append(ELIGIBLE)
        return "CASE " + " ".join(whens) + " ELSE %s END", params


_COMPILED: dict[str, RuleSet] = {}


def rule_set_for(definition: ProgramDefinition, content_hash: str) -> RuleSet:
    """The compiled rules of a definition; compiled once per content hash."""
    rule_set = _COMPILED.get(content_hash)
    if rule_set is None:
        rule_set = _COMPILED[content_hash] = RuleSet(definition, content_hash)
    return rule_set
