"""Rules are checked when a program file is loaded; publishing never rewrites the past."""

from __future__ import annotations

from pathlib import Path

import pytest

from cellclinic.inquiries.services import inquiry_submit
from cellclinic.programs.loader import DefinitionError, load_directory
from cellclinic.programs.selectors import program_get
from cellclinic.programs.services import programs_sync
from cellclinic.screening.models import Decision
from cellclinic.screening.services import inquiry_screen
from conftest import build_answers


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            '{item: cp.hydrocephalus, equals: "yes"}',
            "{item: cp.hydrocephalus, equals: maybe}",
            "screening.rules[CP-HYD-1].when.equals: cp.hydrocephalus has no choice 'maybe'",
        ),
        (
            "{item: cp.seizure_free_months, lte: 6}",
            "{item: cp.seizure_free_months, lte: six}",
            "screening.rules[CP-EPI-2].when.all[1].lte: compare with a whole number",
        ),
        (
            "{item: cp.epilepsy, equals: uncontrolled}",
            "{item: cp.epilepsi, equals: uncontrolled}",
            "screening.rules[CP-EPI-1].when.item: the program has no item 'cp.epilepsi'",
        ),
        (
            "{item: cp.rehabilitation, is: false}",
            "{item: cp.rehabilitation, equals: false}",
            "screening.notes[CP-REHAB-1].when.equals: cp.rehabilitation is a boolean item",
        ),
        ("{age: {lt: 5}}", "{age: {under: 5}}", "screening.notes[CP-AGE-1].when.age"),
        (
            "decision: not_recommended",
            "decision: maybe",
            "cerebral-palsy.yaml: screening.rules[CP-ID-1].decision",
        ),
        ("id: CP-DX-3", "id: CP-DX-2", "rule and note ids must be unique"),
        (
            "{item: cp.diagnosis, equals: suspected}",
            "{python: __import__('os')}",
            "unknown condition ['python']",
        ),
    ],
)
def test_a_bad_rule_is_refused_naming_the_file_rule_and_field(
    definitions: Path, old: str, new: str, expected: str
) -> None:
    path = definitions / "cerebral-palsy.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(DefinitionError) as caught:
        load_directory(definitions)
    message = str(caught.value)
    assert message.startswith("cerebral-palsy.yaml: ") and expected in message


@pytest.mark.django_db
def test_publishing_a_new_version_never_rewrites_past_decisions(definitions: Path) -> None:
    program = program_get(slug="cerebral-palsy")
    assert program is not None
    answers = build_answers(cp__epilepsy="controlled", cp__seizure_free_months=9)
    earlier, _ = inquiry_submit(program=program, answers=answers, language="en")
    before = inquiry_screen(inquiry=earlier)
    assert before.decision == "specialist_review"

    path = definitions / "cerebral-palsy.yaml"
    text = path.read_text().replace("lte: 6}", "lte: 12}").replace("gt: 6}", "gt: 12}")
    path.write_text(text.replace(f'version: "{program.definition.version}"', 'version: "99"', 1))
    programs_sync(directory=definitions)

    after = Decision.objects.get(pk=before.pk)
    assert (after.decision, after.rule_set_version, after.rule_set_hash) == (
        "specialist_review",
        program.definition.version,
        program.content_hash,
    )
    published = program_get(slug="cerebral-palsy")
    assert published is not None and published.definition.version == "99"
    later, _ = inquiry_submit(program=published, answers=answers, language="en")
    decision = inquiry_screen(inquiry=later)
    assert decision.decision == "not_eligible" and decision.rule_set_version == "99"
    assert decision.rule_set_hash == published.content_hash != program.content_hash
