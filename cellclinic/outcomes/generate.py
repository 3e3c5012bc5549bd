"""Synthetic registries for tests, benchmarks and the demo: valid files in the exchange
format, in the order the export writes them, so an import and an export round-trip.

Nothing here is data about real patients; the demo labels what it loads as synthetic.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from cellclinic.outcomes.registry import ASSESSMENT_COLUMNS, PATIENT_COLUMNS
from cellclinic.programs.schema import ProgramDefinition

FOLLOW_UPS = (("m1", 1), ("m3", 3), ("m6", 6), ("m12", 12))


@dataclass(frozen=True)
class Files:
    patients: str
    assessments: str


def synthetic_registry(
    definition: ProgramDefinition,
    *,
    count: int,
    seed: int = 1,
    as_of: date,
    prefix: str = "",
    lost_share: float = 0.25,
    untreated_share: float = 0.05,
) -> Files:
    """`count` patients of one program with baseline and follow-up values of its
    instruments, some lost at each time point, some untreated, and family reports."""
    assert definition.outcomes is not None  # nosec B101  # narrows the type for mypy, not a check of input
    outcomes = definition.outcomes
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not secrets)  # nosec B311
    subtypes = definition.item(outcomes.subtype_item).choices
    uses_onset = "onset_band" in outcomes.groupings
    domains = [d.id for d in outcomes.family_domains]
    patients = io.StringIO()
    assessments = io.StringIO()
    p_writer = csv.writer(patients, lineterminator="\n")
    a_writer = csv.writer(assessments, lineterminator="\n")
    p_writer.writerow(PATIENT_COLUMNS)
    a_writer.writerow(ASSESSMENT_COLUMNS)
    width = len(str(count))
    for n in range(count):
        pid = f"{prefix}{definition.id[:2]}-{n:0{width}d}"
        first = as_of - timedelta(days=rng.randint(30, 900))
        if uses_onset:
            birth = first - timedelta(days=rng.randint(35 * 365, 85 * 365))
            onset = first - timedelta(days=rng.randint(20, 6 * 365))
        else:
            birth = first - timedelta(days=rng.randint(365, 25 * 365))
            onset = None
        treated = rng.random() >= untreated_share
        last = first + timedelta(days=18) if treated else None
        p_writer.writerow(
            [
                pid,
                definition.id,
                rng.choice(subtypes),
                rng.choice(("female", "male")),
                birth.isoformat(),
                onset.isoformat() if onset else "",
                first.isoformat() if treated else "",
                last.isoformat() if last else "",
            ]
        )
        rows: list[tuple[str, str, str, str, str]] = []
        measure = outcomes.improved.measure
        base = _value(measure, rng, None)
        if rng.random() > 0.05:  # a few have no baseline of the primary measure
            rows.append(("baseline", first.isoformat(), measure, "", _text(base)))
        if "gmfcs" in outcomes.clinician_instruments and rng.random() > 0.1:
            rows.append(("baseline", first.isoformat(), "gmfcs", "", str(rng.randint(1, 5))))
        if last is not None:
            for timepoint, months in FOLLOW_UPS:
                due = last + relativedelta(months=months)
                if due > as_of or rng.random() < lost_share:
                    continue
                day = (due + timedelta(days=rng.randint(-5, 5))).isoformat()
                rows.append((timepoint, day, measure, "", _text(_value(measure, rng, base))))
                if rng.random() < 0.6:
                    for domain in rng.sample(domains, k=min(3, len(domains))):
                        rows.append(
                            (
                                timepoint,
                                day,
                                "domain",
                                domain,
                                rng.choice(("improved", "same", "worse")),
                            )
                        )
        order = {"baseline": 0, "discharge": 1, "m1": 2, "m3": 3, "m6": 4, "m12": 5}
        for timepoint, day, instrument, item, value in sorted(
            rows, key=lambda r: (order[r[0]], r[2], r[3])
        ):
            a_writer.writerow([pid, timepoint, day, instrument, item, value])
    return Files(patients.getvalue(), assessments.getvalue())


def _value(measure: str, rng: random.Random, base: float | None) -> float:
    if measure == "gmfm66":
        if base is None:
            return round(rng.uniform(20, 80), 1)
        return round(min(100.0, max(0.0, base + rng.gauss(1.5, 2.5))), 1)
    if measure == "mrs":
        if base is None:
            return float(rng.randint(2, 5))
        return float(min(6, max(0, int(base) + rng.choice((-2, -1, -1, 0, 0, 1)))))
    raise ValueError(f"no generator for {measure}")


def _text(value: float | None) -> str:
    assert value is not None  # nosec B101  # narrows the type for mypy, not a check of input
    return str(int(value)) if value == int(value) else f"{value:g}"
