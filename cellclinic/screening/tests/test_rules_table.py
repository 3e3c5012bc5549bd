"""Every rule and note of programs.md section 4, with its boundaries."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from cellclinic.programs.loader import load_directory
from cellclinic.screening.engine import rule_set_for
from conftest import with_changes

LOADED = {d.definition.id: d for d in load_directory()}
CP = rule_set_for(LOADED["cerebral-palsy"].definition, LOADED["cerebral-palsy"].content_hash)
STROKE = rule_set_for(LOADED["stroke"].definition, LOADED["stroke"].content_hash)
AS_OF = date(2026, 11, 23)

# A complete, unremarkable case for each program: no rule and no note fires.
CP_BASE: dict[str, Any] = {
    "patient.birth_date": "2016-01-10",  # 10 years old
    "cp.diagnosis": "confirmed",
    "cp.epilepsy": "none",
    "cp.hydrocephalus": "no",
    "cp.rehabilitation": True,
}
STROKE_BASE: dict[str, Any] = {
    "patient.birth_date": "1960-01-15",
    "stroke.onset_date": "2026-02-01",  # between 6 and 12 months before AS_OF
    "stroke.type": "ischemic",
    "stroke.mrs": "3",
}


def cp(**changes: Any) -> dict[str, Any]:
    return with_changes(CP_BASE, changes)


def stroke(**changes: Any) -> dict[str, Any]:
    return with_changes(STROKE_BASE, changes)


def fired(
    rule_set, answers: dict[str, Any], as_of: date = AS_OF
) -> tuple[str, list[str], list[str]]:
    outcome = rule_set.screen(answers, as_of=as_of)
    return (
        outcome.decision,
        [r["rule"] for r in outcome.reasons],
        [n["rule"] for n in outcome.notes],
    )


def test_the_base_cases_fire_nothing() -> None:
    assert fired(CP, cp()) == ("eligible_for_consultation", [], [])
    assert fired(STROKE, stroke()) == ("eligible_for_consultation", [], [])


RULES = [
    # (answers, decision, reasons)
    (cp(cp__epilepsy="uncontrolled"), "not_eligible", ["CP-EPI-1"]),
    (cp(cp__epilepsy="controlled", cp__seizure_free_months=6), "not_eligible", ["CP-EPI-2"]),
    (cp(cp__epilepsy="controlled", cp__seizure_free_months=0), "not_eligible", ["CP-EPI-2"]),
    (cp(cp__epilepsy="controlled", cp__seizure_free_months=7), "specialist_review", ["CP-EPI-3"]),
    (cp(cp__epilepsy="unknown"), "specialist_review", ["CP-EPI-4"]),
    (cp(cp__epilepsy="controlled"), "specialist_review", ["CP-EPI-4"]),
    (cp(cp__hydrocephalus="yes"), "not_eligible", ["CP-HYD-1"]),
    (cp(cp__hydrocephalus="unknown"), "specialist_review", ["CP-HYD-2"]),
    (
        cp(cp__intellectual_disability="severe", cp__fine_motor="intact", cp__goals=["cognition"]),
        "not_recommended",
        ["CP-ID-1"],
    ),
    (
        cp(
            cp__intellectual_disability="severe",
            cp__fine_motor="intact",
            cp__goals=["cognition", "motor"],
        ),
        "eligible_for_consultation",
        [],
    ),
    (
        cp(
            cp__intellectual_disability="severe", cp__fine_motor="impaired", cp__goals=["cognition"]
        ),
        "eligible_for_consultation",
        [],
    ),
    (cp(cp__diagnosis="suspected"), "specialist_review", ["CP-DX-1"]),
    (cp(cp__diagnosis="none", cp__autism=True, cp__adhd=False), "not_recommended", ["CP-DX-2"]),
    (cp(cp__diagnosis="none", cp__adhd=True), "not_recommended", ["CP-DX-2"]),
    (cp(cp__diagnosis="none", cp__autism=False, cp__adhd=False), "not_eligible", ["CP-DX-3"]),
    # CP-DX-3 needs both answers: with one missing it does not fire.
    (cp(cp__diagnosis="none", cp__autism=False), "eligible_for_consultation", []),
    (
        cp(cp__epilepsy="uncontrolled", cp__hydrocephalus="unknown", cp__diagnosis="suspected"),
        "not_eligible",
        ["CP-EPI-1", "CP-HYD-2", "CP-DX-1"],
    ),
    (stroke(stroke__organ_damage=["heart"]), "specialist_review", ["ST-ORG-1"]),
    (stroke(stroke__organ_damage=["none"]), "eligible_for_consultation", []),
    (stroke(stroke__organ_damage=["none", "other"]), "specialist_review", ["ST-ORG-1"]),
    (stroke(stroke__general_health="poor"), "specialist_review", ["ST-HEALTH-1"]),
    (stroke(stroke__general_health="fair"), "eligible_for_consultation", []),
    (stroke(stroke__mrs="5"), "specialist_review", ["ST-MRS-1"]),
    (stroke(stroke__mrs="4"), "eligible_for_consultation", []),
    (stroke(stroke__type="unknown"), "specialist_review", ["ST-TYPE-1"]),
]


@pytest.mark.parametrize(("answers", "decision", "reasons"), RULES)
def test_each_rule_gives_its_decision(
    answers: dict[str, Any], decision: str, reasons: list[str]
) -> None:
    rule_set = CP if "cp.diagnosis" in answers else STROKE
    got_decision, got_reasons, _notes = fired(rule_set, answers)
    assert (got_decision, got_reasons) == (decision, reasons)


@pytest.mark.parametrize(
    ("rule_set", "answers", "missing"),
    [
        (CP, cp(cp__epilepsy=None), "REQ:cp.epilepsy"),
        (CP, cp(cp__diagnosis=None), "REQ:cp.diagnosis"),
        (CP, cp(cp__hydrocephalus=None), "REQ:cp.hydrocephalus"),
        (CP, cp(patient__birth_date=None), "REQ:patient.birth_date"),
        (STROKE, stroke(stroke__onset_date=None), "REQ:stroke.onset_date"),
        (STROKE, stroke(stroke__type=None), "REQ:stroke.type"),
        (STROKE, stroke(stroke__mrs=None), "REQ:stroke.mrs"),
        (STROKE, stroke(patient__birth_date=None), "REQ:patient.birth_date"),
    ],
)
def test_a_missing_required_item_asks_for_review(
    rule_set, answers: dict[str, Any], missing: str
) -> None:
    decision, reasons, _ = fired(rule_set, answers)
    assert decision == "specialist_review" and reasons == [missing]


def test_null_counts_as_missing_but_unknown_is_an_answer() -> None:
    assert fired(CP, cp(cp__epilepsy=None))[1] == ["REQ:cp.epilepsy"]
    with_null = dict(cp(), **{"cp.epilepsy": None})
    assert fired(CP, with_null)[1] == ["REQ:cp.epilepsy"]
    assert fired(CP, cp(cp__epilepsy="unknown"))[1] == ["CP-EPI-4"]


def test_a_rule_needing_a_missing_answer_does_not_fire() -> None:
    # CP-EPI-2/3 need the count; without it only CP-EPI-4 (which asks for it) fires.
    assert fired(CP, cp(cp__epilepsy="controlled"))[1] == ["CP-EPI-4"]
    # CP-ID-1 needs the goals.
    assert fired(CP, cp(cp__intellectual_disability="severe", cp__fine_motor="intact"))[1] == []


@pytest.mark.parametrize(
    ("birth_date", "notes"),
    [
        ("2021-11-24", ["CP-AGE-1"]),  # the day before the fifth birthday: 4 years old
        ("2021-11-23", ["CP-AGE-2"]),  # the fifth birthday: 5 years old
        ("2021-11-22", ["CP-AGE-2"]),
    ],
)
def test_the_age_notes_turn_on_the_fifth_birthday(birth_date: str, notes: list[str]) -> None:
    answers = cp(patient__birth_date=birth_date, cp__goals=["speech_language"])
    assert fired(CP, answers)[2] == notes


def test_cp_age_2_needs_a_speech_or_cognition_goal() -> None:
    assert fired(CP, cp(cp__goals=["motor"]))[2] == []
    assert fired(CP, cp(cp__goals=["cognition"]))[2] == ["CP-AGE-2"]


def test_a_child_born_on_29_february_is_five_on_28_february() -> None:
    answers = cp(patient__birth_date="2020-02-29")
    assert fired(CP, answers, as_of=date(2025, 2, 27))[2] == ["CP-AGE-1"]
    assert fired(CP, answers, as_of=date(2025, 2, 28))[2] == []  # 5 by relativedelta


@pytest.mark.parametrize(
    ("answers", "notes"),
    [
        (cp(cp__type="atonic", cp__goals=["speech_language", "motor"]), ["CP-AGE-2", "CP-ATON-1"]),
        (cp(cp__type="atonic", cp__goals=["motor"]), []),
        (
            cp(cp__intellectual_disability="severe", cp__goals=["cognition", "vision"]),
            ["CP-AGE-2", "CP-ID-2"],
        ),
        (cp(cp__intellectual_disability="severe", cp__goals=["cognition"]), ["CP-AGE-2"]),
        (cp(cp__autism=True), ["CP-COMORB-1"]),
        (cp(cp__adhd=True), ["CP-COMORB-1"]),
        (cp(cp__diagnosis="suspected", cp__adhd=True), []),
        (cp(cp__rehabilitation=False), ["CP-REHAB-1"]),
        (cp(cp__rehabilitation=None), []),
        (stroke(stroke__recurrent=True), ["ST-REC-1"]),
        (stroke(stroke__recurrent=False), []),
    ],
)
def test_each_note_fires_when_its_condition_holds(
    answers: dict[str, Any], notes: list[str]
) -> None:
    rule_set = CP if "cp.diagnosis" in answers else STROKE
    assert fired(rule_set, answers)[2] == notes


def test_notes_never_change_the_decision() -> None:
    decision, _reasons, notes = fired(
        CP, cp(patient__birth_date="2024-01-01", cp__rehabilitation=False)
    )
    assert notes == ["CP-AGE-1", "CP-REHAB-1"] and decision == "eligible_for_consultation"


@pytest.mark.parametrize(
    ("onset", "notes"),
    [
        ("2026-05-23", ["ST-ONSET-1"]),  # exactly 6 months before: "6 months ago or less"
        ("2026-05-22", []),  # one day further
        ("2026-11-23", ["ST-ONSET-1"]),
        ("2025-11-23", []),  # exactly 12 months before: not "more than 12 months"
        ("2025-11-22", ["ST-ONSET-2"]),  # one day further
    ],
)
def test_the_onset_notes_count_calendar_months(onset: str, notes: list[str]) -> None:
    assert fired(STROKE, stroke(stroke__onset_date=onset))[2] == notes


def test_onset_months_are_counted_back_to_the_end_of_a_short_month() -> None:
    # 31 August minus 6 months is 28 February (relativedelta clamps the day).
    assert fired(STROKE, stroke(stroke__onset_date="2026-02-28"), as_of=date(2026, 8, 31))[2] == [
        "ST-ONSET-1"
    ]
    assert fired(STROKE, stroke(stroke__onset_date="2026-02-27"), as_of=date(2026, 8, 31))[2] == []


def test_the_output_has_the_interface_shape() -> None:
    outcome = CP.screen(
        cp(cp__epilepsy="controlled", cp__seizure_free_months=7), as_of=AS_OF
    ).as_dict()
    assert set(outcome) == {"program", "rule_set", "decision", "reasons", "notes"}
    assert outcome["program"] == "cerebral-palsy"
    assert outcome["rule_set"] == {"version": CP.version, "hash": CP.hash}
    assert outcome["reasons"] == [
        {"rule": "CP-EPI-3", "decision": "specialist_review", "text": outcome["reasons"][0]["text"]}
    ]
    assert "may be considered" in outcome["reasons"][0]["text"]
