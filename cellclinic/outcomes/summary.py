"""Keeps `OutcomeSummary` in step with the registry: one row per patient, recomputed from
the patient's row and assessments whenever either is written.

One `INSERT ... SELECT` with conditional aggregates per program (and per chunk of
patients), the same SQL on SQLite and PostgreSQL: a million patients are summarised in
seconds, where a Python loop over their assessments took minutes.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from cellclinic.outcomes.models import (
    SUMMARY_TIMEPOINTS,
    Assessment,
    OutcomeSummary,
    RegistryPatient,
)
from cellclinic.programs.selectors import program_list

CHUNK = 5000


def _measures() -> dict[int, str]:
    """The primary measure of each program with outcome measures, by program id."""
    return {
        current.version.program_id: current.definition.outcomes.improved.measure
        for current in program_list()
        if current.definition.outcomes is not None
    }


def _insert_select(where: str) -> str:
    summary = OutcomeSummary._meta.db_table
    patients = RegistryPatient._meta.db_table
    assessments = Assessment._meta.db_table
    scores = ", ".join(
        f"MAX(CASE WHEN a.instrument = %s AND a.item = '' AND a.timepoint = '{tp}' "
        f"THEN a.score END)"
        for tp in ("baseline", *SUMMARY_TIMEPOINTS)
    )
    family = ", ".join(
        f"COALESCE(MAX(CASE WHEN a.instrument = 'domain' AND a.timepoint = '{tp}' "
        f"THEN (CASE WHEN a.value = 'improved' THEN 2 ELSE 1 END) END), 0)"
        for tp in SUMMARY_TIMEPOINTS
    )
    columns = ", ".join(
        [
            "patient_id",
            "program_id",
            "measure",
            "treated",
            "subtype",
            "age_band",
            "onset_band",
            "gmfcs_baseline",
            "last_treatment",
            *(f"score_{tp}" for tp in ("baseline", *SUMMARY_TIMEPOINTS)),
            *(f"family_{tp}" for tp in SUMMARY_TIMEPOINTS),
        ]
    )
    return (
        f"INSERT INTO {summary} ({columns}) "  # noqa: S608 (names from the models, values bound)  # nosec B608
        f"SELECT p.id, p.program_id, %s, p.first_treatment IS NOT NULL, p.subtype, "
        f"p.age_band, p.onset_band, "
        f"COALESCE(MAX(CASE WHEN a.instrument = 'gmfcs' AND a.timepoint = 'baseline' "
        f"THEN a.value END), ''), p.last_treatment, {scores}, {family} "
        f"FROM {patients} p LEFT JOIN {assessments} a ON a.patient_id = p.id "
        f"WHERE p.program_id = %s AND {where} "
        f"GROUP BY p.id, p.program_id, p.first_treatment, p.last_treatment, p.subtype, "
        f"p.age_band, p.onset_band"
    )


def summary_refresh(
    *, patient_ids: Iterable[int] | None = None, program_id: int | None = None
) -> int:
    """Rewrite the summary rows of these patients, or of a whole program."""
    measures = _measures()
    table = OutcomeSummary._meta.db_table
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if patient_ids is None:
            programs = [program_id] if program_id is not None else list(measures)
            for pid in programs:
                measure = measures.get(pid, "")
                cursor.execute(f"DELETE FROM {table} WHERE program_id = %s", [pid])  # noqa: S608  # nosec B608  # table name from the model, value bound
                cursor.execute(_insert_select("1 = 1"), [measure, *[measure] * 6, pid])
                written += cursor.rowcount
            return written
        ids = sorted(set(patient_ids))
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {table} WHERE patient_id IN ({marks})", chunk)  # noqa: S608  # nosec B608  # table name from the model, values bound
            by_program: dict[int, list[int]] = {}
            for pk, pid in RegistryPatient.objects.filter(pk__in=chunk).values_list(
                "pk", "program_id"
            ):
                by_program.setdefault(pid, []).append(pk)
            for pid, members in by_program.items():
                measure = measures.get(pid, "")
                marks = ", ".join(["%s"] * len(members))
                cursor.execute(
                    _insert_select(f"p.id IN ({marks})"),
                    [measure, *[measure] * 6, pid, *members],
                )
                written += cursor.rowcount
    return written
