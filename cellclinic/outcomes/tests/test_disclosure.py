"""The public outcome table never lets anyone derive a count of 1 to 9 patients: checked
over random registries (hypothesis) by an attacker who has only the published numbers."""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cellclinic.outcomes.disclosure import (
    DUE_FIELDS,
    FAMILY_FIELDS,
    RESULT_FIELDS,
    complementary_suppression,
    public_table,
)
from cellclinic.outcomes.statistics import Row, figures_of

SMALL = range(1, 10)
INFINITE = 10**9


def table_of(rows: list[Row], *, nobody: Row | None = None, grouped: bool = True) -> dict[str, Any]:
    """An outcome table as `statistics.outcome_table` makes it. `nobody` are patients
    counted in the overall but in no group (a value missing from the grouping field)."""
    everyone = [*rows, nobody] if nobody else rows
    overall = Row(
        "overall",
        *(sum(getattr(r, f) for r in everyone) for f in Row.__dataclass_fields__ if f != "group"),
    )
    return {
        "program": "cerebral-palsy",
        "timepoint": "m12",
        "by": "subtype" if grouped else None,
        "as_of": "2026-11-28",
        "definition_version": "1",
        "definition": {"id": "cp-gmfm66-mcid", "version": "1"},
        **figures_of(rows if grouped else [], overall),
    }


# --- the attacker: everything derivable from the published numbers alone ---------------


def _recovered_due(row: dict[str, Any]) -> set[int]:
    """Every way a row's published figures give back its due count."""
    found = set()
    if row["due"] is not None:
        found.add(row["due"])
    if row["treated"] is not None and row["not_yet_due"] is not None:
        found.add(row["treated"] - row["not_yet_due"])
    if row["assessed"] is not None and row["lost"] is not None:
        found.add(row["assessed"] + row["lost"])
    if row["improved"] and row["worst_case_rate"]:
        found.add(round(row["improved"] / row["worst_case_rate"]))
    return found


def _recovered_assessed(row: dict[str, Any]) -> set[int]:
    """Every way a row's published figures give back its assessed count."""
    found = set()
    if row["assessed"] is not None:
        found.add(row["assessed"])
    due = next(iter(_recovered_due(row)), None)
    if due is not None and row["lost"] is not None:
        found.add(due - row["lost"])
    improved = row["improved"]
    if improved is None and row["worst_case_rate"] is not None and due is not None:
        improved = round(row["worst_case_rate"] * due)
    if improved and row["rate"]:
        found.add(round(improved / row["rate"]))
    return found


def _recovered_reported(row: dict[str, Any]) -> set[int]:
    found = set()
    if row["reported"] is not None:
        found.add(row["reported"])
    if row["any_domain_improved"] and row["rate"]:
        found.add(round(row["any_domain_improved"] / row["rate"]))
    return found


def _populations(published: dict[str, Any]) -> dict[str, tuple[int | None, dict[str, int]]]:
    """Per population (treated, due, assessed, reported): the overall's count if it can be
    read,
    and each group's count that can be read, from the published figures."""

    def one(values: set[int]) -> int | None:
        assert len(values) <= 1, values  # the figures of a row agree with each other
        return next(iter(values), None)

    family = {row["group"]: row for row in published["family_reported"]["groups"]}
    out: dict[str, tuple[int | None, dict[str, int]]] = {}
    out["treated"] = (
        published["overall"]["treated"],
        {g["group"]: g["treated"] for g in published["groups"] if g["treated"] is not None},
    )
    due = {g["group"]: one(_recovered_due(g)) for g in published["groups"]}
    out["due"] = (
        one(_recovered_due(published["overall"])),
        {name: value for name, value in due.items() if value is not None},
    )

    assessed = {g["group"]: one(_recovered_assessed(g)) for g in published["groups"]}
    out["assessed"] = (
        one(_recovered_assessed(published["overall"])),
        {name: value for name, value in assessed.items() if value is not None},
    )
    reported = {name: one(_recovered_reported(row)) for name, row in family.items()}
    out["reported"] = (
        one(_recovered_reported(published["family_reported"]["overall"])),
        {name: value for name, value in reported.items() if value is not None},
    )
    return out


