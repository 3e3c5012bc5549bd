"""`cellclinic screen` and POST /api/v1/screenings: same input, same output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from cellclinic.screening.tests.test_rules_table import CP, cp

pytestmark = pytest.mark.django_db


def run_screen(
    tmp_path: Path, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CELLCLINIC_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "cellclinic.cli", "screen", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def api(client: Client, body: Any, **headers: str):
    return client.post(
        "/api/v1/screenings", json.dumps(body), content_type="application/json", **headers
    )


def test_the_command_and_the_api_give_the_same_output(tmp_path: Path, client: Client) -> None:
    answers = cp(
        cp__epilepsy="controlled", cp__seizure_free_months=7, patient__birth_date="2023-03-01"
    )
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers))
    result = run_screen(tmp_path, "--program", "cerebral-palsy", "--as-of", "2026-11-23", str(path))
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    served = api(client, {"program": "cerebral-palsy", "as_of": "2026-11-23", "answers": answers})
    assert served.status_code == 200
    assert printed == served.json()
    assert printed["decision"] == "specialist_review"
    assert [r["rule"] for r in printed["reasons"]] == ["CP-EPI-3"]
    assert [n["rule"] for n in printed["notes"]] == ["CP-AGE-1"]
    assert printed["rule_set"] == {"version": CP.version, "hash": CP.hash}


def test_the_command_reads_stdin(tmp_path: Path) -> None:
    result = run_screen(tmp_path, "--program", "stroke", "-", stdin="{}")
    assert result.returncode == 0
    reasons = [r["rule"] for r in json.loads(result.stdout)["reasons"]]
    assert reasons == [
        "REQ:patient.birth_date",
        "REQ:stroke.onset_date",
        "REQ:stroke.type",
        "REQ:stroke.mrs",
    ]


@pytest.mark.parametrize(
    ("answers", "fields"),
    [
        ({"cp.epilepsy": 3}, ["cp.epilepsy"]),  # a wrong type
        ({"cp.epilepsy": "sometimes"}, ["cp.epilepsy"]),  # an unknown choice
        ({"cp.epilepsy": "controlled", "cp.seizure_free_months": -1}, ["cp.seizure_free_months"]),
        ({"cp.epilepsy": "none", "cp.seizure_free_months": -1}, ["cp.seizure_free_months"]),
        ({"patient.birth_date": "2026-11-24"}, ["patient.birth_date"]),  # in the future
        ({"patient.birth_date": "2026-02-30"}, ["patient.birth_date"]),
        ({"cp.goals": ["motor", "swimming"], "cp.autism": "no"}, ["cp.autism", "cp.goals"]),
        ({"stroke.type": "ischemic"}, ["stroke.type"]),  # not an item of this program
    ],
)
def test_malformed_input_is_refused_naming_each_field(
    tmp_path: Path, client: Client, answers: dict[str, Any], fields: list[str]
) -> None:
    result = run_screen(
        tmp_path,
        "--program",
        "cerebral-palsy",
        "--as-of",
        "2026-11-23",
        "-",
        stdin=json.dumps(answers),
    )
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert sorted(line.split(":")[0] for line in lines) == sorted(fields)
    served = api(client, {"program": "cerebral-palsy", "as_of": "2026-11-23", "answers": answers})
    assert served.status_code == 422
    assert sorted(e["field"] for e in served.json()["errors"]) == sorted(fields)


def test_onset_before_birth_is_refused(tmp_path: Path) -> None:
    answers = {"patient.birth_date": "1980-01-01", "stroke.onset_date": "1979-12-31"}
    result = run_screen(
        tmp_path, "--program", "stroke", "--as-of", "2026-11-23", "-", stdin=json.dumps(answers)
    )
    assert result.returncode == 2 and result.stderr.startswith("stroke.onset_date:")


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--program", "no-such-program", "-"], "{}", "program:"),
        (["--program", "stroke", "-"], "{not json", "-: not valid JSON"),
        (["--program", "stroke", "-"], "[1, 2]", "answers:"),
        (["--program", "stroke", "--as-of", "23/11/2026", "-"], "{}", "--as-of:"),
        (["--program", "stroke", "/no/such/file.json"], None, "cannot be read"),
    ],
)
def test_bad_invocations_exit_2_with_a_message(
    tmp_path: Path, args: list[str], stdin: str | None, message: str
) -> None:
    result = run_screen(tmp_path, *args, stdin=stdin)
    assert result.returncode == 2 and result.stdout == "" and message in result.stderr


def test_the_api_refuses_a_bad_as_of_and_an_unknown_program(client: Client) -> None:
    bad_date = api(client, {"program": "stroke", "as_of": "2026-13-01", "answers": {}})
    assert bad_date.status_code == 422 and bad_date.json()["errors"][0]["field"] == "as_of"
    unknown = api(client, {"program": "nope", "answers": {}})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "program"


def test_the_api_screening_stores_nothing(client: Client) -> None:
    from cellclinic.inquiries.models import Inquiry
    from cellclinic.screening.models import Decision

    api(client, {"program": "stroke", "answers": {"stroke.type": "unknown"}})
    assert not Inquiry.objects.exists() and not Decision.objects.exists()
