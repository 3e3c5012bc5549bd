"""Writes for screening: decisions at submission, overrides, and previews of rule changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cellclinic.accounts.permissions import can
from cellclinic.inquiries.models import Inquiry
from cellclinic.lib.text import has_control_characters
from cellclinic.programs.loader import DefinitionError, load_file
from cellclinic.programs.models import ProgramVersion
from cellclinic.programs.rules import Dialect
from cellclinic.programs.selectors import definition_of
from cellclinic.screening.engine import RuleSet, rule_set_for
from cellclinic.screening.models import Decision


def clinic_date(moment: datetime | None = None) -> date:
    """The calendar date at the clinic (CLINIC_TIME_ZONE) at a moment, by default now."""
    return (moment or timezone.now()).astimezone(ZoneInfo(settings.CLINIC_TIME_ZONE)).date()


class OverrideRefused(Exception):
    """An override that cannot be recorded; the message says why."""


def rule_set_of(version: ProgramVersion) -> RuleSet:
    return rule_set_for(definition_of(version), version.content_hash)


def inquiry_screen(*, inquiry: Inquiry) -> Decision:
    """The automatic decision of an inquiry, with the rules of the version it answered.

    Made once: a second call returns the stored decision (a retried task is harmless).
    Ages and intervals are counted at the date the inquiry was sent.
    """
    existing = inquiry.decisions.filter(kind=Decision.Kind.AUTOMATIC).first()
    if existing is not None:
        return existing
    version = inquiry.program_version
    as_of = clinic_date(inquiry.created_at)
    outcome = rule_set_of(version).screen(inquiry.answers, as_of=as_of)
    try:
        with transaction.atomic():
            return Decision.objects.create(
                inquiry=inquiry,
                kind=Decision.Kind.AUTOMATIC,
                decision=outcome.decision,
                program_version=version,
                rule_set_version=outcome.version,
                rule_set_hash=outcome.hash,
                as_of=as_of,
                reasons=outcome.reasons,
                notes=outcome.notes,
            )
    except IntegrityError:  # another worker screened it first
        return inquiry.decisions.get(kind=Decision.Kind.AUTOMATIC)


def screen_received(inquiry: Inquiry) -> str:
    """Screening's reaction to a new inquiry (registered in `inquiries.hooks`): its decision."""
    return inquiry_screen(inquiry=inquiry).decision


def screening_pending(*, limit: int | None = None) -> int:
    """Screen stored inquiries that have no decision yet; returns how many."""
    pending = Inquiry.objects.exclude(decisions__kind=Decision.Kind.AUTOMATIC).select_related(
        "program_version"
    )
    count = 0
    for inquiry in pending[:limit] if limit else pending.iterator():
        inquiry_screen(inquiry=inquiry)
        count += 1
    return count


@transaction.atomic
def decision_override(*, inquiry: Inquiry, physician: User, decision: str, reason: str) -> Decision:
    """A physician's decision in place of the automatic one; both are kept."""
    reason = reason.strip()
    if not reason or has_control_characters(reason):
        raise OverrideRefused("reason")
    if decision not in Decision.Value.values:
        raise OverrideRefused("decision")
    if not can(physician, "screening.override"):
        raise OverrideRefused("role")
    automatic = inquiry.decisions.select_for_update().filter(kind=Decision.Kind.AUTOMATIC).first()
    if automatic is None:
        raise OverrideRefused("not_screened")
    current = inquiry.decisions.filter(is_current=True).first()
    inquiry.decisions.filter(is_current=True).update(is_current=False)
    return Decision.objects.create(
        inquiry=inquiry,
        kind=Decision.Kind.OVERRIDE,
        decision=decision,
        program_version=automatic.program_version,
        rule_set_version=automatic.rule_set_version,
        rule_set_hash=automatic.rule_set_hash,
        as_of=clinic_date(),
        overrides=current,
        decided_by=physician,
        reason=reason,
    )