def derivable_counts(published: dict[str, Any]) -> list[tuple[str, int]]:
    """Every count of patients the published table gives, exactly: each published figure,
    the overall minus any set of published groups, any sum of published groups, and what
    the bounds 0 <= assessed <= due <= treated and 0 <= reported <= treated pin down for
    any set of withheld groups (with anyone in no group as one more withheld group).

    "Not yet due" (treated minus due) and "lost" (due minus assessed) are counts within a
    published population of 10 or more, as docs/outcomes.md explains: they are used to
    recover due and assessed, not checked as populations of their own."""
    found: list[tuple[str, int]] = []
    populations = _populations(published)
    names = [g["group"] for g in published["groups"]]
    treated_total, treated = populations["treated"]
    pool_bound = (
        treated_total - sum(treated.values()) if treated_total is not None else INFINITE
    )  # what the groups withheld, and anyone in no group, have together
    for population, (total, shown) in populations.items():
        values = list(shown.items())
        for size in range(1, len(values) + 1):
            for chosen in combinations(values, size):
                part = sum(v for _, v in chosen)
                label = "+".join(n for n, _ in chosen)
                found.append((f"{population} of {label}", part))
                if total is not None:
                    found.append((f"{population} of overall - ({label})", total - part))
        if total is not None:
            found.append((f"{population} of overall", total))
        if population == "treated" or total is None:
            continue
        # Bounds: each withheld group's count is at most its published treated count, the
        # withheld treated counts (and anyone in no group) together at most pool_bound.
        hidden = [n for n in names if n not in shown] + ["(no group)"]
        withheld = total - sum(shown.values())

        # The assessed are also at most the due, where a group's due count is published.
        within = {**treated, **(populations["due"][1] if population == "assessed" else {})}

        def capacity(members: tuple[str, ...], within: dict[str, int] = within) -> int:
            known = sum(within[n] for n in members if n in within)
            pooled = any(n not in within for n in members)
            return known + (pool_bound if pooled else 0)

        for size in range(1, len(hidden) + 1):
            for members in combinations(hidden, size):
                rest = tuple(n for n in hidden if n not in members)
                high = min(withheld, capacity(members))
                low = max(0, withheld - capacity(rest))
                if low == high:
                    found.append((f"{population} of {'+'.join(members)} (by bounds)", low))
    return found


def leaks(published: dict[str, Any]) -> list[tuple[str, int]]:
    return [(what, n) for what, n in derivable_counts(published) if n in SMALL]


# --- random registries -------------------------------------------------------------------

EDGES = (0, 1, 2, 9, 10, 11, 12, 19, 20)


def count_up_to(most: int) -> st.SearchStrategy[int]:
    edges = [v for v in (0, 1, 9, 10, 11, most - 1, most) if 0 <= v <= most]
    return st.one_of(st.sampled_from(edges), st.integers(0, most))


@st.composite
def rows(draw: st.DrawFn, name: str, sizes: st.SearchStrategy[int]) -> Row:
    treated = draw(sizes)
    due = draw(count_up_to(treated))
    assessed = draw(count_up_to(due))
    reported = draw(count_up_to(treated))
    return Row(
        name,
        treated,
        due,
        assessed,
        draw(count_up_to(assessed)),
        reported,
        draw(count_up_to(reported)),
    )


SIZES = st.one_of(st.sampled_from(EDGES), st.integers(0, 40))
GROUPS = ("spastic", "dyskinetic", "ataxic", "atonic", "mixed", "unknown")


@st.composite
def outcome_tables(draw: st.DrawFn) -> dict[str, Any]:
    grouped = draw(st.booleans())
    count = draw(st.integers(1, len(GROUPS)))
    groups = [draw(rows(name, SIZES)) for name in GROUPS[:count]]
    nobody = draw(st.one_of(st.none(), rows("nobody", st.sampled_from((0, 1, 3, 9, 10, 12)))))
    return table_of(groups, nobody=nobody, grouped=grouped)


