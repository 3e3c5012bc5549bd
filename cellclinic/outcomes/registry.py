"""Registry import and export in the exchange format of programs.md section 7.

An import is all or nothing: every row of both files is checked first, every bad row and
column is reported, and nothing is written unless the whole import is good.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cellclinic.lib.bands import age_band, onset_band
from cellclinic.lib.instruments import INSTRUMENTS, TIMEPOINTS, BadValue, check_value
from cellclinic.outcomes.models import Assessment, RegistryChange, RegistryPatient
from cellclinic.outcomes.summary import summary_refresh
from cellclinic.programs.models import Program
from cellclinic.programs.schema import ProgramDefinition
from cellclinic.programs.selectors import program_get

PATIENT_COLUMNS = (
    "patient_id",
    "program",
    "subtype",
    "sex",
    "birth_date",
    "onset_date",
    "first_treatment",
    "last_treatment",
)
ASSESSMENT_COLUMNS = ("patient_id", "timepoint", "date", "instrument", "item", "value")
SEXES = ("female", "male", "other", "unknown")
CARE_PREFIX = "cc-"  # the clinic's own patients (outcomes.services.registry_sync_care)
PATIENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
BATCH = 5000

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class RowError:
    file: str
    row: int  # the line of the file (the header is line 1)
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: row {self.row}, column {self.column}: {self.message}"


@dataclass
class ImportResult:
    patients: int = 0
    assessments: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _date(text: str) -> date | None:
    if len(text) != 10:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _rows(
    handle: TextIO, name: str, columns: tuple[str, ...], errors: list[RowError]
) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.reader(handle)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        errors.append(RowError(name, 1, "header", f"not a CSV file: {exc}"))
        return
    if header is None or [h.strip() for h in header] != list(columns):
        errors.append(RowError(name, 1, "header", f"the header must be: {','.join(columns)}"))
        return
    number = 1
    while True:
        number += 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # a broken quote or a stray line break: cannot go on
            errors.append(RowError(name, number, "*", f"not valid CSV: {exc}"))
            return
        if not row:
            continue
        if len(row) != len(columns):
            errors.append(
                RowError(name, number, "*", f"{len(columns)} columns expected, found {len(row)}")
            )
            continue
        yield number, {c: v.strip() for c, v in zip(columns, row, strict=True)}


@dataclass
class _Programs:
    """The current definition of each program named in the files, looked up once."""

    found: dict[str, tuple[Program, ProgramDefinition] | None] = field(default_factory=dict)

    def get(self, slug: str) -> tuple[Program, ProgramDefinition] | None:
        if slug not in self.found:
            current = program_get(slug=slug) if slug else None
            if current is None or current.definition.outcomes is None:
                self.found[slug] = None
            else:
                self.found[slug] = (current.version.program, current.definition)
        return self.found[slug]


def registry_import(
    *, patients: TextIO, assessments: TextIO, progress: Progress | None = None
) -> ImportResult:
    """Check both files whole, then write everything in one transaction, or nothing."""
    result = ImportResult()
    errors = result.errors
    programs = _Programs()
    today = timezone.localdate()
    new_patients: dict[str, RegistryPatient] = {}
    lines: dict[str, int] = {}
    definitions: dict[str, ProgramDefinition] = {}
    for number, row in _rows(patients, "patients.csv", PATIENT_COLUMNS, errors):
        if progress and number % 10_000 == 0:
            progress("patients.csv", number, 0)
        patient = _check_patient(number, row, programs, today, errors)
        if patient is None:
            continue
        if patient.patient_id in new_patients:
            errors.append(RowError("patients.csv", number, "patient_id", "given twice in the file"))
            continue
        new_patients[patient.patient_id] = patient
        lines[patient.patient_id] = number
        found = programs.get(row["program"])
        assert found is not None  # nosec B101  # narrows the type for mypy, not a check of input
        definitions[patient.patient_id] = found[1]
    existing_ids = set(
        RegistryPatient.objects.filter(patient_id__in=list(new_patients)).values_list(
            "patient_id", flat=True
        )
    )
    for pid in sorted(existing_ids, key=lines.__getitem__):
        errors.append(RowError("patients.csv", lines[pid], "patient_id", "already in the registry"))
    known = _Known(births={pid: p.birth_date for pid, p in new_patients.items()}, ids={})
    new_assessments: list[tuple[str, Assessment]] = []
    seen: set[tuple[str, str, str, str]] = set()
    lines_of: dict[tuple[str, str, str, str], int] = {}
    for number, row in _rows(assessments, "assessments.csv", ASSESSMENT_COLUMNS, errors):
        if progress and number % 10_000 == 0:
            progress("assessments.csv", number, 0)
        checked = _check_assessment(number, row, known, definitions, today, errors)
        if checked is None:
            continue
        key = (row["patient_id"], row["timepoint"], row["instrument"], row["item"])
        if key in seen:
            errors.append(
                RowError(
                    "assessments.csv",
                    number,
                    "value",
                    "a second value for the same patient, time point, instrument and item",
                )
            )
            continue
        seen.add(key)
        new_assessments.append((row["patient_id"], checked))
        lines_of[key] = number
    stored_keys = _stored_keys(known.ids)
    for key in sorted(set(lines_of) & stored_keys, key=lines_of.__getitem__):
        errors.append(
            RowError("assessments.csv", lines_of[key], "value", "already in the registry")
        )
    if errors:
        return result
    with transaction.atomic():
        made = RegistryPatient.objects.bulk_create(list(new_patients.values()), batch_size=BATCH)
        ids = {p.patient_id: p.pk for p in made}  # primary keys come back (RETURNING)
        ids.update(known.ids)
        rows = []
        for pid, assessment in new_assessments:
            assessment.patient_id = ids[pid]
            rows.append(assessment)
        Assessment.objects.bulk_create(rows, batch_size=BATCH)
        summary_refresh(patient_ids={*ids.values()})
        RegistryChange.bump()
    result.patients = len(new_patients)
    result.assessments = len(new_assessments)
    return result


def _check_patient(
    number: int,
    row: dict[str, str],
    programs: _Programs,
    today: date,
    errors: list[RowError],
) -> RegistryPatient | None:
    before = len(errors)

    def bad(column: str, message: str) -> None:
        errors.append(RowError("patients.csv", number, column, message))

    if not PATIENT_ID.match(row["patient_id"]):
        bad("patient_id", "1 to 64 letters, digits, dots, dashes or underscores")
    elif row["patient_id"].startswith(CARE_PREFIX):
        bad("patient_id", f"ids starting with {CARE_PREFIX} are the clinic's own patients")
    found = programs.get(row["program"])
    definition = found[1] if found else None
    if definition is None:
        bad("program", "not a program with outcome measures")
    else:
        assert definition.outcomes is not None  # nosec B101  # narrows the type for mypy, not a check of input
        choices = definition.item(definition.outcomes.subtype_item).choices
        if row["subtype"] not in choices:
            bad("subtype", f"one of {', '.join(choices)}")
    if row["sex"] not in SEXES:
        bad("sex", f"one of {', '.join(SEXES)}")
    dates: dict[str, date | None] = {}
    for column in ("birth_date", "onset_date", "first_treatment", "last_treatment"):
        text = row[column]
        if not text:
            dates[column] = None
            continue
        parsed = _date(text)
        if parsed is None:
            bad(column, "a date as YYYY-MM-DD")
        elif parsed > today:
            bad(column, "in the future")
        dates[column] = parsed
    birth, onset = dates["birth_date"], dates["onset_date"]
    first, last = dates["first_treatment"], dates["last_treatment"]
    if not row["birth_date"]:
        bad("birth_date", "required")
    uses_onset = definition is not None and "onset_band" in (
        definition.outcomes.groupings if definition.outcomes else ()
    )
    if definition is not None and uses_onset and not row["onset_date"]:
        bad("onset_date", "required for this program")
    if definition is not None and not uses_onset and row["onset_date"]:
        bad("onset_date", "empty for this program")
    if birth and onset and onset < birth:
        bad("onset_date", "before the birth date")
    if last and not first:
        bad("first_treatment", "required when last_treatment is given")
    if birth and first and first < birth:
        bad("first_treatment", "before the birth date")
    if onset and first and first < onset:
        bad("first_treatment", "before the onset")
    if first and last and last < first:
        bad("last_treatment", "before first_treatment")
    if len(errors) > before or found is None or birth is None:
        return None
    return RegistryPatient(
        patient_id=row["patient_id"],
        program=found[0],
        subtype=row["subtype"],
        sex=row["sex"],
        birth_date=birth,
        onset_date=onset,
        first_treatment=first,
        last_treatment=last,
        age_band=age_band(birth, first) if first else "",
        onset_band=onset_band(onset, first) if onset and first else "",
    )


def _stored_keys(ids: dict[str, int]) -> set[tuple[str, str, str, str]]:
    """(patient, time point, instrument, item) already stored for patients in the registry."""
    by_pk = {pk: pid for pid, pk in ids.items()}
    keys: set[tuple[str, str, str, str]] = set()
    pks = list(by_pk)
    for start in range(0, len(pks), BATCH):
        for pk, timepoint, instrument, item in Assessment.objects.filter(
            patient_id__in=pks[start : start + BATCH]
        ).values_list("patient_id", "timepoint", "instrument", "item"):
            keys.add((by_pk[pk], timepoint, instrument, item))
    return keys


@dataclass
class _Known:
    """Patients an assessment row may name: new in this import or already stored."""

    births: dict[str, date]
    ids: dict[str, int]


def _check_assessment(
    number: int,
    row: dict[str, str],
    known: _Known,
    definitions: dict[str, ProgramDefinition],
    today: date,
    errors: list[RowError],
) -> Assessment | None:
    before = len(errors)

    def bad(column: str, message: str) -> None:
        errors.append(RowError("assessments.csv", number, column, message))

    pid = row["patient_id"]
    if pid not in known.births:
        stored = (
            RegistryPatient.objects.filter(patient_id=pid).select_related("program").first()
            if PATIENT_ID.match(pid)
            else None
        )
        if stored is None:
            bad("patient_id", "not in patients.csv nor in the registry")
        else:
            current = program_get(slug=stored.program.slug)
            if current is None or current.definition.outcomes is None:
                bad("patient_id", "the patient's program has no outcome measures")
            else:
                known.births[pid] = stored.birth_date
                known.ids[pid] = stored.pk
                definitions[pid] = current.definition
    if row["timepoint"] not in TIMEPOINTS:
        bad("timepoint", f"one of {', '.join(TIMEPOINTS)}")
    day = _date(row["date"])
    if day is None:
        bad("date", "a date as YYYY-MM-DD")
    elif day > today:
        bad("date", "in the future")
    elif pid in known.births and day < known.births[pid]:
        bad("date", "before the birth date")
    definition = definitions.get(pid)
    instrument = INSTRUMENTS.get(row["instrument"])
    value_text, score = "", 0.0
    if instrument is None:
        bad("instrument", f"one of {', '.join(INSTRUMENTS)}")
    elif definition is not None and definition.outcomes is not None:
        outcomes = definition.outcomes
        if instrument.id != "domain" and instrument.id not in outcomes.clinician_instruments:
            bad("instrument", f"not an instrument of {definition.id}")
        else:
            try:
                value_text, score = check_value(
                    instrument,
                    row["item"],
                    row["value"],
                    muscle_groups=outcomes.muscle_groups,
                    domains=tuple(d.id for d in outcomes.family_domains),
                )
            except BadValue as bad_value:
                bad(bad_value.field, bad_value.message)
    if len(errors) > before or day is None or instrument is None:
        return None
    return Assessment(
        timepoint=row["timepoint"],
        date=day,
        instrument=instrument.id,
        item=row["item"],
        value=value_text,
        score=score,
        source=Assessment.Source.IMPORT,
    )


# --- export ----------------------------------------------------------------------------------

TIMEPOINT_ORDER = {tp: i for i, tp in enumerate(TIMEPOINTS)}


def _pseudonym(patient_id: str) -> tuple[str, timedelta]:
    """A keyed pseudonym and a date shift for a de-identified export (intervals kept)."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"registry:{patient_id}".encode(), hashlib.sha256
    ).digest()
    shift = timedelta(days=int.from_bytes(digest[:2], "big") % 181 - 90)
    return "p-" + digest[2:12].hex(), shift


