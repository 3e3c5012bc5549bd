from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.http import QueryDict
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from cellclinic.programs.answers import AnswersForm, age_on
from cellclinic.programs.loader import load_directory
from conftest import as_form, build_answers

DEFINITIONS = {d.definition.id: d.definition for d in load_directory()}
CP = DEFINITIONS["cerebral-palsy"]
STROKE = DEFINITIONS["stroke"]
AS_OF = date(2026, 11, 23)


def checked(definition, answers: Any, as_of: date = AS_OF, **options: Any) -> AnswersForm:
    form = AnswersForm(definition, answers, as_of=as_of, **options)
    form.is_valid()
    return form


def errors_of(definition, answers: dict[str, Any], as_of: date = AS_OF) -> dict[str, str]:
    return checked(definition, answers, as_of=as_of).errors_by_field()


def test_valid_answers_pass_and_come_back_cleaned() -> None:
    form = checked(CP, build_answers(**{"contact__email": "Maria@Example.ORG"}))
    assert form.is_valid()
    assert form.answers["contact.email"] == "Maria@example.org"
    assert form.answers["cp.goals"] == ["motor", "speech_language"]


@pytest.mark.parametrize(
    ("item", "value", "field"),
    [
        ("contact.email", "maria-at-example.org", "contact.email"),
        ("contact.email", None, "contact.email"),
        ("contact.name", None, "contact.name"),
        ("contact.name", "x" * 201, "contact.name"),
        ("contact.country", "XX", "contact.country"),
        ("contact.phone", "12345", "contact.phone"),
        ("contact.language", "fr", "contact.language"),
        ("patient.birth_date", "2026-11-24", "patient.birth_date"),
        ("patient.birth_date", "2026-02-30", "patient.birth_date"),
        ("patient.birth_date", "23/11/2020", "patient.birth_date"),
        ("patient.birth_date", "1905-11-22", "patient.birth_date"),
        ("cp.epilepsy", "sometimes", "cp.epilepsy"),
        ("cp.gmfcs_level", 3, "cp.gmfcs_level"),
        ("cp.goals", ["motor", "flying"], "cp.goals"),
        ("cp.goals", "motor", "cp.goals"),
        ("cp.autism", "yes", "cp.autism"),
        ("consent.data_processing", False, "consent.data_processing"),
        ("consent.data_processing", None, "consent.data_processing"),
        ("message", "x" * 5001, "message"),
        ("cp.unknown_item", "x", "cp.unknown_item"),
    ],
)
def test_each_bad_answer_is_named_by_its_field(item: str, value: Any, field: str) -> None:
    answers = build_answers(**{item.replace(".", "__"): value})
    if value is None:
        answers.pop(item, None)
    assert list(errors_of(CP, answers)) == [field]


def test_a_negative_or_fractional_seizure_free_count_is_refused() -> None:
    for value in (-1, 2.5, True, "7"):
        answers = build_answers(cp__epilepsy="controlled", cp__seizure_free_months=value)
        assert list(errors_of(CP, answers)) == ["cp.seizure_free_months"], value


def test_the_age_limit_is_120_whole_years() -> None:
    assert errors_of(CP, build_answers(patient__birth_date="1906-11-23")) == {}
    assert list(errors_of(CP, build_answers(patient__birth_date="1905-11-23"))) == [
        "patient.birth_date"
    ]
    assert age_on(date(2021, 11, 23), AS_OF) == 5
    assert age_on(date(2021, 11, 24), AS_OF) == 4


def test_a_birth_date_of_today_is_accepted() -> None:
    assert errors_of(CP, build_answers(patient__birth_date=AS_OF.isoformat())) == {}


def test_the_stroke_onset_cannot_precede_birth_or_lie_in_the_future() -> None:
    assert list(errors_of(STROKE, build_answers("stroke", stroke__onset_date="1959-01-01"))) == [
        "stroke.onset_date"
    ]
    assert list(errors_of(STROKE, build_answers("stroke", stroke__onset_date="2026-12-01"))) == [
        "stroke.onset_date"
    ]


def test_program_items_may_be_left_unanswered() -> None:
    answers = {k: v for k, v in build_answers().items() if not k.startswith("cp.")}
    assert checked(CP, answers).is_valid()


def test_an_answer_to_a_question_that_does_not_apply_is_not_kept() -> None:
    form = checked(CP, build_answers(cp__epilepsy="none", cp__seizure_free_months=12))
    assert form.is_valid() and "cp.seizure_free_months" not in form.answers
    form = checked(CP, build_answers(cp__epilepsy="controlled", cp__seizure_free_months=12))
    assert form.answers["cp.seizure_free_months"] == 12


def test_errors_are_written_in_the_active_language() -> None:
    with translation.override("es"):
        spanish = errors_of(CP, build_answers(contact__email="nope"))["contact.email"]
    with translation.override("en"):
        english = errors_of(CP, build_answers(contact__email="nope"))["contact.email"]
    assert english == "Enter a valid e-mail address."
    assert spanish != english


def test_the_form_posts_the_same_answers_as_the_api() -> None:
    answers = build_answers(cp__epilepsy="controlled", cp__seizure_free_months=8, cp__autism=False)
    query = QueryDict(mutable=True)
    for key, value in as_form(answers).items():
        if isinstance(value, list):
            query.setlist(key, value)
        else:
            query[key] = value
    form = checked(CP, query, posted=True)
    assert form.errors_by_field() == {}
    assert form.answers == answers


def test_a_form_number_that_is_not_a_number_is_named() -> None:
    query = QueryDict("cp.seizure_free_months=seven&cp.epilepsy=controlled")
    problems = checked(CP, query, posted=True, enforce_required=False).errors_by_field()
    assert list(problems) == ["cp.seizure_free_months"]


def _item_values(item) -> st.SearchStrategy[Any]:
    anything = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-5, 2000),
        st.text(max_size=12),
        st.lists(st.text(max_size=6), max_size=3),
    )
    if item.type == "choice":
        return st.one_of(st.sampled_from(item.choices), anything)
    if item.type == "multi_choice":
        return st.one_of(st.lists(st.sampled_from(item.choices), max_size=4, unique=True), anything)
    if item.type == "boolean":
        return st.one_of(st.booleans(), anything)
    if item.type == "integer":
        return st.one_of(st.integers(-3, 300), anything)
    if item.type == "date":
        return st.one_of(st.dates(date(1890, 1, 1), date(2030, 1, 1)).map(date.isoformat), anything)
    return anything


@st.composite
def cp_answer_sets(draw: st.DrawFn) -> dict[str, Any]:
    base = build_answers()
    for item in CP.items:
        if draw(st.booleans()):
            value = draw(_item_values(item))
            if value is None:
                base.pop(item.id, None)
            else:
                base[item.id] = value
    return base


@settings(max_examples=300, deadline=None)
@given(cp_answer_sets())
def test_property_validation_is_total_and_clean_answers_revalidate(answers: dict[str, Any]) -> None:
    """Any input gives either errors naming known fields or answers that check again unchanged."""
    form = checked(CP, answers)
    for error in form.field_errors():
        assert error.field in answers or error.field in {i.id for i in CP.items if i.required}
        assert error.message
    if form.is_valid():
        again = checked(CP, form.answers)
        assert again.is_valid() and again.answers == form.answers
        for item in CP.items:
            if item.id in form.answers and item.type in ("choice",):
                assert form.answers[item.id] in item.choices
