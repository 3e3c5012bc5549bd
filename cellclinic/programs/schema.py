"""The schema of a program definition file, checked when the file is loaded.

Programs are data: a new condition is a new YAML file, not new code. Everything a family
reads on a program page or in the form comes from these files, in every site language.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

LANGUAGE_CODES = ("en", "zh-hans", "ru", "es", "ar")
ITEM_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$|^message$")
PROGRAM_ID = re.compile(r"^[a-z][a-z0-9-]{1,48}[a-z0-9]$")
ItemType = Literal[
    "text",
    "choice",
    "multi_choice",
    "boolean",
    "integer",
    "date",
    "email",
    "phone",
    "country",
    "language",
]
Section = Literal["contact", "patient", "condition", "message", "consent"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """One text in every site language; English is the fallback."""

    en: str = Field(min_length=1)
    zh_hans: str | None = Field(default=None, alias="zh-hans")
    ru: str | None = None
    es: str | None = None
    ar: str | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def get(self, language: str) -> str:
        value = getattr(self, language.replace("-", "_"), None)
        return value or self.en

    def missing_languages(self) -> list[str]:
        return [code for code in LANGUAGE_CODES if not getattr(self, code.replace("-", "_"))]


class Condition(Strict):
    """When an item is asked: another item's answer equals a value or is one of several."""

    item: str
    equals: str | None = None
    in_: tuple[str, ...] | None = Field(default=None, alias="in")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def one_test(self) -> Condition:
        if (self.equals is None) == (self.in_ is None):
            raise ValueError("give exactly one of 'equals' or 'in'")
        return self

    @property
    def values(self) -> tuple[str, ...]:
        return (self.equals,) if self.equals is not None else (self.in_ or ())

    def holds(self, answers: dict[str, Any]) -> bool:
        return answers.get(self.item) in self.values


class Item(Strict):
    id: str
    type: ItemType
    section: Section = "condition"
    required: bool = False
    label: Text
    help: Text | None = None
    choices: tuple[str, ...] = ()
    choice_labels: dict[str, Text] = {}
    when: Condition | None = None
    min_value: int | None = None
    max_value: int | None = None
    max_length: int | None = None
    not_future: bool = False
    max_age_years: int | None = None
    not_before: str | None = None
    must_be_true: bool = False

    @field_validator("id")
    @classmethod
    def id_shape(cls, value: str) -> str:
        if not ITEM_ID.match(value):
            raise ValueError("an item id is lower-case words joined by dots, like 'cp.epilepsy'")
        return value

    @model_validator(mode="after")
    def choices_fit_type(self) -> Item:
        has_choices = self.type in ("choice", "multi_choice")
        if has_choices and not self.choices:
            raise ValueError(f"a {self.type} item needs 'choices'")
        if not has_choices and self.choices:
            raise ValueError(f"a {self.type} item has no 'choices'")
        if len(set(self.choices)) != len(self.choices):
            raise ValueError("choices must be unique")
        unknown = set(self.choice_labels) - set(self.choices)
        if unknown:
            raise ValueError(f"labels for choices that do not exist: {sorted(unknown)}")
        missing = [c for c in self.choices if c not in self.choice_labels]
        if missing:
            raise ValueError(f"choices without a label: {missing}")
        return self

    def choice_label(self, value: str, language: str) -> str:
        return self.choice_labels[value].get(language)


class PageSection(Strict):
    heading: Text
    body: Text


DECISIONS = ("not_eligible", "not_recommended", "specialist_review", "eligible_for_consultation")
RULE_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")


class ScreeningRule(Strict):
    """A reason: when its condition is true, it gives its decision."""

    id: str = Field(pattern=RULE_ID.pattern)
    decision: Literal["not_eligible", "not_recommended", "specialist_review"]
    when: dict[str, Any]
    text: Text


class ScreeningNote(Strict):
    """Prognostic information for staff: it never changes the decision."""

    id: str = Field(pattern=RULE_ID.pattern)
    when: dict[str, Any]
    text: Text


class Screening(Strict):
    """The program's pre-screening rules (programs.md section 4)."""

    required: tuple[str, ...]
    rules: tuple[ScreeningRule, ...]
    notes: tuple[ScreeningNote, ...] = ()


TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
REHABILITATION = Literal["physiotherapy", "occupational_therapy", "speech_therapy"]


