"""`cellclinic outcomes --program ID --timepoint TP [--by FIELD] [--as-of YYYY-MM-DD]
[--format json|table]`.

The outcome table of programs.md section 6 as interfaces.md specifies it, as of a report
date (default: today at the clinic) that decides which patients are due.
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand

from cellclinic.outcomes.statistics import OutcomeError, outcome_table
from cellclinic.programs.selectors import program_get


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def render_table(table: dict[str, Any]) -> str:
    definition = table["definition"]
    lines = [
        f"{table['program']} at {table['timepoint']}"
        + (f" by {table['by']}" if table["by"] else "")
        + f"; improved: {definition['id']} v{definition['version']}"
        + f" ({definition['measure']} {definition['direction']} >= {definition['threshold']:g})"
        + f"; as of {table['as_of']}",
        f"{'group':<12} {'treated':>8} {'due':>6} {'not due':>8} {'assessed':>9} {'lost':>6} "
        f"{'improved':>9} {'rate':>7} {'95% CI':>17} {'worst case':>11}",
    ]
    for row in [*table["groups"], {**table["overall"], "group": "overall"}]:
        ci = row["ci95"]
        lines.append(
            f"{row['group']:<12} {row['treated']:>8} {row['due']:>6} {row['not_yet_due']:>8} "
            f"{row['assessed']:>9} {row['lost']:>6} "
            f"{row['improved']:>9} {_pct(row['rate']):>7} "
            f"{(_pct(ci[0]) + ' – ' + _pct(ci[1])) if ci else '—':>17} "
            f"{_pct(row['worst_case_rate']):>11}"
        )
    family = table["family_reported"]["overall"]
    lines.append(
        f"family-reported, any domain improved (not the pre-registered measure): "
        f"{family['any_domain_improved']}/{family['reported']} ({_pct(family['rate'])})"
    )
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Print the outcome table of a program at a time point, optionally grouped."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--program", required=True, help="program id, e.g. stroke")
        parser.add_argument("--timepoint", required=True, help="discharge, m1, m3, m6 or m12")
        parser.add_argument(
            "--by", default=None, help="subtype, age_band, onset_band (stroke) or gmfcs (CP)"
        )
        parser.add_argument(
            "--as-of",
            help="report date YYYY-MM-DD: who is due is decided at it (default: today)",
        )
        parser.add_argument("--format", choices=("json", "table"), default="json")

    def handle(self, *args: Any, **options: Any) -> None:
        program = program_get(slug=options["program"])
        if program is None:
            sys.stderr.write(f"--program: there is no program {options['program']!r}\n")
            sys.exit(2)
        as_of = None
        if options["as_of"]:
            try:
                as_of = date.fromisoformat(options["as_of"])
            except ValueError:
                sys.stderr.write(f"--as-of: not a date as YYYY-MM-DD: {options['as_of']!r}\n")
                sys.exit(2)
        try:
            table = outcome_table(
                program=program, timepoint=options["timepoint"], by=options["by"], as_of=as_of
            )
        except OutcomeError as exc:
            sys.stderr.write(f"{exc}\n")
            sys.exit(2)
        if options["format"] == "table":
            self.stdout.write(render_table(table))
        else:
            self.stdout.write(json.dumps(table, ensure_ascii=False, indent=2))
