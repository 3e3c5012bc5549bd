"""Who is due at a report date, checked by hypothesis over random registries (treatment
dates, assessments before or after the window, report dates) against counts computed here
in plain Python from the program file's numbers: treated, due, assessed, lost, not yet due.
Run on SQLite and, with DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cellclinic.outcomes.registry import registry_import
from cellclinic.outcomes.statistics import outcome_table
from cellclinic.programs.selectors import program_get

pytestmark = pytest.mark.django_db

SUBTYPES = ("spastic", "dyskinetic", "ataxic")
TIMEPOINTS = ("discharge", "m1", "m3", "m6", "m12")
START = date(2024, 1, 1)


@st.composite
def patients(draw: st.DrawFn) -> dict:
    first = START + timedelta(days=draw(st.integers(0, 700)))
    last = draw(st.one_of(st.none(), st.integers(0, 40)))
    # Month ends are where "a month later" is least obvious.
    if draw(st.booleans()):
        first = date(first.year, first.month, 28) + timedelta(days=draw(st.integers(0, 3)))
    return {
        "subtype": draw(st.sampled_from(SUBTYPES)),
        "treated": draw(st.integers(0, 9)) > 0,
        "first": first,
        "last": first + timedelta(days=last) if last is not None else None,
        "baseline": draw(st.booleans()),
        "at": {tp: draw(st.booleans()) for tp in TIMEPOINTS},
    }


def load(cohort: list[dict]) -> None:
    rows = ["patient_id,program,subtype,sex,birth_date,onset_date,first_treatment,last_treatment"]
    values = ["patient_id,timepoint,date,instrument,item,value"]
    for i, p in enumerate(cohort):
        first = p["first"].isoformat() if p["treated"] else ""
        last = p["last"].isoformat() if p["treated"] and p["last"] else ""
        rows.append(f"d{i},cerebral-palsy,{p['subtype']},female,2018-01-01,,{first},{last}")
        if p["baseline"]:
            values.append(f"d{i},baseline,{p['first'].isoformat()},gmfm66,,50")
        for tp, present in p["at"].items():
            if present:  # the date an early assessment was made does not matter
                values.append(f"d{i},{tp},{p['first'].isoformat()},gmfm66,,52")
    result = registry_import(
        patients=io.StringIO("\n".join(rows) + "\n"),
        assessments=io.StringIO("\n".join(values) + "\n"),
    )
    assert result.ok, result.errors


def counted(cohort: list[dict], timepoint: str, as_of: date, windows: dict) -> dict:
    """The expected figures by subtype, from the rules of docs/outcomes.md."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for p in cohort:
        if not p["treated"]:
            continue
        row = out[p["subtype"]]
        row["treated"] += 1
        assessed = p["baseline"] and p["at"][timepoint]
        if p["last"] is None:
            closed = False
        elif timepoint == "discharge":
            closed = p["last"] <= as_of
        else:
            months, days = windows[timepoint]
            closed = p["last"] + relativedelta(months=months) + timedelta(days=days) < as_of
        if closed or assessed:
            row["due"] += 1
            if assessed:
                row["assessed"] += 1
            else:
                row["lost"] += 1
        else:
            row["not_yet_due"] += 1
    return out


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(patients(), min_size=0, max_size=25),
    st.integers(0, 1300),
    st.sampled_from(TIMEPOINTS),
)
def test_due_assessed_lost_and_not_yet_due_match_a_plain_computation(
    cohort, offset, timepoint
) -> None:
    current = program_get(slug="cerebral-palsy")
    assert current is not None and current.definition.followup is not None
    windows = {
        tp: (point.months, point.window_days)
        for tp, point in current.definition.followup.timepoints.items()
    }
    as_of = START + timedelta(days=offset)
    with transaction.atomic():
        load(cohort)
        table = outcome_table(program=current, timepoint=timepoint, by="subtype", as_of=as_of)
        transaction.set_rollback(True)
    want = counted(cohort, timepoint, as_of, windows)
    keys = ("treated", "due", "assessed", "lost", "not_yet_due")
    for group in table["groups"]:
        if group["group"] in SUBTYPES:
            assert {k: group[k] for k in keys} == {k: want[group["group"]][k] for k in keys}, group[
                "group"
            ]
    overall = table["overall"]
    assert {k: overall[k] for k in keys} == {k: sum(w[k] for w in want.values()) for k in keys}
    if overall["due"]:
        assert overall["worst_case_rate"] == overall["improved"] / overall["due"]
    assert table["as_of"] == as_of.isoformat()


def test_a_patient_is_due_the_day_after_the_window_closes() -> None:
    """Last treatment 31 January 2025: one month later is 28 February, the window (7 days)
    ends on 7 March; due on 8 March, not on 7 March."""
    load(
        [
            {
                "subtype": "spastic",
                "treated": True,
                "first": date(2025, 1, 20),
                "last": date(2025, 1, 31),
                "baseline": True,
                "at": dict.fromkeys(TIMEPOINTS, False),
            }
        ]
    )
    current = program_get(slug="cerebral-palsy")
    before = outcome_table(program=current, timepoint="m1", by=None, as_of=date(2025, 3, 7))
    after = outcome_table(program=current, timepoint="m1", by=None, as_of=date(2025, 3, 8))
    assert (before["overall"]["due"], before["overall"]["not_yet_due"]) == (0, 1)
    assert before["overall"]["lost"] == 0 and before["overall"]["worst_case_rate"] is None
    assert (after["overall"]["due"], after["overall"]["lost"]) == (1, 1)