class TreatmentTemplate(Strict):
    """The default plan (programs.md section 5): cell administrations some days apart, each
    by lumbar puncture with an intravenous supplement the same day, and rehabilitation
    sessions on the days between. Times are the clinic's local times."""

    administrations: int = Field(ge=1, le=12)
    spacing_days: int = Field(ge=1, le=30)
    min_spacing_days: int = Field(ge=1, le=30)
    max_spacing_days: int = Field(ge=1, le=30)
    administration_time: str = Field(pattern=TIME.pattern)
    supplement_time: str = Field(pattern=TIME.pattern)
    rehabilitation: tuple[REHABILITATION, ...]
    rehabilitation_time: str = Field(pattern=TIME.pattern)
    session_minutes: int = Field(ge=5, le=480)

    @model_validator(mode="after")
    def spacing_in_range(self) -> TreatmentTemplate:
        if not self.min_spacing_days <= self.spacing_days <= self.max_spacing_days:
            raise ValueError("spacing_days must lie between min_spacing_days and max_spacing_days")
        return self


DOMAIN_ID = re.compile(r"^[a-z][a-z_]*[a-z]$")
GROUPINGS = ("subtype", "age_band", "onset_band", "gmfcs")


class FollowUpPoint(Strict):
    """A follow-up time point: months after the last cell administration, and how many days
    either side of the due date an assessment still counts for it."""

    months: int = Field(ge=1, le=60)
    window_days: int = Field(ge=1, le=180)

    def window(self, last_treatment: date) -> tuple[date, date, date]:
        """The due date and the window's first and last days for a patient whose last cell
        administration was on `last_treatment`. The one definition of the window: the
        follow-up schedule stores it (FollowUp) and the outcome table's "due" counts from it
        (an assessment is due once the window's last day has passed)."""
        due = last_treatment + relativedelta(months=self.months)
        spread = timedelta(days=self.window_days)
        return due, due - spread, due + spread

    def latest_closed(self, as_of: date) -> date:
        """The latest last-treatment date whose window has closed before `as_of` (its last
        day is before `as_of`). Adding months is monotone, so a patient's window has closed
        exactly when their last treatment is on or before this date: one date comparison
        in SQL, the same on every database, with the calendar of `window`."""
        latest = as_of - timedelta(days=self.window_days + 1) - relativedelta(months=self.months)
        while self.window(latest + timedelta(days=1))[2] < as_of:
            latest += timedelta(days=1)
        while self.window(latest)[2] >= as_of:
            latest -= timedelta(days=1)
        return latest


class FollowUp(Strict):
    """The remote follow-up schedule (programs.md section 6)."""

    timepoints: dict[Literal["m1", "m3", "m6", "m12"], FollowUpPoint]
    reminder_days: tuple[int, ...] = Field(min_length=1)
    link_days: int = Field(ge=1, le=365)

    @model_validator(mode="after")
    def reminders_in_order(self) -> FollowUp:
        days = list(self.reminder_days)
        if days != sorted(set(days)) or days[0] < 0:
            raise ValueError("reminder_days are days after the due date, increasing, from 0")
        return self


class Domain(Strict):
    id: str = Field(pattern=DOMAIN_ID.pattern)
    label: Text


