"""Outcome statistics (programs.md section 6; `cellclinic outcomes` in interfaces.md).

For a program, a time point, a grouping and a report date (`as_of`): treated (a first
treatment date); due (treated, and the time point's follow-up window closed before the
report date, or already assessed); not yet due (treated minus due); assessed (both a
baseline and a time-point value of the primary measure); lost (due but not assessed);
improved (by the program's pre-registered definition); the rate among the assessed with its
Wilson 95% interval, and the worst-case rate (improved / due: everyone due and lost counted
as not improved). One SQL aggregate per table over `OutcomeSummary`, the same on SQLite and
PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, F, Q, Value
from django.db.models.functions import Coalesce, NullIf
from scipy.stats import binomtest

from cellclinic.lib.bands import AGE_BANDS, ONSET_BANDS
from cellclinic.lib.instruments import TIMEPOINTS
from cellclinic.outcomes.models import OutcomeSummary
from cellclinic.outcomes.summary import summary_refresh
from cellclinic.programs.schema import FollowUpPoint, ProgramDefinition
from cellclinic.programs.selectors import CurrentProgram
from cellclinic.screening.services import clinic_date

GROUP_COLUMNS = {"subtype": "subtype", "age_band": "age_band", "onset_band": "onset_band"}
# Scores are stored as floats: a difference that equals the threshold must count.
EPSILON = 1e-9


class OutcomeError(ValueError):
    """A request the table cannot answer (an unknown time point or grouping)."""


def wilson(improved: int, assessed: int) -> tuple[float, float] | None:
    """The Wilson score interval at 95% (None when nobody was assessed)."""
    if assessed == 0:
        return None
    interval = binomtest(improved, assessed).proportion_ci(confidence_level=0.95, method="wilson")
    return float(interval.low), float(interval.high)


def due_by(*, definition: ProgramDefinition, timepoint: str, as_of: date) -> date:
    """The latest last-treatment date for which `timepoint` is due on `as_of`.

    A follow-up time point is due once its window (the follow-up schedule's, from the
    program file: `FollowUpPoint.window`) has closed, its last day before the report date;
    discharge is due from the last treatment date on. A program without a schedule for the
    time point counts its months from the name (m12: 12) with no window."""
    if timepoint == "discharge":
        return as_of
    schedule = definition.followup.timepoints if definition.followup else {}
    point = schedule.get(timepoint) or FollowUpPoint.model_construct(  # type: ignore[call-overload]
        months=int(timepoint.lstrip("m")), window_days=0
    )
    return point.latest_closed(as_of)


@dataclass(frozen=True)
class Row:
    group: str
    treated: int
    due: int  # treated whose window closed by the report date, or assessed already
    assessed: int
    improved: int
    family_reported: int  # treated with a family report of any domain at the time point
    family_improved: int  # ... of whom some domain is improved

    @property
    def lost(self) -> int:
        """Due and not assessed: patients not yet due are not lost."""
        return self.due - self.assessed

    @property
    def not_yet_due(self) -> int:
        return self.treated - self.due

    def as_dict(self) -> dict[str, Any]:
        interval = wilson(self.improved, self.assessed)
        return {
            "group": self.group,
            "treated": self.treated,
            "due": self.due,
            "not_yet_due": self.not_yet_due,
            "assessed": self.assessed,
            "lost": self.lost,
            "improved": self.improved,
            "rate": self.improved / self.assessed if self.assessed else None,
            "ci95": list(interval) if interval else None,
            "worst_case_rate": self.improved / self.due if self.due else None,
        }

    def family(self) -> dict[str, Any]:
        """The family-reported "any domain improved" rate: a different, softer measure."""
        interval = wilson(self.family_improved, self.family_reported)
        return {
            "reported": self.family_reported,
            "any_domain_improved": self.family_improved,
            "rate": self.family_improved / self.family_reported if self.family_reported else None,
            "ci95": list(interval) if interval else None,
        }


def groups_of(definition: ProgramDefinition, by: str) -> list[str]:
    """Every group of a grouping, in order, so an empty group still shows as empty."""
    assert definition.outcomes is not None  # nosec B101  # narrows the type for mypy, not a check of input
    if by == "subtype":
        return list(definition.item(definition.outcomes.subtype_item).choices)
    if by == "age_band":
        return list(AGE_BANDS)
    if by == "onset_band":
        return list(ONSET_BANDS)
    return ["1", "2", "3", "4", "5", "unknown"]


def outcome_rows(
    *, program: CurrentProgram, timepoint: str, by: str | None, as_of: date | None = None
) -> list[Row]:
    """The outcome table's rows: one per group of `by` (all groups, empty ones too), or a
    single overall row when `by` is None, as of a report date (default: today at the
    clinic). One aggregate over the per-patient summary."""
    definition = program.definition
    outcomes = definition.outcomes
    if outcomes is None:
        raise OutcomeError(f"{program.slug} has no outcome measures")
    if timepoint not in TIMEPOINTS or timepoint == "baseline":
        raise OutcomeError(f"the time point must be one of {', '.join(TIMEPOINTS[1:])}")
    if by is not None and by not in outcomes.groupings:
        raise OutcomeError(f"{program.slug} is grouped by {', '.join(outcomes.groupings)}")
    improved = outcomes.improved
    program_id = program.version.program_id
    summaries = OutcomeSummary.objects.filter(program_id=program_id)
    # Two index seeks (program, measure), where `exclude()` would scan every row.
    if (
        summaries.filter(measure__lt=improved.measure).exists()
        or summaries.filter(measure__gt=improved.measure).exists()
    ):
        summary_refresh(program_id=program_id)  # a new version chose another primary measure
    at, base = F(f"score_{timepoint}"), F("score_baseline")
    change = at - base if improved.direction == "increase" else base - at
    if by == "gmfcs":
        group: Any = Coalesce(NullIf(F("gmfcs_baseline"), Value("")), Value("unknown"))
    elif by is not None:
        group = F(GROUP_COLUMNS[by])
    else:
        group = Value("overall")
    both = Q(score_baseline__isnull=False, **{f"score_{timepoint}__isnull": False})
    # Assessed patients count as due even before their window closes: nobody assessed is
    # left out of a denominator.
    cutoff = due_by(definition=definition, timepoint=timepoint, as_of=as_of or clinic_date())
    due = Q(last_treatment__lte=cutoff) | both
    counted = (
        summaries.filter(treated=True)
        .annotate(group=group, change=change)
        .values("group")
        .annotate(
            treated=Count("pk"),
            due=Count("pk", filter=due),
            assessed=Count("pk", filter=both),
            improved=Count("pk", filter=both & Q(change__gte=improved.threshold - EPSILON)),
            family_reported=Count("pk", filter=Q(**{f"family_{timepoint}__gte": 1})),
            family_improved=Count("pk", filter=Q(**{f"family_{timepoint}": 2})),
        )
        .order_by()
    )
    found = {
        str(r["group"]): Row(
            group=str(r["group"]),
            treated=r["treated"],
            due=r["due"],
            assessed=r["assessed"],
            improved=r["improved"],
            family_reported=r["family_reported"],
            family_improved=r["family_improved"],
        )
        for r in counted
    }
    names = groups_of(definition, by) if by else ["overall"]
    extra = sorted(set(found) - set(names))  # a value the file no longer lists: still counted
    return [found.get(name) or Row(name, 0, 0, 0, 0, 0, 0) for name in [*names, *extra]]


def _total(rows: list[Row]) -> Row:
    return Row(
        "overall",
        sum(r.treated for r in rows),
        sum(r.due for r in rows),
        sum(r.assessed for r in rows),
        sum(r.improved for r in rows),
        sum(r.family_reported for r in rows),
        sum(r.family_improved for r in rows),
    )


def outcome_table(
    *, program: CurrentProgram, timepoint: str, by: str | None, as_of: date | None = None
) -> dict[str, Any]:
    """The table of interfaces.md (`cellclinic outcomes --format json`), plus the family-
    reported rate under `family_reported`, labelled as such. `as_of` is the report date
    (default: today at the clinic) that decides which patients are due; the table names it
    and the definition's version at its top level."""
    as_of = as_of or clinic_date()
    rows = outcome_rows(program=program, timepoint=timepoint, by=by, as_of=as_of)
    overall = _total(rows)
    outcomes = program.definition.outcomes
    assert outcomes is not None  # nosec B101  # narrows the type for mypy, not a check of input
    return {
        "program": program.slug,
        "timepoint": timepoint,
        "by": by,
        "as_of": as_of.isoformat(),
        "definition_version": outcomes.improved.version,
        "definition": {
            "id": outcomes.improved.id,
            "version": outcomes.improved.version,
            "measure": outcomes.improved.measure,
            "direction": outcomes.improved.direction,
            "threshold": outcomes.improved.threshold,
        },
        **figures_of(rows if by else [], overall),
    }


def figures_of(groups: list[Row], overall: Row) -> dict[str, Any]:
    """The table's figures: each group's row, the overall and the family-reported rates."""
    return {
        "groups": [r.as_dict() for r in groups],
        "overall": {k: v for k, v in overall.as_dict().items() if k != "group"},
        "family_reported": {
            "label": "family-reported: any domain improved (not the pre-registered measure)",
            "groups": [{"group": r.group, **r.family()} for r in groups],
            "overall": overall.family(),
        },
    }
