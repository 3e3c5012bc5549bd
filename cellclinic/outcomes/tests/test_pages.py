"""The staff outcome report and the public figures show what the registry computes, with
denominators; a group under 10 patients is withheld in public; nothing is typed in."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import pytest

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


def test_the_public_page_shows_the_registry_figures_and_hides_small_groups(client) -> None:
    page = client.get("/programs/stroke/").content.decode()
    assert page.count("Fewer than 10 patients treated") == 4  # nothing recorded yet
    load("stroke", 60)
    current = program_get(slug="stroke")
    m6 = outcome_table(program=current, timepoint="m6", by=None)["overall"]
    page = client.get("/programs/stroke/").content.decode()  # the cache follows the data
    row = re.search(r'data-timepoint="m6">(.*?)</tr>', page, re.S).group(1)
    assert f"<td>{m6['treated']}</td>" in row
    assert f"{m6['improved']} / {m6['assessed']}" in row
    assert f"{round(100 * m6['ci95'][0])}%" in row
    assert "stroke-mrs-1-grade" not in page  # families read the definition, not its id
    assert "Definition version 1." in page


def test_the_staff_report_gives_tables_charts_and_the_family_rate(sign_in) -> None:
    load("cerebral-palsy", 80)
    current = program_get(slug="cerebral-palsy")
    table = outcome_table(program=current, timepoint="m12", by="gmfcs")
    page = sign_in("analyst").get("/staff/outcomes/?program=cerebral-palsy&by=gmfcs")
    body = page.content.decode()
    assert page.status_code == 200 and body.count("<svg") == 3  # two charts and the flow
    assert "cp-gmfm66-mcid" in body and "Reported by families" in body
    level = next(g for g in table["groups"] if g["group"] == "3")
    section = re.search(r'data-timepoint="m12">(.*?)</table>', body, re.S).group(1)
    assert (
        f'<th scope="row">3</th><td>{level["treated"]}</td><td>{level["assessed"]}</td>' in section
    )


def test_the_analyst_downloads_a_de_identified_export(sign_in) -> None:
    load("stroke", 12)
    response = sign_in("analyst").get("/staff/outcomes/export.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    patients = archive.read("patients.csv").decode()
    assert patients.count("\n") == 13 and "st-" not in patients and "p-" in patients
