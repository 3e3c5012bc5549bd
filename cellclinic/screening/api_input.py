"""Reading screening input (command line and API) into checked answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import DatabaseError
from django.utils.translation import gettext as _

from cellclinic.programs.answers import AnswersForm, FieldError
from cellclinic.programs.loader import load_directory
from cellclinic.programs.selectors import program_get
from cellclinic.screening.engine import Outcome, RuleSet, rule_set_for


@dataclass(frozen=True)
class Screened:
    outcome: Outcome | None
    errors: list[FieldError]


def current_rule_set(program: str) -> RuleSet | None:
    """The published rules of a program; from the shipped files when no database exists."""
    try:
        current = program_get(slug=program)
    except DatabaseError:
        current = None
        for loaded in load_directory():
            if loaded.definition.id == program:
                return rule_set_for(loaded.definition, loaded.content_hash)
        return None
    if current is None:
        return None
    return rule_set_for(current.definition, current.content_hash)


def screen_input(*, program: str, answers: Any, as_of: date) -> Screened:
    """Check and screen one set of answers; writes nothing."""
    rule_set = current_rule_set(program)
    if rule_set is None:
        return Screened(None, [FieldError("program", _("There is no such program."))])
    if not isinstance(answers, dict):
        return Screened(None, [FieldError("answers", _("Give the answers as a JSON object."))])
    form = AnswersForm(rule_set.definition, answers, as_of=as_of, enforce_required=False)
    if not form.is_valid():
        return Screened(None, form.field_errors())
    return Screened(rule_set.screen(form.answers, as_of=as_of), [])
