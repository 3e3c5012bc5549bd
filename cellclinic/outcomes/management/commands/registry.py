"""`cellclinic registry import|export`: the registry exchange files of programs.md section 7.

    cellclinic registry import --patients P.csv --assessments A.csv
    cellclinic registry export --out DIR [--deidentified] [--program ID]

An import is all or nothing: with any bad row it prints every bad row and column on
stderr, writes nothing and exits 2. Large files show a progress bar on stderr.
"""

from __future__ import annotations

import os
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from cellclinic.outcomes.registry import open_text, registry_export, registry_import


def count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


class ProgressBar:
    """A progress bar on stderr: redrawn in place on a terminal, a line per tenth otherwise."""

    def __init__(self, totals: dict[str, int]) -> None:
        self.totals = totals
        self.shown: dict[str, int] = {}
        self.tty = sys.stderr.isatty()

    def __call__(self, name: str, done: int, _total: int) -> None:
        total = max(self.totals.get(name, 1), 1)
        share = min(done / total, 1.0)
        if self.tty:
            filled = int(share * 30)
            sys.stderr.write(f"\r{name}: [{'#' * filled}{'.' * (30 - filled)}] {share:4.0%}")
            sys.stderr.flush()
        elif int(share * 10) > self.shown.get(name, -1):
            self.shown[name] = int(share * 10)
            sys.stderr.write(f"{name}: {share:.0%} checked ({done:,} rows)\n")

    def finish(self) -> None:
        if self.tty:
            sys.stderr.write("\n")


class Command(BaseCommand):
    help = "Import or export the outcome registry (patients.csv and assessments.csv)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        load = commands.add_parser("import", help="import both files, all or nothing")
        load.add_argument("--patients", required=True, type=Path, help="patients.csv")
        load.add_argument("--assessments", required=True, type=Path, help="assessments.csv")
        dump = commands.add_parser("export", help="write patients.csv and assessments.csv")
        dump.add_argument("--out", required=True, type=Path, help="a directory")
        dump.add_argument(
            "--deidentified",
            action="store_true",
            help="keyed pseudonyms for ids; each patient's dates moved by one secret shift",
        )
        dump.add_argument("--program", default="", help="only this program")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            patient_count, assessment_count = registry_export(
                out=options["out"], deidentify=options["deidentified"], program=options["program"]
            )
            self.stderr.write(
                f"wrote {patient_count} patients and {assessment_count} assessments "
                f"to {options['out']}"
            )
            return
        paths = {"patients.csv": options["patients"], "assessments.csv": options["assessments"]}
        for path in paths.values():
            if not os.access(path, os.R_OK) or not path.is_file():
                sys.stderr.write(f"{path}: cannot be read\n")
                sys.exit(2)
        bar = ProgressBar({name: count_lines(path) for name, path in paths.items()})
        with (
            open_text(paths["patients.csv"]) as patients,
            open_text(paths["assessments.csv"]) as assessments,
        ):
            try:
                result = registry_import(patients=patients, assessments=assessments, progress=bar)
            except UnicodeDecodeError as exc:
                bar.finish()
                sys.stderr.write(f"the files must be UTF-8 text: {exc}\n")
                sys.exit(2)
        bar.finish()
        if not result.ok:
            for error in result.errors:
                sys.stderr.write(f"{error}\n")
            count = len(result.errors)
            sys.stderr.write(
                f"{count} {'error' if count == 1 else 'errors'}: nothing was imported\n"
            )
            sys.exit(2)
        self.stdout.write(
            f"imported {result.patients} patients and {result.assessments} assessments"
        )