class ImprovedDefinition(Strict):
    """The pre-registered definition of "improved": the primary measure's change from
    baseline to the time point, in a direction, of at least a threshold. Versioned; a
    change makes a new version, and every report names the one it used."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str = Field(min_length=1, max_length=20)
    measure: str
    direction: Literal["increase", "decrease"]
    threshold: float = Field(gt=0)
    source: str = Field(min_length=1, description="where the threshold comes from")
    text: Text


class Outcomes(Strict):
    """What is measured and how "improved" is defined (programs.md section 6)."""

    subtype_item: str
    # The date item the disease began on, for the `onset_band` grouping (time from onset
    # to the first treatment); without one, no patient has an onset band. Not required
    # with `onset_band`: stored versions from before it existed must still parse.
    onset_item: str | None = None
    clinician_instruments: tuple[str, ...] = Field(min_length=1)
    muscle_groups: tuple[str, ...] = ()
    family_domains: tuple[Domain, ...] = Field(min_length=1)
    groupings: tuple[Literal["subtype", "age_band", "onset_band", "gmfcs"], ...]
    improved: ImprovedDefinition

    @model_validator(mode="after")
    def consistent(self) -> Outcomes:
        from cellclinic.lib.instruments import INSTRUMENTS

        unknown = [i for i in self.clinician_instruments if i not in INSTRUMENTS or i == "domain"]
        if unknown:
            raise ValueError(f"outcomes.clinician_instruments: unknown instruments {unknown}")
        measure = INSTRUMENTS.get(self.improved.measure)
        if measure is None or not measure.numeric:
            raise ValueError("outcomes.improved.measure must be a numeric instrument")
        if self.improved.measure not in self.clinician_instruments:
            raise ValueError("outcomes.improved.measure must be one of clinician_instruments")
        if "mas" in self.clinician_instruments and not self.muscle_groups:
            raise ValueError("outcomes.muscle_groups: the Modified Ashworth Scale needs them")
        if "gmfcs" in self.groupings and "gmfcs" not in self.clinician_instruments:
            raise ValueError("outcomes.groupings: 'gmfcs' needs the gmfcs instrument")
        ids = [d.id for d in self.family_domains]
        if len(set(ids)) != len(ids):
            raise ValueError("outcomes.family_domains: ids must be unique")
        return self

    @property
    def primary(self) -> str:
        return self.improved.measure


class Registration(Strict):
    """A clinical-trial registration of the program: the registry and the trial's id in it
    (e.g. ClinicalTrials.gov, NCT01234567), shown on the public page."""

    registry: Annotated[str, Field(min_length=1, max_length=100)]
    id: Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9][A-Za-z0-9/._-]*$")]
    url: Annotated[str, Field(max_length=300, pattern=r"^https://\S+$")] | None = None


class ProgramDefinition(Strict):
    id: str
    version: Annotated[str, Field(min_length=1, max_length=20)]
    name: Text
    summary: Text
    page: tuple[PageSection, ...] = Field(min_length=1)
    items: tuple[Item, ...]
    # Stored versions are kept forever, so a version from before these parts existed must
    # still parse: no screening rules, no treatment template. Shipped files have both
    # (a test checks it).
    screening: Screening = Field(default_factory=lambda: Screening(required=(), rules=()))
    treatment: TreatmentTemplate | None = None
    followup: FollowUp | None = None
    outcomes: Outcomes | None = None
    # None: the program is not registered as a clinical trial (the public page says so).
    registration: Registration | None = None

    @field_validator("id")
    @classmethod
    def id_shape(cls, value: str) -> str:
        if not PROGRAM_ID.match(value):
            raise ValueError("a program id is lower-case words joined by hyphens")
        return value

    @model_validator(mode="after")
    def items_consistent(self) -> ProgramDefinition:
        seen: dict[str, Item] = {}
        for item in self.items:
            if item.id in seen:
                raise ValueError(f"item {item.id} is defined twice")
            seen[item.id] = item
        for item in self.items:
            _check_references(item, seen)
        self._check_screening(seen)
        if self.outcomes is not None:
            self._check_outcome_items(self.outcomes, seen)
        return self

    @staticmethod
    def _check_outcome_items(outcomes: Outcomes, seen: dict[str, Item]) -> None:
        subtype = seen.get(outcomes.subtype_item)
        if subtype is None or subtype.type != "choice":
            raise ValueError("outcomes.subtype_item must name a choice item of the program")
        onset = outcomes.onset_item
        if onset is not None and getattr(seen.get(onset), "type", None) != "date":
            raise ValueError("outcomes.onset_item must name a date item of the program")

    def _check_screening(self, seen: dict[str, Item]) -> None:
        from cellclinic.programs.rules import RuleError, parse_condition

        for item_id in self.screening.required:
            if item_id not in seen:
                raise ValueError(f"screening.required: the program has no item {item_id!r}")
        entries: list[ScreeningRule | ScreeningNote] = [
            *self.screening.rules,
            *self.screening.notes,
        ]
        ids = [entry.id for entry in entries]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"screening: rule and note ids must be unique: {duplicates}")
        for entry in entries:
            kind = "rules" if isinstance(entry, ScreeningRule) else "notes"
            try:
                parse_condition(entry.when, self, f"screening.{kind}[{entry.id}].when")
            except RuleError as exc:
                raise ValueError(str(exc)) from None

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def items_in(self, section: str) -> list[Item]:
        return [item for item in self.items if item.section == section]


def _check_references(item: Item, seen: dict[str, Item]) -> None:
    """The items an item's `when` and `not_before` name exist, with the values tested."""
    if item.when is not None:
        target = seen.get(item.when.item)
        if target is None:
            raise ValueError(f"{item.id}: 'when' names an unknown item {item.when.item}")
        bad = [v for v in item.when.values if v not in target.choices]
        if bad:
            raise ValueError(f"{item.id}: 'when' tests values {item.when.item} lacks: {bad}")
    if item.not_before is not None and item.not_before not in seen:
        raise ValueError(f"{item.id}: 'not_before' names an unknown item")


class CommonItems(Strict):
    """`common.yaml`: the intake items every program asks (programs.md section 2)."""

    items: tuple[Item, ...]
