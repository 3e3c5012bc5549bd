"""Which counts of overlapping sets of patients may be published (the flow and the harms).

The outcome tables cut one population by one grouping (disclosure.py). The flow diagram and
the harms figures publish counts of sets that overlap and nest in several ways at once
(screened by decision, reached a consultation, declined, accepted; any adverse event,
serious, related). The same promise holds for them: **no published count, and no sum or
difference of published counts, describes 1 to 9 patients.**

The rule used, `box_suppression`: take every patient's membership of the boxes that are
shown; patients with the same membership form a *region* (a cell of the Venn diagram of the
shown boxes). Every count anyone can compute from the shown counts that describes a set of
patients describes a union of whole regions (a count that is the same linear combination of
the box counts for every possible data describes each region wholly or not at all). So when
every region has 0 or at least `PUBLIC_MINIMUM` patients, so does every such set. Boxes of 1
to 9 patients are withheld first; then, while some region has 1 to 9 patients, more boxes
are withheld (complementary suppression: the fewest boxes whose withholding merges that
region with another non-empty one, the smaller boxes on a tie). Withholding boxes only
merges regions, so it ends; at worst only the total is left, and it is shown only from 10
patients. A box of 0 is always shown
(it describes nobody and splits no region).

`chain_suppression` is the weaker rule for counts known only as totals (the registry's
follow-up at each time point, from the outcome table): each shown count is 0 or at least 10
and so is the difference of every shown pair of which one is known to contain the other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from cellclinic.outcomes.disclosure import PUBLIC_MINIMUM, publishable


def box_counts(cells: Mapping[frozenset[str], int], boxes: Sequence[str]) -> dict[str, int]:
    """Each box's count from the patients' memberships (`cells`: membership -> patients)."""
    return {box: sum(n for cell, n in cells.items() if box in cell) for box in boxes}


def regions_of(cells: Mapping[frozenset[str], int], shown: Iterable[str]) -> Counter[frozenset]:
    """The patients of each region of the shown boxes. Patients in no shown box form no
    published population when the total is withheld, so the empty membership is left out."""
    visible = frozenset(shown)
    regions: Counter[frozenset] = Counter()
    for cell, n in cells.items():
        regions[cell & visible] += n
    regions.pop(frozenset(), None)
    return regions


def _to_withhold(
    key: frozenset[str], regions: Counter[frozenset], counts: dict[str, int]
) -> frozenset[str]:
    """The boxes to withhold for a region of 1 to 9 patients: the fewest boxes whose
    withholding merges it with another non-empty region (the boxes in one of the two
    regions but not the other), the smaller boxes on a tie."""
    others = [other for other, n in regions.items() if other != key and n > 0]
    best = min(
        others,
        key=lambda other: (
            len(key ^ other),
            sum(counts[b] for b in key ^ other),
            sorted(key ^ other),
        ),
    )
    return key ^ best


def box_suppression(cells: Mapping[frozenset[str], int], boxes: Sequence[str]) -> dict[str, bool]:
    """Which boxes may be shown. `boxes[0]` is the total: every patient is in it.

    `cells` maps each membership (the set of boxes a patient is in) to its patients."""
    counts = box_counts(cells, boxes)
    if counts[boxes[0]] < PUBLIC_MINIMUM:
        return {box: counts[box] == 0 for box in boxes}
    shown = {box: publishable(counts[box]) for box in boxes}
    while True:
        others = [b for b in boxes[1:] if shown[b] and counts[b] > 0]
        regions = regions_of(cells, [boxes[0], *others])
        small = sorted((n, sorted(key)) for key, n in regions.items() if not publishable(n))
        if not small:
            return shown
        # The total has 10 or more, so beside a region of 1 to 9 there is another
        # non-empty region; every region holds the total, so it is never withheld.
        for box in _to_withhold(frozenset(small[0][1]), regions, counts):
            shown[box] = False


def chain_suppression(
    counts: Mapping[str, int], *, total: str, contains: Iterable[tuple[str, str]]
) -> dict[str, bool]:
    """Which counts may be shown, for counts known only as totals. Every count is 0 or at
    least 10 (all but zeros are withheld when the total is under 10); for each pair
    (outer, inner) with inner a subset of outer, both shown, outer - inner is 0 or at least
    10, else the inner count is withheld too."""
    shown = {box: publishable(n) for box, n in counts.items()}
    if counts[total] < PUBLIC_MINIMUM:
        return {box: n == 0 for box, n in counts.items()}
    pairs = list(contains)
    changed = True
    while changed:
        changed = False
        for outer, inner in pairs:
            if shown[outer] and shown[inner] and not publishable(counts[outer] - counts[inner]):
                shown[inner] = False
                changed = True
    return shown
