"""`cellclinic screening impact`: a rule change previewed over every stored inquiry."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from cellclinic.inquiries.models import Inquiry
from cellclinic.programs.loader import DEFINITIONS_DIR
from cellclinic.programs.selectors import program_get
from cellclinic.screening.models import Decision
from cellclinic.screening.services import inquiry_screen
from conftest import build_answers

pytestmark = pytest.mark.django_db


def store(**overrides) -> Inquiry:
    program = program_get(slug="cerebral-palsy")
    assert program is not None
    from cellclinic.inquiries.services import inquiry_submit

    inquiry, _ = inquiry_submit(program=program, answers=build_answers(**overrides), language="en")
    inquiry_screen(inquiry=inquiry)
    return inquiry


def draft(tmp_path: Path, limit: int) -> Path:
    text = (DEFINITIONS_DIR / "cerebral-palsy.yaml").read_text()
    text = text.replace(
        "{item: cp.seizure_free_months, lte: 6}", f"{{item: cp.seizure_free_months, lte: {limit}}}"
    )
    text = text.replace(
        "{item: cp.seizure_free_months, gt: 6}", f"{{item: cp.seizure_free_months, gt: {limit}}}"
    )
    path = tmp_path / "draft.yaml"
    path.write_text(text.replace('version: "', 'version: "next-', 1))
    return path


def test_it_counts_transitions_and_lists_the_changed_inquiries(tmp_path: Path) -> None:
    moved = store(cp__epilepsy="controlled", cp__seizure_free_months=9)
    store(cp__epilepsy="controlled", cp__seizure_free_months=20)
    store(cp__epilepsy="uncontrolled")
    out = StringIO()
    call_command(
        "screening",
        "impact",
        "--program",
        "cerebral-palsy",
        "--rules",
        str(draft(tmp_path, 12)),
        "--format",
        "json",
        stdout=out,
    )
    impact = json.loads(out.getvalue())
    assert impact["inquiries"] == 3 and impact["changed"] == 1
    transitions = {(t["old"], t["new"]): t["count"] for t in impact["transitions"]}
    assert transitions == {
        ("specialist_review", "not_eligible"): 1,
        ("specialist_review", "specialist_review"): 1,
        ("not_eligible", "not_eligible"): 1,
    }
    assert impact["changed_inquiries"] == [
        {"reference": moved.reference, "old": "specialist_review", "new": "not_eligible"}
    ]
    assert Decision.objects.filter(decision="not_eligible").count() == 1  # nothing rewritten


def test_the_table_format_marks_changed_rows(tmp_path: Path) -> None:
    store(cp__epilepsy="controlled", cp__seizure_free_months=9)
    out = StringIO()
    call_command(
        "screening",
        "impact",
        "--program",
        "cerebral-palsy",
        "--rules",
        str(draft(tmp_path, 12)),
        stdout=out,
    )
    text = out.getvalue()
    assert "1 inquiries, 1 would change" in text and "*" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--program", "nope", "--rules", "x.yaml"], "--program: there is no program"),
        (["--program", "stroke", "--rules", "/no/such.yaml"], "cannot be read"),
        (["--program", "stroke", "--rules", "DRAFT", "--as-of", "soon"], "--as-of"),
    ],
)
def test_bad_arguments_exit_2_naming_them(
    tmp_path: Path, capsys, args: list[str], message: str
) -> None:
    args = [str(draft(tmp_path, 6)) if a == "DRAFT" else a for a in args]
    with pytest.raises(SystemExit) as stopped:
        call_command("screening", "impact", *args)
    assert stopped.value.code == 2 and message in capsys.readouterr().err


def test_a_draft_for_another_program_is_refused(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit):
        call_command(
            "screening", "impact", "--program", "stroke", "--rules", str(draft(tmp_path, 6))
        )
    assert "the draft is for 'cerebral-palsy'" in capsys.readouterr().err