def assert_only_withheld(exact: dict[str, Any], published: dict[str, Any]) -> None:
    """Nothing is altered: every figure is the exact one or null in a withheld row."""
    pairs = [
        *zip(exact["groups"], published["groups"], strict=True),
        (exact["overall"], published["overall"]),
        *zip(
            exact["family_reported"]["groups"], published["family_reported"]["groups"], strict=True
        ),
        (exact["family_reported"]["overall"], published["family_reported"]["overall"]),
    ]
    for true, shown in pairs:
        for key, value in true.items():
            assert shown[key] == value or (shown[key] is None and shown["withheld"]), key
        nulls = {key for key, value in shown.items() if value is None and true[key] is not None}
        assert shown["withheld"] == bool(nulls)


@settings(max_examples=400, deadline=None)
@given(outcome_tables())
def test_no_count_of_1_to_9_patients_can_be_derived(table) -> None:
    published = public_table(table)
    assert leaks(published) == []
    assert_only_withheld(table, published)


@settings(max_examples=150, deadline=None)
@given(outcome_tables())
def test_results_are_shown_or_withheld_together_and_only_beside_a_due_count(table) -> None:
    """No rate, interval or worst case without the counts it describes: the attacker's
    recovery of counts from rates finds nothing the table does not say."""
    published = public_table(table)
    for row in [*published["groups"], published["overall"]]:
        # (rate, interval and worst case are also null when their denominator is 0)
        results = [
            row[f] is None for f in RESULT_FIELDS if f not in ("rate", "ci95", "worst_case_rate")
        ]
        assert len(set(results)) == 1
        assert (row["due"] is None) == (row["not_yet_due"] is None)
        if row["assessed"] is None:
            assert row["rate"] is None and row["ci95"] is None and row["worst_case_rate"] is None
        else:
            assert row["due"] is not None
        if row["due"] is not None:
            assert row["treated"] is not None
    for row in [*published["family_reported"]["groups"], published["family_reported"]["overall"]]:
        if row["reported"] is None:
            assert all(row[f] is None for f in FAMILY_FIELDS)


@settings(max_examples=150, deadline=None)
@given(outcome_tables(), st.randoms(use_true_random=False))
def test_which_treated_counts_are_shown_depends_on_the_treated_counts_only(table, random) -> None:
    """Another time point has the same treated counts and other results: the same treated
    counts are shown, so two time points cannot be differenced to find a small group."""
    rows_now = [
        Row(g["group"], g["treated"], g["due"], g["assessed"], g["improved"], 0, 0)
        for g in table["groups"]
    ]
    other = []
    for row in rows_now:
        due = random.randint(0, row.treated)
        assessed = random.randint(0, due)
        reported = random.randint(0, row.treated)
        other.append(
            Row(row.group, row.treated, due, assessed, random.randint(0, assessed), reported, 0)
        )
    nobody_treated = table["overall"]["treated"] - sum(r.treated for r in rows_now)
    later = table_of(other, nobody=Row("nobody", nobody_treated, 0, 0, 0, 0, 0))
    now = public_table(table)
    then = public_table(later)
    assert [g["treated"] for g in now["groups"]] == [g["treated"] for g in then["groups"]]
    assert now["overall"]["treated"] == then["overall"]["treated"]


@settings(max_examples=100, deadline=None)
@given(st.lists(rows("g", st.integers(10, 60)), min_size=1, max_size=6))
def test_nothing_is_withheld_when_no_population_is_small(groups) -> None:
    named = [
        replace(r, group=f"g{i}")
        for i, r in enumerate(groups)
        if all(v == 0 or v >= 10 for v in (r.due, r.assessed, r.family_reported))
    ]
    if not named:
        return
    published = public_table(table_of(named))
    rows_out = [*published["groups"], published["overall"], *published["family_reported"]["groups"]]
    assert not any(row["withheld"] for row in rows_out)