# --- impact of a rule change ---------------------------------------------------------------


@dataclass(frozen=True)
class Impact:
    program: str
    current: dict[str, str]
    draft: dict[str, str]
    as_of: date
    total: int
    transitions: list[dict[str, Any]]
    changed: list[dict[str, Any]]
    changed_total: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "program": self.program,
            "as_of": self.as_of.isoformat(),
            "current": self.current,
            "draft": self.draft,
            "inquiries": self.total,
            "changed": self.changed_total,
            "transitions": self.transitions,
            "changed_inquiries": self.changed,
        }


def draft_rule_set(*, path: Path, program: str) -> RuleSet:
    """A draft definition file, checked like a published one (the common items merged)."""
    from cellclinic.programs.loader import DEFINITIONS_DIR, load_common

    loaded = load_file(path, load_common(DEFINITIONS_DIR / "common.yaml"), check_name=False)
    if loaded.definition.id != program:
        raise DefinitionError(
            f"{path.name}: the draft is for {loaded.definition.id!r}, not {program!r}"
        )
    return RuleSet(loaded.definition, loaded.content_hash)


def bulk_decisions(*, rule_set: RuleSet, program_id: int, as_of: date) -> dict[str, str]:
    """Every stored inquiry's decision under a rule set, computed in one SQL query."""
    dialect = Dialect(connection.vendor, "i.answers")
    sql, params = rule_set.decision_sql(dialect, as_of)
    with connection.cursor() as cursor:
        cursor.execute(
            # Only SQL compiled from checked rules is interpolated; every value is a parameter.
            f"SELECT i.reference, {sql} FROM inquiries_inquiry i WHERE i.program_id = %s",  # noqa: S608  # nosec B608  # SQL compiled from checked rules
            [*params, program_id],
        )
        return dict(cursor.fetchall())


def screening_impact(
    *, current: RuleSet, draft: RuleSet, program_id: int, as_of: date, sample: int = 200
) -> Impact:
    """How every stored inquiry's decision would change from the current rules to a draft.

    Both rule sets run as one SQL query over the stored answers, at one as-of date, so the
    table shows the effect of the rule change alone (not of time passing). Nothing is
    written: publishing a new version never rewrites past decisions.
    """
    dialect = Dialect(connection.vendor, "i.answers")
    old_sql, old_params = current.decision_sql(dialect, as_of)
    new_sql, new_params = draft.decision_sql(dialect, as_of)
    # Only SQL compiled from checked rules is interpolated; every value is a parameter.
    inner = (
        f"SELECT i.reference AS reference, i.created_at AS created_at, {old_sql} AS old, "  # noqa: S608  # nosec B608  # SQL compiled from checked rules
        f"{new_sql} AS new FROM inquiries_inquiry i WHERE i.program_id = %s"
    )
    params = [*old_params, *new_params, program_id]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT old, new, COUNT(*) FROM ({inner}) s GROUP BY old, new ORDER BY old, new",  # noqa: S608  # nosec B608  # SQL compiled from checked rules
            params,
        )
        rows = cursor.fetchall()
        cursor.execute(
            f"SELECT reference, old, new FROM ({inner}) s WHERE old <> new "  # noqa: S608  # nosec B608  # SQL compiled from checked rules
            f"ORDER BY created_at DESC, reference LIMIT %s",
            [*params, sample],
        )
        changed = [{"reference": r, "old": o, "new": n} for r, o, n in cursor.fetchall()]
    transitions = [{"old": old, "new": new, "count": count} for old, new, count in rows]
    return Impact(
        program=current.program,
        current={"version": current.version, "hash": current.hash},
        draft={"version": draft.version, "hash": draft.hash},
        as_of=as_of,
        total=sum(t["count"] for t in transitions),
        transitions=transitions,
        changed=changed,
        changed_total=sum(t["count"] for t in transitions if t["old"] != t["new"]),
    )
