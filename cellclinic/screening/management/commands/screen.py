"""`cellclinic screen --program ID [--as-of YYYY-MM-DD] FILE`: screen one set of answers.

Prints the decision as JSON on stdout (exit 0). Malformed input: exit 2, nothing on
stdout, one line per bad field on stderr. Writes nothing to the database.
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand

from cellclinic.screening.api_input import screen_input
from cellclinic.screening.services import clinic_date


class Command(BaseCommand):
    help = "Screen one set of intake answers (a JSON object; '-' reads stdin)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--program", required=True, help="program id, e.g. stroke")
        parser.add_argument("--as-of", help="date for ages and intervals (default: today)")
        parser.add_argument("file", help="JSON file of answers keyed by item id, or -")

    def handle(self, *args: Any, **options: Any) -> None:
        errors: list[str] = []
        as_of = clinic_date()
        if options["as_of"]:
            try:
                as_of = date.fromisoformat(options["as_of"])
            except ValueError:
                errors.append(f"--as-of: not a date as YYYY-MM-DD: {options['as_of']!r}")
        try:
            if options["file"] == "-":
                text = sys.stdin.read()
            else:
                with open(options["file"], encoding="utf-8") as handle:
                    text = handle.read()
            answers = json.loads(text)
        except OSError as exc:
            errors.append(f"{options['file']}: cannot be read: {exc.strerror}")
        except (ValueError, UnicodeDecodeError) as exc:
            errors.append(f"{options['file']}: not valid JSON: {exc}")
        if errors:
            self._fail(errors)
        result = screen_input(program=options["program"], answers=answers, as_of=as_of)
        if result.outcome is None:
            self._fail([f"{e.field}: {e.message}" for e in result.errors])
        assert result.outcome is not None  # nosec B101  # narrows the type for mypy, not a check of input
        self.stdout.write(json.dumps(result.outcome.as_dict(), ensure_ascii=False, indent=2))

    def _fail(self, lines: list[str]) -> None:
        for line in lines:
            sys.stderr.write(line + "\n")
        sys.exit(2)
