"""The public flow and harms boxes never let anyone derive a count of 1 to 9 patients:
checked over random patients (hypothesis) by an attacker who takes every sum and difference
of the published counts."""

from __future__ import annotations

from collections import Counter
from itertools import product

from hypothesis import given, settings
from hypothesis import strategies as st

from cellclinic.outcomes.boxes import box_suppression, chain_suppression

BOXES = ("total", "a", "b", "c", "d", "e")


def populations_described(members: list[frozenset[str]], shown: list[str]) -> list[int]:
    """Every combination with coefficients -1, 0 or 1 of the shown boxes' counts that,
    patient by patient, counts each patient 0 or 1 times: it describes a set of patients,
    and this is its size. Brute force over the patients, independent of the code's regions."""
    alike = Counter(members)  # patients of the same membership count alike
    sizes = []
    for coefficients in product((-1, 0, 1), repeat=len(shown)):
        if not any(coefficients):
            continue
        weights = {
            member: sum(c for c, box in zip(coefficients, shown, strict=True) if box in member)
            for member in alike
        }
        if all(w in (0, 1) for w in weights.values()):
            sizes.append(sum(w * alike[member] for member, w in weights.items()))
    return sizes


patient = st.frozensets(st.sampled_from(BOXES[1:])).map(lambda s: s | {"total"})
# groups of alike patients: 1, 9, 10, 11 or any size, so small regions are common
group = st.tuples(patient, st.sampled_from([1, 2, 5, 9, 10, 11, 12, 20]))


@settings(max_examples=300, deadline=None)
@given(st.lists(group, min_size=1, max_size=7))
def test_no_combination_of_published_boxes_describes_1_to_9_patients(groups) -> None:
    members = [m for m, n in groups for _ in range(n)]
    cells = Counter(members)
    shown = box_suppression(cells, BOXES)
    counts = {box: sum(1 for m in members if box in m) for box in BOXES}
    published = [box for box in BOXES if shown[box] and counts[box] > 0]
    for size in populations_described(members, published):
        assert size == 0 or size >= 10, (groups, shown)
    # a box of 0 describes nobody and is always shown; a total under 10 shows no patient
    assert all(shown[box] for box in BOXES if counts[box] == 0)
    if counts["total"] < 10:
        assert not published
    else:
        assert shown["total"]


def test_a_small_region_withholds_a_neighbour_not_everything() -> None:
    """25 accepted, 20 of them consented: the 5 not consented would be accepted minus
    consented, so consented is withheld; the accepted stay shown."""
    cells = Counter({frozenset({"total"}): 25, frozenset({"total", "a", "b"}): 20})
    cells[frozenset({"total", "a"})] = 5
    shown = box_suppression(cells, ("total", "a", "b"))
    assert shown == {"total": True, "a": True, "b": False}


def test_a_box_of_fewer_than_ten_and_its_complement_are_withheld() -> None:
    """30 received, 3 declined: declined is withheld, and so is every box that would give
    it back (here, the 27 not declined in one box)."""
    cells = Counter({frozenset({"total", "declined"}): 3, frozenset({"total", "other"}): 27})
    shown = box_suppression(cells, ("total", "declined", "other"))
    assert shown == {"total": True, "declined": False, "other": False}


chain = st.lists(st.integers(0, 30), min_size=2, max_size=5)


@settings(max_examples=300, deadline=None)
@given(chain)
def test_chain_differences_are_never_1_to_9(sizes) -> None:
    """A chain of nested counts (treated, then due at later and later time points)."""
    nested = sorted(sizes, reverse=True)
    counts = {f"c{i}": n for i, n in enumerate(nested)}
    names = list(counts)
    pairs = [(names[i], names[j]) for i in range(len(names)) for j in range(i + 1, len(names))]
    shown = chain_suppression(counts, total="c0", contains=pairs)
    published = [counts[n] for n in names if shown[n]]
    for i, outer in enumerate(published):
        assert outer == 0 or outer >= 10
        for inner in published[i + 1 :]:
            assert outer - inner == 0 or outer - inner >= 10