def test_twelve_spastic_and_one_dyskinetic_patient_no_longer_leak() -> None:
    """The issue's case: overall minus spastic was the lone dyskinetic patient's result."""
    table = table_of(
        [
            Row("spastic", 12, 12, 12, 5, 12, 6),
            Row("dyskinetic", 1, 1, 1, 1, 1, 1),
            Row("ataxic", 0, 0, 0, 0, 0, 0),
        ]
    )
    published = public_table(table)
    groups = {g["group"]: g for g in published["groups"]}
    assert groups["spastic"]["withheld"] and groups["spastic"]["treated"] is None
    assert groups["dyskinetic"]["treated"] is None
    assert published["overall"]["treated"] == 13 and published["overall"]["improved"] == 6
    assert leaks(published) == []
    # The attacker of this file does find the lone patient in the old, group-by-group rule.
    old = {**published, "groups": [{**g, "withheld": False} for g in table["groups"]]}
    old["groups"][1] = {
        **old["groups"][1],
        **dict.fromkeys(("treated", *DUE_FIELDS, *RESULT_FIELDS)),
    }
    assert ("treated of overall - (spastic)", 1) in leaks(old)


def test_a_group_keeps_its_treated_count_when_only_its_results_are_few() -> None:
    table = table_of([Row("spastic", 30, 30, 25, 10, 20, 9), Row("mixed", 12, 12, 3, 1, 0, 0)])
    published = public_table(table)
    mixed = published["groups"][1]
    assert mixed["treated"] == 12 and mixed["assessed"] is None and mixed["rate"] is None
    assert mixed["withheld"] is True
    spastic = published["groups"][0]
    # Its results would give the mixed group's 3 assessed away (28 - 25): withheld too.
    assert spastic["treated"] == 30 and spastic["assessed"] is None
    assert published["overall"]["assessed"] == 28
    assert published["family_reported"]["groups"][1] == {
        "group": "mixed",
        "reported": 0,
        "any_domain_improved": 0,
        "rate": None,
        "ci95": None,
        "withheld": False,
    }
    assert leaks(published) == []


def test_one_more_group_is_withheld_the_smallest_of_those_shown() -> None:
    assert complementary_suppression(
        total=53, counts=[20, 1, 12, 20], candidates=[True, False, True, True]
    ) == [True, False, False, True]
    assert complementary_suppression(
        total=52, counts=[20, 0, 12, 20], candidates=[True, False, True, True]
    ) == [True, False, True, True]  # nobody withheld: nothing more to hide
    assert complementary_suppression(total=None, counts=[3, 0], candidates=[False, True]) == [
        False,
        True,
    ]  # no overall to take a difference with


def test_a_few_due_with_nobody_assessed_are_withheld_but_a_few_not_yet_due_are_counted() -> None:
    """Due is the population the worst case and the lost describe: 3 due (none assessed)
    are not published; 3 not yet due among 12 treated are a count within the 12."""
    young = public_table(table_of([Row("spastic", 12, 3, 0, 0, 0, 0)], grouped=False))
    assert young["overall"]["treated"] == 12
    assert young["overall"]["due"] is None and young["overall"]["not_yet_due"] is None
    assert young["overall"]["lost"] is None and young["overall"]["worst_case_rate"] is None
    older = public_table(table_of([Row("spastic", 13, 10, 10, 4, 0, 0)], grouped=False))
    assert (older["overall"]["due"], older["overall"]["not_yet_due"]) == (10, 3)
    assert older["overall"]["worst_case_rate"] == 0.4 and not older["overall"]["withheld"]
    assert leaks(young) == [] and leaks(older) == []


def test_a_group_few_of_whom_are_due_is_withheld_with_its_complement() -> None:
    table = table_of([Row("spastic", 30, 20, 20, 8, 0, 0), Row("mixed", 12, 4, 0, 0, 0, 0)])
    published = public_table(table)
    spastic, mixed = published["groups"]
    assert mixed["treated"] == 12 and mixed["due"] is None and mixed["withheld"]
    # Spastic's due (20) would give mixed's 4 due away (24 - 20): withheld too.
    assert spastic["treated"] == 30 and spastic["due"] is None and spastic["assessed"] is None
    assert published["overall"]["due"] == 24 and published["overall"]["assessed"] == 20
    assert leaks(published) == []
