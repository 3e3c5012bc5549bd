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

from cellclinic.outcomes.registry import ASSESSMENT_COLUMNS, PATIENT_COLUMNS, TIMEPOINT_ORDER
from cellclinic.programs.schema import ProgramDefinition

FOLLOW_UPS = (("m1", 1), ("m3", 3), ("m6", 6), ("m12", 12))


@dataclass(frozen=True)
class Files:
    patients: str
    assessments: str


# One row of assessments.csv without the patient: time point, date, instrument, item, value.
Row = tuple[str, str, str, str, str]


@dataclass(frozen=True)
class _Assessments:
    """Draws each patient's assessments of one program: the primary measure, the GMFCS level
    where the program records it, and the family's report on a few domains."""

    rng: random.Random
    measure: str
    gmfcs: bool
    domains: list[str]
    as_of: date
    lost_share: float

    def rows(self, first: date, last: date | None) -> list[Row]:
        """The baseline and, for a treated patient, the follow-ups due by `as_of`, in the
        order the export writes them."""
        rng = self.rng
        rows: list[Row] = []
        base = _value(self.measure, rng, None)
        if rng.random() > 0.05:  # a few have no baseline of the primary measure
            rows.append(("baseline", first.isoformat(), self.measure, "", _text(base)))
        if self.gmfcs and rng.random() > 0.1:
            rows.append(("baseline", first.isoformat(), "gmfcs", "", str(rng.randint(1, 5))))
        if last is not None:
            rows += self._follow_ups(last, base)
        return sorted(rows, key=lambda r: (TIMEPOINT_ORDER[r[0]], r[2], r[3]))

    def _follow_ups(self, last: date, base: float) -> list[Row]:
        """The follow-ups due by `as_of` and not lost, most with the family's report on up to
        three domains."""
        rng = self.rng
        rows: list[Row] = []
        for timepoint, months in FOLLOW_UPS:
            due = last + relativedelta(months=months)
            if due > self.as_of or rng.random() < self.lost_share:
                continue
            day = (due + timedelta(days=rng.randint(-5, 5))).isoformat()
            rows.append((timepoint, day, self.measure, "", _text(_value(self.measure, rng, base))))
            if rng.random() < 0.6:
                rows += [
                    (timepoint, day, "domain", domain, rng.choice(("improved", "same", "worse")))
                    for domain in rng.sample(self.domains, k=min(3, len(self.domains)))
                ]
        return rows


def _birth_and_onset(
    rng: random.Random, first: date, *, uses_onset: bool
) -> tuple[date, date | None]:
    """A birth date, an adult's where the program records the onset (then drawn too), else
    a child's."""
    if uses_onset:
        birth = first - timedelta(days=rng.randint(35 * 365, 85 * 365))
        return birth, first - timedelta(days=rng.randint(20, 6 * 365))
    return first - timedelta(days=rng.randint(365, 25 * 365)), None


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
    drawn = _Assessments(
        rng=rng,
        measure=outcomes.improved.measure,
        gmfcs="gmfcs" in outcomes.clinician_instruments,
        domains=[d.id for d in outcomes.family_domains],
        as_of=as_of,
        lost_share=lost_share,
    )
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
        birth, onset = _birth_and_onset(rng, first, uses_onset=uses_onset)
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
        a_writer.writerows([pid, *row] for row in drawn.rows(first, last))
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
