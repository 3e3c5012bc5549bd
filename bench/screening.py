"""Benchmark: impact analysis of a changed cerebral palsy rule set over N stored inquiries.

figure:   `screening_impact` end to end from the database (both rule sets compiled to one
          SQL query over the stored answers; transition counts and the changed list).
baseline: a hand-written Python function of the same rules (published and changed),
          applied to the same answers already in memory, counting the same transitions.

    .venv/bin/python bench/screening.py [--quick] [--size N]

Uses a fresh SQLite file in a temporary directory, or DATABASE_URL when it is set
(the benchmark's tables are made in a test database and dropped after).
Prints details, then one JSON line: {"bench", "size", "figure", "unit", "baseline", "ratio"}.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py would shadow the standard library's `queue` for every script here: take
# this folder off the import path before anything imports `queue`.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from collections import Counter
from datetime import date
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cellclinic.lib.benchmarks import result_line  # noqa: E402 (needs ROOT on the path)

AS_OF = date(2026, 11, 23)
PHYSICAL = {"motor", "muscle_tone", "coordination", "feeding", "drooling", "vision"}
GOALS = [
    "motor",
    "muscle_tone",
    "coordination",
    "feeding",
    "drooling",
    "vision",
    "speech_language",
    "cognition",
]


def generate(rng: random.Random) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "contact.name": "Bench Family",
        "contact.email": "bench@example.org",
        "contact.country": rng.choice(["CN", "RU", "ES", "SA", "GB", "KZ", "MX"]),
        "patient.name": "Bench Patient",
        "consent.data_processing": True,
    }

    def maybe(item: str, value: Any, p: float = 0.9) -> None:
        if rng.random() < p:
            answers[item] = value

    maybe(
        "patient.birth_date",
        date(rng.randint(1990, 2025), rng.randint(1, 12), rng.randint(1, 28)).isoformat(),
        0.97,
    )
    maybe("cp.diagnosis", rng.choice(["confirmed"] * 8 + ["suspected", "none"]))
    maybe("cp.type", rng.choice(["spastic", "dyskinetic", "ataxic", "atonic", "mixed", "unknown"]))
    maybe("cp.gmfcs_level", rng.choice(["1", "2", "3", "4", "5", "unknown"]))
    epilepsy = rng.choice(["none"] * 5 + ["controlled"] * 3 + ["uncontrolled", "unknown"])
    maybe("cp.epilepsy", epilepsy)
    if answers.get("cp.epilepsy") == "controlled":
        maybe("cp.seizure_free_months", rng.randint(0, 36), 0.8)
    maybe("cp.hydrocephalus", rng.choice(["no"] * 8 + ["yes", "unknown"]))
    maybe(
        "cp.intellectual_disability",
        rng.choice(["none", "mild", "moderate", "severe", "unknown"]),
        0.7,
    )
    maybe("cp.fine_motor", rng.choice(["intact", "impaired", "unknown"]), 0.7)
    maybe("cp.autism", rng.random() < 0.15, 0.6)
    maybe("cp.adhd", rng.random() < 0.15, 0.6)
    maybe("cp.goals", sorted(rng.sample(GOALS, rng.randint(1, 4)), key=GOALS.index), 0.85)
    maybe("cp.rehabilitation", rng.random() < 0.7, 0.8)
    return answers


def hand_written(a: dict[str, Any], seizure_limit: int) -> str:
    """The cerebral palsy rules of programs.md section 4, written out by hand.

    `seizure_limit` is 6 for the published rules and 12 for the changed ones.
    """
    decisions = []
    for item in ("patient.birth_date", "cp.diagnosis", "cp.epilepsy", "cp.hydrocephalus"):
        if a.get(item) is None:
            decisions.append(1)
    epilepsy, months = a.get("cp.epilepsy"), a.get("cp.seizure_free_months")
    if epilepsy == "uncontrolled":
        decisions.append(3)
    if epilepsy == "controlled" and months is not None:
        decisions.append(3 if months <= seizure_limit else 1)
    if epilepsy == "unknown" or (epilepsy == "controlled" and months is None):
        decisions.append(1)
    hydro = a.get("cp.hydrocephalus")
    if hydro == "yes":
        decisions.append(3)
    elif hydro == "unknown":
        decisions.append(1)
    goals = a.get("cp.goals")
    if (
        a.get("cp.intellectual_disability") == "severe"
        and a.get("cp.fine_motor") == "intact"
        and goals is not None
        and "cognition" in goals
        and not PHYSICAL.intersection(goals)
    ):
        decisions.append(2)
    diagnosis, autism, adhd = a.get("cp.diagnosis"), a.get("cp.autism"), a.get("cp.adhd")
    if diagnosis == "suspected":
        decisions.append(1)
    if diagnosis == "none" and (autism is True or adhd is True):
        decisions.append(2)
    if diagnosis == "none" and autism is False and adhd is False:
        decisions.append(3)
    return ["eligible_for_consultation", "specialist_review", "not_recommended", "not_eligible"][
        max(decisions, default=0)
    ]


def baseline_run(answers: list[tuple[str, dict[str, Any]]]) -> tuple[Counter, list[str]]:
    transitions: Counter = Counter()
    changed = []
    for reference, a in answers:
        old, new = hand_written(a, 6), hand_written(a, 12)
        transitions[(old, new)] += 1
        if old != new:
            changed.append(reference)
    return transitions, changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 inquiries (for CI)")
    parser.add_argument("--size", type=int, help="number of inquiries (default 100,000)")
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    size = options.size or (5_000 if options.quick else 100_000)

    workdir = tempfile.mkdtemp(prefix="cellclinic-bench-")
    os.environ["CELLCLINIC_DATA_DIR"] = workdir
    os.environ["DJANGO_SETTINGS_MODULE"] = "cellclinic.settings"
    import django

    django.setup()
    from django.db import connection

    if connection.vendor == "sqlite":  # a real file, as in the embedded default
        connection.settings_dict["TEST"]["NAME"] = str(Path(workdir) / "bench.sqlite3")
    from django.test.utils import setup_test_environment

    setup_test_environment()
    test_db = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        run(size, options.repeat, workdir, connection.vendor, test_db)
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


def run(size: int, repeat: int, workdir: str, vendor: str, test_db: str) -> None:
    from cellclinic.inquiries.models import Inquiry
    from cellclinic.lib.references import new_reference
    from cellclinic.programs.loader import DEFINITIONS_DIR
    from cellclinic.programs.selectors import program_get
    from cellclinic.screening.engine import rule_set_for
    from cellclinic.screening.services import draft_rule_set, screening_impact

    program = program_get(slug="cerebral-palsy")
    assert program is not None
    rng = random.Random(20261123)
    answers = [(new_reference(), generate(rng)) for _ in range(size)]
    started = time.perf_counter()
    for start in range(0, size, 5000):
        Inquiry.objects.bulk_create(
            [
                Inquiry(
                    reference=reference,
                    program_id=program.version.program_id,
                    program_version=program.version,
                    answers=a,
                    language="en",
                    reply_language="en",
                    contact_name="Bench Family",
                    contact_email="bench@example.org",
                    patient_name="Bench Patient",
                    country=a["contact.country"],
                    source="api",
                )
                for reference, a in answers[start : start + 5000]
            ]
        )
    print(f"stored {size} inquiries on {vendor} in {time.perf_counter() - started:.1f} s")

    draft_path = Path(workdir) / "cerebral-palsy-draft.yaml"
    text = (DEFINITIONS_DIR / "cerebral-palsy.yaml").read_text()
    text = text.replace(
        "{item: cp.seizure_free_months, lte: 6}", "{item: cp.seizure_free_months, lte: 12}"
    )
    text = text.replace(
        "{item: cp.seizure_free_months, gt: 6}", "{item: cp.seizure_free_months, gt: 12}"
    )
    text = text.replace('version: "', 'version: "draft-', 1)
    draft_path.write_text(text)
    current = rule_set_for(program.definition, program.content_hash)
    draft = draft_rule_set(path=draft_path, program="cerebral-palsy")

    figures, impact = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        impact = screening_impact(
            current=current, draft=draft, program_id=program.version.program_id, as_of=AS_OF
        )
        figures.append(time.perf_counter() - started)
    baselines, expected = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        expected = baseline_run(answers)
        baselines.append(time.perf_counter() - started)
    assert impact is not None and expected is not None
    got = Counter({(t["old"], t["new"]): t["count"] for t in impact.transitions})
    if got != expected[0] or impact.changed_total != len(expected[1]):
        raise SystemExit(
            f"the impact analysis disagrees with the hand-written rules: {got} != {expected[0]}"
        )

    single_answers = answers[0][1]
    started = time.perf_counter()
    for _ in range(2000):
        current.screen(single_answers, as_of=AS_OF)
    single_us = (time.perf_counter() - started) / 2000 * 1e6
    print(
        f"{impact.changed_total} of {impact.total} decisions change; "
        "transitions agree with the hand-written rules"
    )
    print(f"one single screening (compiled Python): {single_us:.1f} µs")
    figure, baseline = statistics.median(figures), statistics.median(baselines)
    print(
        f"impact analysis {figure:.3f} s (runs {', '.join(f'{f:.3f}' for f in figures)}); "
        f"hand-written in memory {baseline:.3f} s"
    )
    print(json.dumps(result_line("screening", size, figure, baseline, "s")))


if __name__ == "__main__":
    main()
