"""Benchmark: the outcome table of one program, time point and grouping over a registry.

figure:   median time of `outcome_table` (cerebral palsy, m12, by baseline GMFCS level) with
          N registry patients and about 6 assessments each (default 1,000,000; --quick 20,000).
baseline: one hand-written SQL query computing the same counts (treated, assessed,
          improved, and the family-reported counts) on the same database, same run, over
          the same per-patient summary table; the same counts by joins over the raw
          registry tables are timed too, for information.
Also printed: the public program page's 95th-percentile server time (cached figures).
Run it on PostgreSQL with DATABASE_URL=postgres://...; without it, SQLite.

    .venv/bin/python bench/outcomes.py [--quick] [--size N] [--repeat R]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from datetime import date, timedelta

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cellclinic.lib.benchmarks import result_line  # noqa: E402 (needs ROOT on the path)

HAND_WRITTEN = """
SELECT COALESCE(NULLIF(s.gmfcs_baseline, ''), 'unknown') AS grp,
       COUNT(*) AS treated,
       SUM(CASE WHEN s.score_baseline IS NOT NULL AND s.score_m12 IS NOT NULL THEN 1 ELSE 0 END),
       SUM(CASE WHEN s.score_m12 - s.score_baseline >= %s THEN 1 ELSE 0 END),
       SUM(CASE WHEN s.family_m12 >= 1 THEN 1 ELSE 0 END),
       SUM(CASE WHEN s.family_m12 = 2 THEN 1 ELSE 0 END)
FROM outcomes_outcomesummary s
WHERE s.program_id = %s AND s.treated
GROUP BY COALESCE(NULLIF(s.gmfcs_baseline, ''), 'unknown')
"""
# The same counts straight from the registry tables, without the summary (for information).
FROM_RAW_TABLES = """
SELECT COALESCE(g.value, 'unknown') AS grp,
       COUNT(*) AS treated,
       SUM(CASE WHEN b.id IS NOT NULL AND t.id IS NOT NULL THEN 1 ELSE 0 END) AS assessed,
       SUM(CASE WHEN b.id IS NOT NULL AND t.id IS NOT NULL AND t.score - b.score >= %s
                THEN 1 ELSE 0 END) AS improved,
       SUM(CASE WHEN EXISTS (SELECT 1 FROM outcomes_assessment d WHERE d.patient_id = p.id
                AND d.timepoint = %s AND d.instrument = 'domain') THEN 1 ELSE 0 END) AS reported,
       SUM(CASE WHEN EXISTS (SELECT 1 FROM outcomes_assessment d WHERE d.patient_id = p.id
                AND d.timepoint = %s AND d.instrument = 'domain' AND d.value = 'improved')
                THEN 1 ELSE 0 END) AS family_improved
FROM outcomes_registrypatient p
LEFT JOIN outcomes_assessment b ON b.patient_id = p.id AND b.timepoint = 'baseline'
     AND b.instrument = 'gmfm66' AND b.item = ''
LEFT JOIN outcomes_assessment t ON t.patient_id = p.id AND t.timepoint = %s
     AND t.instrument = 'gmfm66' AND t.item = ''
LEFT JOIN outcomes_assessment g ON g.patient_id = p.id AND g.timepoint = 'baseline'
     AND g.instrument = 'gmfcs' AND g.item = ''
