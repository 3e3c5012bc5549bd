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
from typing import Any, TextIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from cellclinic.lib.bands import age_band, onset_band
from cellclinic.lib.instruments import INSTRUMENTS, TIMEPOINTS, BadValue, Instrument, check_value
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
PATIENT_DATES = ("birth_date", "onset_date", "first_treatment", "last_treatment")
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
    today = timezone.localdate()
    new_patients, definitions = _read_patients(patients, today, errors, progress)
    known = _Known(births={pid: p.birth_date for pid, p in new_patients.items()}, ids={})
    new_assessments = _read_assessments(assessments, known, definitions, today, errors, progress)
    if errors:
        return result
    _write(new_patients, new_assessments, known.ids)
    result.patients = len(new_patients)
    result.assessments = len(new_assessments)
    return result


def _read_patients(
    handle: TextIO, today: date, errors: list[RowError], progress: Progress | None
) -> tuple[dict[str, RegistryPatient], dict[str, ProgramDefinition]]:
    """The good patients of patients.csv by id, and the definition of each one's program;
    the bad rows, an id given twice and an id already in the registry go to `errors`."""
    programs = _Programs()
    new_patients: dict[str, RegistryPatient] = {}
    lines: dict[str, int] = {}
    definitions: dict[str, ProgramDefinition] = {}
    for number, row in _rows(handle, "patients.csv", PATIENT_COLUMNS, errors):
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
    return new_patients, definitions


def _read_assessments(
    handle: TextIO,
    known: _Known,
    definitions: dict[str, ProgramDefinition],
    today: date,
    errors: list[RowError],
    progress: Progress | None,
) -> list[tuple[str, Assessment]]:
    """The good assessments of assessments.csv with their patient's id; the bad rows, a
    second value of the same item and one already in the registry go to `errors`."""
    new_assessments: list[tuple[str, Assessment]] = []
    seen: set[tuple[str, str, str, str]] = set()
    lines_of: dict[tuple[str, str, str, str], int] = {}
    for number, row in _rows(handle, "assessments.csv", ASSESSMENT_COLUMNS, errors):
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
    return new_assessments


def _write(
    new_patients: dict[str, RegistryPatient],
    new_assessments: list[tuple[str, Assessment]],
    stored_ids: dict[str, int],
) -> None:
    """Store the new patients and the assessments (of new and stored patients) at once."""
    with transaction.atomic():
        made = RegistryPatient.objects.bulk_create(list(new_patients.values()), batch_size=BATCH)
        ids = {p.patient_id: p.pk for p in made}  # primary keys come back (RETURNING)
        ids.update(stored_ids)
        rows = []
        for pid, assessment in new_assessments:
            assessment.patient_id = ids[pid]
            rows.append(assessment)
        Assessment.objects.bulk_create(rows, batch_size=BATCH)
        summary_refresh(patient_ids={*ids.values()})
        RegistryChange.bump()


