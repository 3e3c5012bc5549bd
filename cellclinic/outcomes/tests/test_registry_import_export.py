"""Registry files: a good file round-trips through export unchanged; a file with any bad
row writes nothing and names every bad row and column."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cellclinic.outcomes.generate import synthetic_registry
from cellclinic.outcomes.models import Assessment, RegistryPatient
from cellclinic.outcomes.registry import registry_export, registry_import
from cellclinic.programs.selectors import program_get

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 11, 1)


def files(program: str = "cerebral-palsy", count: int = 40, seed: int = 7):
    current = program_get(slug=program)
    assert current is not None
    return synthetic_registry(current.definition, count=count, seed=seed, as_of=AS_OF)


def load(patients: str, assessments: str):
    return registry_import(patients=io.StringIO(patients), assessments=io.StringIO(assessments))


def test_a_good_file_round_trips_through_export_unchanged(tmp_path: Path) -> None:
    cp, stroke = files("cerebral-palsy"), files("stroke")
    for generated in (cp, stroke):
        result = load(generated.patients, generated.assessments)
        assert result.ok, result.errors[:5]
    for program, generated in (("cerebral-palsy", cp), ("stroke", stroke)):
        out = tmp_path / program
        registry_export(out=out, program=program)
        assert (out / "patients.csv").read_text() == generated.patients
        assert (out / "assessments.csv").read_text() == generated.assessments


def test_a_file_with_bad_rows_writes_nothing_and_names_every_row_and_column() -> None:
    good = files(count=5)
    patients = good.patients.splitlines()
    patients[1] = patients[1].replace("cerebral-palsy", "autism", 1)  # row 2: program
    parts = patients[3].split(",")
    parts[3], parts[4] = "robot", "2030-01-01"  # row 4: sex and a birth date in the future
    patients[3] = ",".join(parts)
    assessments = good.assessments.splitlines()
    header = assessments[0]
    bad_rows = [
        "nobody,m6,2026-01-01,gmfm66,,50",  # unknown patient
        f"{parts[0]},m7,2026-01-01,gmfm66,,50",  # time point
        f"{patients[2].split(',')[0]},m6,2026-02-30,gmfm66,,101",  # date and value
        f"{patients[2].split(',')[0]},m6,2026-01-01,mas,knee,1+",  # not a muscle group
        f"{patients[2].split(',')[0]},m6,2026-01-01,mrs,,3",  # not a CP instrument
    ]
    assessments = [header, *bad_rows, *assessments[1:]]
    result = load("\n".join(patients) + "\n", "\n".join(assessments) + "\n")
    named = {(e.file, e.row, e.column) for e in result.errors}
    assert {
        ("patients.csv", 2, "program"),
        ("patients.csv", 4, "sex"),
        ("patients.csv", 4, "birth_date"),
        ("assessments.csv", 2, "patient_id"),
        ("assessments.csv", 3, "timepoint"),
        ("assessments.csv", 4, "date"),
        ("assessments.csv", 4, "value"),
        ("assessments.csv", 5, "item"),
        ("assessments.csv", 6, "instrument"),
    } <= named
    assert not RegistryPatient.objects.exists() and not Assessment.objects.exists()


def test_an_import_never_adds_a_patient_twice() -> None:
    good = files(count=3)
    assert load(good.patients, good.assessments).ok
    again = load(good.patients, "patient_id,timepoint,date,instrument,item,value\n")
    assert [(e.row, e.column) for e in again.errors] == [
        (2, "patient_id"),
        (3, "patient_id"),
        (4, "patient_id"),
    ]
    assert RegistryPatient.objects.count() == 3


def test_a_wrong_header_is_named() -> None:
    result = load("id,program\n", "patient_id,timepoint,date,instrument,item,value\n")
    assert [(e.file, e.row, e.column) for e in result.errors] == [("patients.csv", 1, "header")]


def test_the_command_imports_with_progress_and_refuses_bad_files_with_exit_2(
    tmp_path: Path, capsys
) -> None:
    from django.core.management import call_command

    good = files(count=12)
    (tmp_path / "p.csv").write_text(good.patients)
    (tmp_path / "a.csv").write_text(good.assessments)
    (tmp_path / "bad.csv").write_text(good.assessments.replace(",gmfm66,", ",gmfm99,", 1))
    with pytest.raises(SystemExit) as refused:
        call_command(
            "registry",
            "import",
            "--patients",
            str(tmp_path / "p.csv"),
            "--assessments",
            str(tmp_path / "bad.csv"),
        )
    assert refused.value.code == 2
    import re

    assert re.search(r"assessments.csv: row \d+, column instrument", capsys.readouterr().err)
    assert not RegistryPatient.objects.exists()
    call_command(
        "registry",
        "import",
        "--patients",
        str(tmp_path / "p.csv"),
        "--assessments",
        str(tmp_path / "a.csv"),
    )
    assert "imported 12 patients" in capsys.readouterr().out
    call_command("registry", "export", "--out", str(tmp_path / "out"), "--deidentified")
    exported = (tmp_path / "out" / "patients.csv").read_text()
    assert "ce-00" not in exported and "p-" in exported  # pseudonyms, not the ids


CELL = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    patient_rows=st.lists(st.lists(CELL, min_size=0, max_size=9), max_size=4),
    assessment_rows=st.lists(st.lists(CELL, min_size=0, max_size=7), max_size=4),
)
def test_any_file_is_imported_whole_or_refused_with_named_rows(
    patient_rows, assessment_rows
) -> None:
    """Whatever the cells hold, the parser names problems; it never fails otherwise."""
    import csv

    def text(header: str, rows: list[list[str]]) -> str:
        out = io.StringIO()
        out.write(header + "\n")
        csv.writer(out, lineterminator="\n").writerows(rows)
        return out.getvalue()

    before = RegistryPatient.objects.count()
    result = load(
        text(
            "patient_id,program,subtype,sex,birth_date,onset_date,first_treatment,last_treatment",
            patient_rows,
        ),
        text("patient_id,timepoint,date,instrument,item,value", assessment_rows),
    )
    if not result.ok:
        assert all(e.row >= 2 and e.column for e in result.errors)
        assert RegistryPatient.objects.count() == before


def test_a_value_already_stored_and_the_clinics_own_ids_are_refused_by_row() -> None:
    good = files(count=2)
    assert load(good.patients, good.assessments).ok
    first = good.assessments.splitlines()[1]
    again = load(
        "patient_id,program,subtype,sex,birth_date,onset_date,first_treatment,last_treatment\n"
        "cc-ABCDE12345,cerebral-palsy,spastic,male,2015-01-01,,,\n",
        "patient_id,timepoint,date,instrument,item,value\n" + first + "\n",
    )
    assert {(e.file, e.row, e.column) for e in again.errors} == {
        ("patients.csv", 2, "patient_id"),
        ("assessments.csv", 2, "value"),
    }
