"""`cellclinic screening impact|pending`: preview a rule change; screen what was missed."""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cellclinic.programs.loader import DefinitionError
from cellclinic.programs.rules import RuleError
from cellclinic.programs.selectors import program_get
from cellclinic.screening.engine import rule_set_for
from cellclinic.screening.services import (
    clinic_date,
    draft_rule_set,
    screening_impact,
    screening_pending,
)


class Command(BaseCommand):
    help = "Preview the impact of a draft rule set, or screen inquiries without a decision."

    def add_arguments(self, parser: ArgumentParser) -> None:
        assert isinstance(parser, CommandParser)  # nosec B101  # narrows the type for mypy, not a check of input
        commands = parser.add_subparsers(dest="action", required=True)
        impact = commands.add_parser(
            "impact",
            help="re-screen every stored inquiry of a program with a draft definition file",
        )
        impact.add_argument("--program", required=True)
        impact.add_argument("--rules", required=True, type=Path, help="draft program YAML file")
        impact.add_argument("--as-of", help="date for ages and intervals (default: today)")
        impact.add_argument("--format", choices=["table", "json"], default="table")
        impact.add_argument("--show", type=int, default=50, help="changed inquiries to list")
        commands.add_parser("pending", help="screen stored inquiries that have no decision")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "pending":
            self.stdout.write(f"screened {screening_pending()} inquiries")
            return
        program = program_get(slug=options["program"])
        if program is None:
            self._fail(f"--program: there is no program {options['program']!r}")
        assert program is not None  # nosec B101  # narrows the type for mypy, not a check of input
        try:
            as_of = date.fromisoformat(options["as_of"]) if options["as_of"] else clinic_date()
        except ValueError:
            self._fail(f"--as-of: not a date as YYYY-MM-DD: {options['as_of']!r}")
        try:
            draft = draft_rule_set(path=options["rules"], program=program.slug)
        except OSError as exc:
            self._fail(f"--rules: {options['rules']}: cannot be read: {exc.strerror}")
        except (DefinitionError, RuleError) as exc:
            self._fail(str(exc))
        current = rule_set_for(program.definition, program.content_hash)
        impact = screening_impact(
            current=current,
            draft=draft,
            program_id=program.version.program_id,
            as_of=as_of,
            sample=options["show"],
        )
        if options["format"] == "json":
            self.stdout.write(json.dumps(impact.as_dict(), indent=2))
            return
        self.stdout.write(
            f"{impact.program}: version {impact.current['version']} -> draft "
            f"{impact.draft['version']} ({impact.draft['hash'][:19]}), as of {impact.as_of}"
        )
        self.stdout.write(f"{impact.total} inquiries, {impact.changed_total} would change\n")
        self.stdout.write(f"{'current decision':<28}{'draft decision':<28}{'count':>8}")
        for row in impact.transitions:
            mark = "" if row["old"] == row["new"] else "  *"
            self.stdout.write(f"{row['old']:<28}{row['new']:<28}{row['count']:>8}{mark}")
        if impact.changed:
            self.stdout.write("\nchanged inquiries (newest first):")
            for row in impact.changed:
                self.stdout.write(f"  {row['reference']}  {row['old']} -> {row['new']}")

    def _fail(self, message: str) -> None:
        sys.stderr.write(message + "\n")
        sys.exit(2)