WHERE p.program_id = %s AND p.first_treatment IS NOT NULL
GROUP BY COALESCE(g.value, 'unknown')
"""
DOMAINS = ("muscle_tone", "strength", "motor_function", "coordination", "language")


def rows_for(start: int, count: int, program_id: int, rng: random.Random):
    """Registry patients and their assessments as plain tuples (ids given here)."""
    today = date(2026, 11, 1)
    patients, assessments = [], []
    aid = start * 8
    for pid in range(start + 1, start + count + 1):
        first = today - timedelta(days=rng.randint(400, 1500))
        birth = first - timedelta(days=rng.randint(400, 6000))
        treated = rng.random() > 0.03
        last = first + timedelta(days=18)
        patients.append(
            (
                pid,
                f"b{pid:07d}",
                program_id,
                rng.choice(("spastic", "mixed", "ataxic")),
                "male",
                birth,
                first if treated else None,
                last if treated else None,
            )
        )
        base = round(rng.uniform(20, 80), 1)
        values = [("baseline", "gmfm66", "", str(base), base)]
        if rng.random() > 0.1:
            level = rng.randint(1, 5)
            values.append(("baseline", "gmfcs", "", str(level), float(level)))
        for timepoint in ("m1", "m3", "m6", "m12"):
            if rng.random() < 0.2:
                continue
            score = round(base + rng.gauss(1.5, 2.5), 1)
            values.append((timepoint, "gmfm66", "", str(score), score))
        if rng.random() < 0.3:
            domain = rng.choice(DOMAINS)
            answer = rng.choice(("improved", "same", "worse"))
            values.append(
                (
                    "m12",
                    "domain",
                    domain,
                    answer,
                    {"improved": 1.0, "same": 0.0, "worse": -1.0}[answer],
                )
            )
        for timepoint, instrument, item, value, score in values:
            aid += 1
            assessments.append(
                (aid, pid, timepoint, first, instrument, item, value, score, "import")
            )
    return patients, assessments


def fill(size: int, program_id: int, seed: int) -> int:
    from django.db import connection
    from django.utils import timezone

    rng = random.Random(seed)
    now = timezone.now()
    total = 0
    for start in range(0, size, 50_000):
        patients, assessments = rows_for(start, min(50_000, size - start), program_id, rng)
        total += len(assessments)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.copy(
                    "COPY outcomes_registrypatient (id, patient_id, program_id, subtype, sex, "
                    "birth_date, first_treatment, last_treatment, age_band, onset_band) FROM STDIN"
                ) as copy:
                    for p in patients:
                        copy.write_row((*p, "5_11", ""))
                with cursor.copy(
                    "COPY outcomes_assessment (id, patient_id, timepoint, date, instrument, item, "
                    "value, score, source, recorded_at) FROM STDIN"
                ) as copy:
                    for a in assessments:
                        copy.write_row((*a, now))
            else:
                cursor.executemany(
                    "INSERT INTO outcomes_registrypatient (id, patient_id, program_id, subtype, "
                    "sex, birth_date, first_treatment, last_treatment, age_band, onset_band) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '5_11', '')",
                    patients,
                )
                cursor.executemany(
                    "INSERT INTO outcomes_assessment (id, patient_id, timepoint, date, instrument, "
                    "item, value, score, source, recorded_at) VALUES (%s, %s, %s, %s, %s, %s, %s, "
                    "%s, %s, %s)",
                    [(*a, now) for a in assessments],
                )
    from cellclinic.outcomes.models import RegistryChange
    from cellclinic.outcomes.summary import summary_refresh

    summary_refresh(program_id=program_id)  # as every registry write does for its patients
    RegistryChange.bump()
    with connection.cursor() as cursor:  # as autovacuum would, soon after a bulk load
        cursor.execute("ANALYZE")
    return total


def hand_written(program_id: int, threshold: float) -> dict[str, tuple[int, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(HAND_WRITTEN, [threshold - 1e-9, program_id])
        return {str(r[0]): tuple(int(v or 0) for v in r[1:]) for r in cursor.fetchall()}


def from_raw_tables(program_id: int, threshold: float) -> dict[str, tuple[int, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(FROM_RAW_TABLES, [threshold - 1e-9, "m12", "m12", "m12", program_id])
        return {str(r[0]): tuple(int(v or 0) for v in r[1:]) for r in cursor.fetchall()}


def timed(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 patients (for CI)")
    parser.add_argument("--size", type=int)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--keepdb", action="store_true", help="keep the test database and its data between runs"
    )
    options = parser.parse_args()
    size = options.size or (20_000 if options.quick else 1_000_000)
    workdir = tempfile.mkdtemp(prefix="cellclinic-bench-")
    os.environ["CELLCLINIC_DATA_DIR"] = workdir
    os.environ["DJANGO_SETTINGS_MODULE"] = "cellclinic.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(Path(workdir) / "bench.sqlite3")
    test_db = connection.creation.create_test_db(verbosity=0, keepdb=options.keepdb)
    try:
        from cellclinic.outcomes.statistics import outcome_rows
        from cellclinic.programs.selectors import program_get

        program = program_get(slug="cerebral-palsy")
        assert program is not None and program.definition.outcomes is not None
        threshold = program.definition.outcomes.improved.threshold
        from cellclinic.outcomes.models import Assessment, RegistryPatient

        started = time.perf_counter()
        if options.keepdb and RegistryPatient.objects.count() == size:
            assessments = Assessment.objects.count()  # kept from an earlier run
        else:
            RegistryPatient.objects.all().delete()
            assessments = fill(size, program.version.program_id, 1)
        print(
            f"stored {size} patients and {assessments} assessments on {connection.vendor} "
            f"in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )

        def table():
            return outcome_rows(program=program, timepoint="m12", by="gmfcs")

        ours = {
            r.group: (r.treated, r.assessed, r.improved, r.family_reported, r.family_improved)
            for r in table()
            if r.treated
        }
        theirs = hand_written(program.version.program_id, threshold)
        raw = from_raw_tables(program.version.program_id, threshold)
        assert ours == theirs == raw, (ours, theirs, raw)  # the same counts, or no timing
        figure = timed(table, options.repeat)
        base = timed(lambda: hand_written(program.version.program_id, threshold), options.repeat)
        raw_time = timed(lambda: from_raw_tables(program.version.program_id, threshold), 1)
        client = Client()
        client.get("/programs/cerebral-palsy/")  # computes and caches the public figures
        pages = []
        for _ in range(max(20, options.repeat * 4)):
            begun = time.perf_counter()
            assert client.get("/programs/cerebral-palsy/").status_code == 200
            pages.append((time.perf_counter() - begun) * 1000)
        pages.sort()
        p95 = pages[min(len(pages) - 1, int(0.95 * len(pages)))]
    finally:
        if not options.keepdb:
            connection.creation.destroy_test_db(test_db, verbosity=0)
    print(
        f"outcome table (m12 by gmfcs): {figure * 1000:.1f} ms; hand-written SQL: {base * 1000:.1f} ms; "
        f"public program page p95: {p95:.1f} ms ({connection.vendor}, {size} patients); "
        f"the same counts by joins over the raw registry tables: {raw_time * 1000:.1f} ms"
    )
    print(json.dumps(result_line("outcomes", size, figure, base, "s")))


if __name__ == "__main__":
    main()
