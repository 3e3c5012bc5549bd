"""Properties of screening over generated answers (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cellclinic.inquiries.models import Inquiry
from cellclinic.programs.models import Program
from cellclinic.programs.rules import Dialect, Thresholds, compile_sql
from cellclinic.programs.schema import Item
from cellclinic.screening.engine import SEVERITY, RuleSet, most_severe
from cellclinic.screening.services import bulk_decisions
from cellclinic.screening.tests.test_rules_table import CP, STROKE

AS_OFS = st.dates(date(2023, 1, 1), date(2028, 12, 31))


def item_answer(item: Item, as_of: date) -> st.SearchStrategy[Any]:
    if item.type == "choice":
        return st.sampled_from(item.choices)
    if item.type == "multi_choice":
        return st.lists(st.sampled_from(item.choices), min_size=1, unique=True).map(
            lambda values: [c for c in item.choices if c in values]
        )
    if item.type == "boolean":
        return st.booleans()
    if item.type == "integer":
        return st.integers(0, 40)
    if item.type == "date":
        # Exactly at, and a day either side of, every calendar boundary the rules use;
        # else near the as-of date or anywhere in a century.
        edges = [
            as_of - delta + timedelta(days=shift)
            for delta in (relativedelta(years=5), relativedelta(months=6), relativedelta(months=12))
            for shift in (-1, 0, 1)
        ]
        edge = st.sampled_from([d.isoformat() for d in edges if d <= as_of])
        near = st.integers(-800, 0).map(lambda days: (as_of + timedelta(days=days)).isoformat())
        far = st.dates(as_of - timedelta(days=365 * 100), as_of).map(date.isoformat)
        return st.one_of(edge, near, far)
    return st.just("x")


@st.composite
def answers_for(draw: st.DrawFn, rule_set: RuleSet, as_of: date) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for item in rule_set.definition.items:
        if item.section in ("contact", "message", "consent") or item.id == "patient.name":
            continue
        if draw(st.integers(0, 4)) == 0:
            continue  # left unanswered
        answers[item.id] = draw(item_answer(item, as_of))
    if "patient.birth_date" in answers and "stroke.onset_date" in answers:
        answers["stroke.onset_date"] = max(
            answers["stroke.onset_date"], answers["patient.birth_date"]
        )
    return answers


@st.composite
def cases(draw: st.DrawFn) -> tuple[RuleSet, dict[str, Any], date]:
    rule_set = draw(st.sampled_from([CP, STROKE]))
    as_of = draw(AS_OFS)
    return rule_set, draw(answers_for(rule_set, as_of)), as_of


@settings(max_examples=400, deadline=None)
@given(cases())
def test_the_decision_is_the_most_severe_fired_reason(case) -> None:
    rule_set, answers, as_of = case
    outcome = rule_set.screen(answers, as_of=as_of)
    assert outcome.decision == most_severe([r["decision"] for r in outcome.reasons])
    if not outcome.reasons:
        assert outcome.decision == "eligible_for_consultation"


@settings(max_examples=400, deadline=None)
@given(cases(), st.data())
def test_a_missing_required_item_never_gives_an_eligible_decision(case, data) -> None:
    rule_set, answers, as_of = case
    dropped = data.draw(st.sampled_from(rule_set.required))
    answers.pop(dropped, None)
    outcome = rule_set.screen(answers, as_of=as_of)
    assert outcome.decision != "eligible_for_consultation"
    assert f"REQ:{dropped}" in [r["rule"] for r in outcome.reasons]


CONTRAINDICATIONS = {
    "cerebral-palsy": [{"cp.epilepsy": "uncontrolled"}, {"cp.hydrocephalus": "yes"}],
    "stroke": [
        {"stroke.general_health": "poor"},
        {"stroke.mrs": "5"},
        {"stroke.organ_damage": ["heart"]},
    ],
}


@settings(max_examples=400, deadline=None)
@given(cases(), st.data())
def test_adding_a_contraindication_never_makes_a_decision_less_severe(case, data) -> None:
    rule_set, answers, as_of = case
    before = rule_set.screen(answers, as_of=as_of).decision
    answers.update(data.draw(st.sampled_from(CONTRAINDICATIONS[rule_set.program])))
    after = rule_set.screen(answers, as_of=as_of).decision
    assert SEVERITY[after] >= SEVERITY[before]


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.sampled_from([CP, STROKE]).flatmap(
        lambda rs: st.tuples(
            st.just(rs),
            AS_OFS.flatmap(
                lambda d: st.tuples(
                    st.just(d), st.lists(answers_for(rs, d), min_size=1, max_size=25)
                )
            ),
        )
    )
)
def test_single_and_bulk_evaluation_agree(generated) -> None:
    """The SQL over stored answers gives each inquiry the decision the Python form gives,
    and every rule and note condition the same true, false or unknown."""
    rule_set, (as_of, answer_sets) = generated
    program = Program.objects.get(slug=rule_set.program)
    with transaction.atomic():
        Inquiry.objects.bulk_create(
            [
                Inquiry(
                    reference=f"T{index:05d}-XXXX",
                    program=program,
                    program_version=program.current_version,
                    answers=answers,
                    language="en",
                    reply_language="en",
                    contact_name="x",
                    contact_email="x@example.org",
                    patient_name="x",
                    country="GB",
                    source="api",
                )
                for index, answers in enumerate(answer_sets)
            ]
        )
        bulk = bulk_decisions(rule_set=rule_set, program_id=program.pk, as_of=as_of)
        conditions = bulk_conditions(rule_set, program.pk, as_of)
        transaction.set_rollback(True)
    thresholds = Thresholds(as_of)
    for index, answers in enumerate(answer_sets):
        reference = f"T{index:05d}-XXXX"
        assert bulk[reference] == rule_set.screen(answers, as_of=as_of).decision
        for rule in (*rule_set.rules, *rule_set.notes):
            expected = rule.test(answers, thresholds)
            assert conditions[reference][rule.id] == expected, (rule.id, answers)


def bulk_conditions(rule_set: RuleSet, program_id: int, as_of: date) -> dict[str, dict[str, Any]]:
    """Each rule's and note's condition evaluated in SQL: True, False or None per row."""
    dialect = Dialect(connection.vendor, "i.answers")
    thresholds = Thresholds(as_of)
    columns, params = [], []
    entries = [*rule_set.rules, *rule_set.notes]
    for rule in entries:
        sql, sql_params = compile_sql(rule.node, dialect, thresholds)
        columns.append(f"CASE WHEN ({sql}) IS TRUE THEN 1 WHEN ({sql}) IS FALSE THEN 0 END")
        params.extend(sql_params + sql_params)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT i.reference, {', '.join(columns)} FROM inquiries_inquiry i "
            "WHERE i.program_id = %s",
            [*params, program_id],
        )
        return {
            row[0]: {
                rule.id: None if value is None else bool(value)
                for rule, value in zip(entries, row[1:], strict=True)
            }
            for row in cursor.fetchall()
        }