class PatientRow(BaseModel):
    """One row of patients.csv, each column checked on its own (pydantic reports every bad
    column). The validation context gives `programs` (a `_Programs`) and `today`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    patient_id: str
    program: str
    subtype: str
    sex: str
    birth_date: date | None
    onset_date: date | None
    first_treatment: date | None
    last_treatment: date | None

    @field_validator("patient_id")
    @classmethod
    def _patient_id(cls, value: str) -> str:
        if not PATIENT_ID.match(value):
            raise _row_error("1 to 64 letters, digits, dots, dashes or underscores")
        if value.startswith(CARE_PREFIX):
            raise _row_error(f"ids starting with {CARE_PREFIX} are the clinic's own patients")
        return value

    @field_validator("program")
    @classmethod
    def _program(cls, value: str, info: ValidationInfo) -> str:
        if _definition(info, value) is None:
            raise _row_error("not a program with outcome measures")
        return value

    @field_validator("subtype")
    @classmethod
    def _subtype(cls, value: str, info: ValidationInfo) -> str:
        definition = _definition(info, info.data.get("program"))
        if definition is not None and definition.outcomes is not None:
            choices = definition.item(definition.outcomes.subtype_item).choices
            if value not in choices:
                raise _row_error(f"one of {', '.join(choices)}")
        return value

    @field_validator("sex")
    @classmethod
    def _sex(cls, value: str) -> str:
        if value not in SEXES:
            raise _row_error(f"one of {', '.join(SEXES)}")
        return value

    @field_validator(*PATIENT_DATES, mode="before")
    @classmethod
    def _a_date(cls, value: str, info: ValidationInfo) -> date | None:
        if not value:
            return None
        parsed = _date(value)
        if parsed is None:
            raise _row_error("a date as YYYY-MM-DD")
        if parsed > _context(info)["today"]:
            raise _row_error("in the future")
        return parsed


def _row_error(message: str) -> PydanticCustomError:
    return PydanticCustomError("registry", message)


def _context(info: ValidationInfo) -> dict[str, Any]:
    if not isinstance(info.context, dict):
        raise TypeError("a patient row is checked with its programs and today as context")
    return info.context


def _definition(info: ValidationInfo, slug: str | None) -> ProgramDefinition | None:
    found = _context(info)["programs"].get(slug) if slug is not None else None
    return found[1] if found else None


def _before(later: date | None, earlier: date | None) -> bool:
    return later is not None and earlier is not None and later < earlier


# The rules between a patient's dates, in the order a report names them: (column, message,
# whether the row breaks it). A date that is malformed takes no part; one in the future does.
DATE_RULES: tuple[tuple[str, str, Callable[[dict[str, date | None]], bool]], ...] = (
    ("onset_date", "before the birth date", lambda d: _before(d["onset_date"], d["birth_date"])),
    (
        "first_treatment",
        "required when last_treatment is given",
        lambda d: d["last_treatment"] is not None and d["first_treatment"] is None,
    ),
    (
        "first_treatment",
        "before the birth date",
        lambda d: _before(d["first_treatment"], d["birth_date"]),
    ),
    (
        "first_treatment",
        "before the onset",
        lambda d: _before(d["first_treatment"], d["onset_date"]),
    ),
    (
        "last_treatment",
        "before first_treatment",
        lambda d: _before(d["last_treatment"], d["first_treatment"]),
    ),
)


def _presence_problems(
    row: dict[str, str], definition: ProgramDefinition | None
) -> Iterator[tuple[str, str]]:
    """The dates a row must give, or must leave empty, for its program."""
    if not row["birth_date"]:
        yield "birth_date", "required"
    if definition is None or definition.outcomes is None:
        return
    uses_onset = "onset_band" in definition.outcomes.groupings
    if uses_onset and not row["onset_date"]:
        yield "onset_date", "required for this program"
    if not uses_onset and row["onset_date"]:
        yield "onset_date", "empty for this program"


def _check_patient(
    number: int,
    row: dict[str, str],
    programs: _Programs,
    today: date,
    errors: list[RowError],
) -> RegistryPatient | None:
    """The row's patient, or None with each bad column in `errors`: first the columns on
    their own (`PatientRow`), then the dates the program needs and their order."""
    problems: list[tuple[str, str]] = []
    checked: PatientRow | None = None
    try:
        checked = PatientRow.model_validate(row, context={"programs": programs, "today": today})
    except ValidationError as exc:
        problems += [(str(e["loc"][0]), e["msg"]) for e in exc.errors()]
    found = programs.get(row["program"])
    problems += _presence_problems(row, found[1] if found else None)
    dates = {column: _date(row[column]) if row[column] else None for column in PATIENT_DATES}
    problems += [(column, message) for column, message, broken in DATE_RULES if broken(dates)]
    errors += [RowError("patients.csv", number, column, message) for column, message in problems]
    if problems or checked is None or found is None or checked.birth_date is None:
        return None
    age, onset = _bands(checked.birth_date, checked.onset_date, checked.first_treatment)
    return RegistryPatient(
        patient_id=checked.patient_id,
        program=found[0],
        subtype=checked.subtype,
        sex=checked.sex,
        birth_date=checked.birth_date,
        onset_date=checked.onset_date,
        first_treatment=checked.first_treatment,
        last_treatment=checked.last_treatment,
        age_band=age,
        onset_band=onset,
    )


def _bands(birth: date, onset: date | None, first: date | None) -> tuple[str, str]:
    """The age band and the onset band at the first treatment ("" for an untreated patient
    and for a program without onset)."""
    if first is None:
        return "", ""
    return age_band(birth, first), onset_band(onset, first) if onset else ""


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


Bad = Callable[[str, str], None]


def _learn_stored_patient(
    pid: str, known: _Known, definitions: dict[str, ProgramDefinition], bad: Bad
) -> None:
    """An assessment of a patient already in the registry (not in this import's patients)."""
    stored = (
        RegistryPatient.objects.filter(patient_id=pid).select_related("program").first()
        if PATIENT_ID.match(pid)
        else None
    )
    if stored is None:
        bad("patient_id", "not in patients.csv nor in the registry")
        return
    current = program_get(slug=stored.program.slug)
    if current is None or current.definition.outcomes is None:
        bad("patient_id", "the patient's program has no outcome measures")
        return
    known.births[pid] = stored.birth_date
    known.ids[pid] = stored.pk
    definitions[pid] = current.definition


def _assessment_day(text: str, birth: date | None, today: date, bad: Bad) -> date | None:
    day = _date(text)
    if day is None:
        bad("date", "a date as YYYY-MM-DD")
    elif day > today:
        bad("date", "in the future")
    elif birth is not None and day < birth:
        bad("date", "before the birth date")
    return day


def _assessment_value(
    row: dict[str, str], instrument: Instrument, definition: ProgramDefinition | None, bad: Bad
) -> tuple[str, float]:
    """The value as stored and its score, checked against the program's measures."""
    outcomes = definition.outcomes if definition is not None else None
    if definition is None or outcomes is None:
        return "", 0.0
    if instrument.id != "domain" and instrument.id not in outcomes.clinician_instruments:
        bad("instrument", f"not an instrument of {definition.id}")
        return "", 0.0
    try:
        return check_value(
            instrument,
            row["item"],
            row["value"],
            muscle_groups=outcomes.muscle_groups,
            domains=tuple(d.id for d in outcomes.family_domains),
        )
    except BadValue as bad_value:
        bad(bad_value.field, bad_value.message)
        return "", 0.0


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
        _learn_stored_patient(pid, known, definitions, bad)
    if row["timepoint"] not in TIMEPOINTS:
        bad("timepoint", f"one of {', '.join(TIMEPOINTS)}")
    day = _assessment_day(row["date"], known.births.get(pid), today, bad)
    instrument = INSTRUMENTS.get(row["instrument"])
    value_text, score = "", 0.0
    if instrument is None:
        bad("instrument", f"one of {', '.join(INSTRUMENTS)}")
    else:
        value_text, score = _assessment_value(row, instrument, definitions.get(pid), bad)
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
