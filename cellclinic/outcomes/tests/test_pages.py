"""The staff outcome report and the public figures show what the registry computes, with
denominators; a group under 10 patients is withheld in public; nothing is typed in."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import pytest
import time_machine

from cellclinic.outcomes.generate import synthetic_registry
from cellclinic.outcomes.registry import registry_import
from cellclinic.outcomes.statistics import outcome_table
from cellclinic.programs.selectors import program_get

pytestmark = pytest.mark.django_db


def load(program: str, count: int, seed: int = 5) -> None:
    current = program_get(slug=program)
    assert current is not None
    files = synthetic_registry(current.definition, count=count, seed=seed, as_of=date(2026, 11, 1))
    assert registry_import(
        patients=io.StringIO(files.patients), assessments=io.StringIO(files.assessments)
    ).ok


@time_machine.travel("2026-11-28 12:00 +00:00", tick=False)
def test_the_public_page_shows_the_registry_figures_and_hides_small_groups(client) -> None:
    page = client.get("/programs/stroke/").content.decode()
    assert page.count("Fewer than 10 patients treated") == 4  # nothing recorded yet
    load("stroke", 60)
    current = program_get(slug="stroke")
    m6 = outcome_table(program=current, timepoint="m6", by=None, as_of=date(2026, 11, 28))
    m6 = m6["overall"]
    page = client.get("/programs/stroke/").content.decode()  # the cache follows the data
    row = re.search(r'data-timepoint="m6">(.*?)</tr>', page, re.S).group(1)
    assert f"<td>{m6['treated']}</td>" in row
    assert f"{m6['due']} of {m6['treated']} treated" in row
    assert f"{m6['assessed']} of {m6['due']} due" in row  # followed up among those due
    assert f"{m6['improved']} of {m6['assessed']} followed up" in row
    assert f"{round(100 * m6['ci95'][0])}%" in row
    assert "Computed on 2026-11-28 with definition stroke-mrs-1-grade v1." in page


def test_a_young_registry_shows_who_is_not_yet_due_instead_of_lost(client) -> None:
    """30 patients treated in the autumn of 2026: due at discharge and 1 month, not yet at
    12 months, so nobody at 12 months is lost; the page says so, with the report date."""
    patients = [
        "patient_id,program,subtype,sex,birth_date,onset_date,first_treatment,last_treatment"
    ]
    assessments = ["patient_id,timepoint,date,instrument,item,value"]
    for i in range(30):
        pid = f"y{i}"
        patients.append(f"{pid},stroke,ischemic,male,1960-01-01,2026-01-01,2026-09-01,2026-09-10")
        assessments.append(f"{pid},baseline,2026-09-01,mrs,,4")
        if i < 20:
            assessments.append(f"{pid},m1,2026-10-10,mrs,,{3 if i < 8 else 4}")
    assert registry_import(
        patients=io.StringIO("\n".join(patients) + "\n"),
        assessments=io.StringIO("\n".join(assessments) + "\n"),
    ).ok
    with time_machine.travel("2026-11-28 12:00 +00:00", tick=False):
        page = client.get("/programs/stroke/").content.decode()
    m1 = re.search(r'data-timepoint="m1">(.*?)</tr>', page, re.S).group(1)
    assert "30 of 30 treated" in m1 and "20 of 30 due (67%)" in m1
    assert "8 of 20 followed up (40%)" in m1
    m12 = re.search(r'data-timepoint="m12">(.*?)</tr>', page, re.S).group(1)
    assert "0 of 30 treated" in m12 and "not yet due: 30" in m12 and "none due yet" in m12
    assert "Computed on 2026-11-28" in page
    # Four months later the 12-month window has not closed either; the API says the same.
    later = client.get("/api/v1/programs/stroke/outcomes?timepoint=m12&as_of=2027-03-01").json()
    assert (later["overall"]["due"], later["overall"]["not_yet_due"]) == (0, 30)
    assert later["overall"]["lost"] == 0 and later["as_of"] == "2027-03-01"
    closed = client.get("/api/v1/programs/stroke/outcomes?timepoint=m12&as_of=2027-11-10").json()
    assert (closed["overall"]["due"], closed["overall"]["lost"]) == (30, 30)
    assert closed["overall"]["worst_case_rate"] == 0.0


def test_the_staff_report_gives_tables_charts_and_the_family_rate(sign_in) -> None:
    load("cerebral-palsy", 80)
    current = program_get(slug="cerebral-palsy")
    table = outcome_table(program=current, timepoint="m12", by="gmfcs", as_of=date(2026, 6, 1))
    page = sign_in("analyst").get(
        "/staff/outcomes/?program=cerebral-palsy&by=gmfcs&as_of=2026-06-01"
    )
    body = page.content.decode()
    assert page.status_code == 200 and body.count("<svg") == 3  # two charts and the flow
    assert "cp-gmfm66-mcid" in body and "Reported by families" in body
    assert "Computed on 2026-06-01 with definition cp-gmfm66-mcid v1." in body
    level = next(g for g in table["groups"] if g["group"] == "3")
    section = re.search(r'data-timepoint="m12">(.*?)</table>', body, re.S).group(1)
    assert (
        f'<th scope="row">Level III</th><td>{level["treated"]}</td><td>{level["due"]}</td>'
        f"<td>{level['not_yet_due']}</td><td>{level['assessed']}</td>"
        f"<td>{level['lost']}</td>"
    ) in section
    bad = sign_in("analyst").get("/staff/outcomes/?program=cerebral-palsy&as_of=2026-02-30")
    assert bad.status_code == 200
    assert "Report date: Enter a real date as YYYY-MM-DD. Today is used instead." in (
        bad.content.decode()
    )


def test_the_analyst_downloads_a_de_identified_export(sign_in) -> None:
    load("stroke", 12)
    response = sign_in("analyst").get("/staff/outcomes/export.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    patients = archive.read("patients.csv").decode()
    assert patients.count("\n") == 13 and "st-" not in patients and "p-" in patients
