"""What of an outcome table may be published: the one rule for every public figure.

The public program page and `GET /api/v1/programs/<id>/outcomes` (for anyone who is not
staff) show `public_table(outcome_table(...))`; staff see the exact table. The rule, with
its reasons, is written out in docs/outcomes.md ("What the public sees").

Every figure describes a population of patients:

- **treated** describes the patients of the row;
- **due, not_yet_due** describe the patients due at the time point (not yet due is treated
  minus due, so it gives due back);
- **assessed, lost, improved, rate, ci95, worst_case_rate** ("the results") describe the
  assessed patients: the rate and its interval give back improved and assessed, the
  worst-case rate gives back improved from due, lost gives back assessed from due, so the
  results are shown only beside a shown due count;
- the family-reported **reported, any_domain_improved, rate, ci95** describe the patients
  whose family answered.

A population is publishable when it is empty or has at least `PUBLIC_MINIMUM` patients
(zero describes nobody). No published figure, and no difference of published figures of
one table (the overall minus a group, the overall minus several groups), may describe a
population of 1 to 9 patients. Each of the three populations is protected on its own:

1. the overall's treated count is shown only from 10 patients; its due counts only when it
   is shown and its due count is publishable; its results only when its due counts are
   shown and its assessed count is publishable; its family figures when its treated count
   is shown and its count of families who answered is publishable;
2. a group's treated count is shown only from 10 patients; its due counts, its results and
   its family figures likewise, each only beside the count it is a part of (due beside
   treated, results beside due, family beside treated) and when its own population is
   publishable;
3. complementary suppression: when the overall's count of a population is shown, what is
   withheld of it (the overall minus the groups shown, which includes anyone in no group)
   must itself be publishable. When it would be 1 to 9, the smallest group still shown
   with at least 10 is withheld too. One more group always suffices: the withheld total
   then has 10 or more, and such a group exists because the overall has at least 10.

The treated counts of a grouping do not depend on the time point, so neither does which
of them are shown (they are decided from the treated counts alone): tables of several time
points cannot be differenced to find a small group. The overall is decided from its own
counts alone, so it is the same in every grouping and on the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

PUBLIC_MINIMUM = 10  # no public figure describes fewer patients than this (but none)

DUE_FIELDS = ("due", "not_yet_due")
RESULT_FIELDS = ("assessed", "lost", "improved", "rate", "ci95", "worst_case_rate")
FAMILY_FIELDS = ("reported", "any_domain_improved", "rate", "ci95")


def publishable(count: int) -> bool:
    """A population may be described in public when it is empty or has 10 or more."""
    return count == 0 or count >= PUBLIC_MINIMUM


def complementary_suppression(
    *, total: int | None, counts: Sequence[int], candidates: Sequence[bool]
) -> list[bool]:
    """Which groups may show their count of one population.

    `counts` are the groups' counts, `candidates` the groups that may be shown on their own
    (each candidate's count is 0 or at least 10). `total` is the overall's count when it is
    shown, None when it is withheld (then no difference with it can be taken).

    The withheld remainder, total minus the groups shown, is kept at 0 or at least 10 by
    withholding the smallest shown group of 10 or more (the first in table order on a tie).
    """
    shown = list(candidates)
    if total is None:
        return shown
    withheld = total - sum(count for count, show in zip(counts, shown, strict=True) if show)
    if publishable(withheld):
        return shown
    large = [i for i, show in enumerate(shown) if show and counts[i] >= PUBLIC_MINIMUM]
    if not large:  # cannot happen (see the module's docstring); withhold all to be safe
        return [False] * len(shown)
    shown[min(large, key=lambda i: counts[i])] = False
    return shown


def _withheld(row: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    return {**row, **dict.fromkeys(fields), "withheld": True}


def _main_row(row: dict[str, Any], *, treated: bool, due: bool, results: bool) -> dict[str, Any]:
    if not treated:
        return _withheld(row, ("treated", *DUE_FIELDS, *RESULT_FIELDS))
    if not due:
        return _withheld(row, (*DUE_FIELDS, *RESULT_FIELDS))
    if not results:
        return _withheld(row, RESULT_FIELDS)
    return {**row, "withheld": False}


def _family_row(row: dict[str, Any], *, shown: bool) -> dict[str, Any]:
    return {**row, "withheld": False} if shown else _withheld(row, FAMILY_FIELDS)


def _reported_by_group(groups: list[dict[str, Any]], family: dict[str, Any]) -> list[int]:
    """Each group's count of patients whose family answered (0 for a group with no row)."""
    family_of = {row["group"]: row for row in family["groups"]}
    return [family_of[g["group"]]["reported"] if g["group"] in family_of else 0 for g in groups]


def _shown_within(total: int | None, counts: list[int], within: list[bool]) -> list[bool]:
    """Which groups may show their count of a population within a larger one of the row
    (the due within the treated, the assessed within the due, the answered within the
    treated): only a group whose larger count is shown and whose own count is publishable,
    then complementary suppression against the overall's `total`."""
    return complementary_suppression(
        total=total,
        counts=counts,
        candidates=[show and publishable(c) for c, show in zip(counts, within, strict=True)],
    )


def public_table(table: dict[str, Any]) -> dict[str, Any]:
    """The outcome table (statistics.outcome_table) as anyone may see it.

    The same shape, nothing changed but withheld: a withheld figure is null and its row says
    `"withheld": true` (a row may keep its treated count and withhold its results). See the
    module's docstring for the rule.
    """
    overall = table["overall"]
    family = table["family_reported"]
    groups = table["groups"]
    reported = _reported_by_group(groups, family)

    overall_treated = overall["treated"] >= PUBLIC_MINIMUM
    overall_due = overall_treated and publishable(overall["due"])
    overall_results = overall_due and publishable(overall["assessed"])
    overall_family = overall_treated and publishable(family["overall"]["reported"])

    treated = complementary_suppression(
        total=overall["treated"] if overall_treated else None,
        counts=[g["treated"] for g in groups],
        candidates=[g["treated"] >= PUBLIC_MINIMUM for g in groups],
    )
    due = _shown_within(
        overall["due"] if overall_due else None, [g["due"] for g in groups], treated
    )
    results = _shown_within(
        overall["assessed"] if overall_results else None,
        [g["assessed"] for g in groups],
        due,
    )
    answered = _shown_within(
        family["overall"]["reported"] if overall_family else None, reported, treated
    )
    shown_family = {g["group"]: show for g, show in zip(groups, answered, strict=True)}
    return {
        **table,
        "groups": [
            _main_row(g, treated=t, due=d, results=r)
            for g, t, d, r in zip(groups, treated, due, results, strict=True)
        ],
        "overall": _main_row(
            overall, treated=overall_treated, due=overall_due, results=overall_results
        ),
        "family_reported": {
            **family,
            "groups": [
                _family_row(row, shown=shown_family.get(row["group"], False))
                for row in family["groups"]
            ],
            "overall": _family_row(family["overall"], shown=overall_family),
        },
    }