def registry_export(*, out: Path, deidentify: bool = False, program: str = "") -> tuple[int, int]:
    """Write patients.csv and assessments.csv in the import format. With `deidentify`, ids
    are keyed pseudonyms and every date of a patient moves by the same secret shift."""
    out.mkdir(parents=True, exist_ok=True)
    patients = RegistryPatient.objects.select_related("program").order_by("patient_id")
    if program:
        patients = patients.filter(program__slug=program)
    mapping: dict[int, tuple[str, timedelta]] = {}
    with (out / "patients.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(PATIENT_COLUMNS)
        count = 0
        rows = []
        for p in patients.iterator(chunk_size=BATCH):
            pid, shift = _pseudonym(p.patient_id) if deidentify else (p.patient_id, timedelta(0))
            mapping[p.pk] = (pid, shift)
            rows.append(
                [
                    pid,
                    p.program.slug,
                    p.subtype,
                    p.sex,
                    *(
                        (d + shift).isoformat() if d else ""
                        for d in (p.birth_date, p.onset_date, p.first_treatment, p.last_treatment)
                    ),
                ]
            )
            count += 1
        rows.sort(key=lambda r: r[0])
        writer.writerows(rows)
    assessments = Assessment.objects.filter(patient_id__in=list(mapping)).values_list(
        "patient_id", "timepoint", "date", "instrument", "item", "value"
    )
    lines = []
    for patient_pk, timepoint, day, instrument, item, value in assessments.iterator(
        chunk_size=BATCH
    ):
        pid, shift = mapping[patient_pk]
        lines.append(
            (
                pid,
                TIMEPOINT_ORDER[timepoint],
                instrument,
                item,
                timepoint,
                (day + shift).isoformat(),
                value,
            )
        )
    lines.sort()
    with (out / "assessments.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(ASSESSMENT_COLUMNS)
        writer.writerows(
            (pid, tp, day, ins, item, value) for pid, _o, ins, item, tp, day, value in lines
        )
    return count, len(lines)


def open_text(path: Path) -> TextIO:
    return path.open(newline="", encoding="utf-8-sig")
