from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Field, Schema


class FieldErrorOut(Schema):
    field: str = Field(description="The item id or request field that is wrong")
    message: str


class ErrorsOut(Schema):
    errors: list[FieldErrorOut]


class ItemOut(Schema):
    id: str
    type: str
    section: str
    required: bool
    label: str
    help: str | None = None
    choices: list[str] = []
    choice_labels: dict[str, str] = {}
    asked_when: dict[str, Any] | None = Field(
        default=None, description="Asked only when another item has one of these values"
    )


class RuleSetOut(Schema):
    version: str
    hash: str


class ProgramOut(Schema):
    id: str
    version: str
    hash: str
    name: str
    summary: str
    url: str
    inquiry_url: str
    items: list[ItemOut]


class InquiryIn(Schema):
    program: str = Field(description="A program id from GET /api/v1/programs", max_length=60)
    answers: dict[str, Any] = Field(description="Answers keyed by item id")


class InquiryCreatedOut(Schema):
    reference: str


class ScreeningIn(Schema):
    program: str = Field(description="A program id from GET /api/v1/programs", max_length=60)
    answers: dict[str, Any] = Field(description="Answers keyed by item id, as for inquiries")
    as_of: date | None = Field(
        default=None, description="Date for ages and intervals (default: today at the clinic)"
    )


class ReasonOut(Schema):
    rule: str = Field(description="Rule id, or REQ:<item id> for a missing required item")
    decision: str
    text: str


class NoteOut(Schema):
    rule: str
    text: str


class ScreeningOut(Schema):
    program: str
    rule_set: RuleSetOut
    decision: str = Field(
        description="not_eligible, not_recommended, specialist_review or eligible_for_consultation"
    )
    reasons: list[ReasonOut]
    notes: list[NoteOut]


class OutcomeRowOut(Schema):
    treated: int | None = Field(description="null only when withheld")
    due: int | None = Field(
        description="treated whose follow-up window for the time point closed before the "
        "report date (discharge: from the last treatment date), or already assessed"
    )
    not_yet_due: int | None = Field(description="treated minus due")
    assessed: int | None
    lost: int | None = Field(description="due minus assessed")
    improved: int | None
    rate: float | None = Field(description="improved / assessed; null when nobody was assessed")
    ci95: list[float] | None = Field(description="Wilson score interval at 95%")
    worst_case_rate: float | None = Field(description="improved / due (lost = not improved)")
    withheld: bool = Field(
        False,
        description="true when some numbers of the row are withheld (null) because they, "
        "or their difference with other rows, would describe 1 to 9 patients; never for "
        "a staff member's request. A row may keep its treated count and withhold its results",
    )


class DefinitionOut(Schema):
    id: str
    version: str
    measure: str
    direction: str
    threshold: float


class FamilyRowOut(Schema):
    reported: int | None
    any_domain_improved: int | None
    rate: float | None
    ci95: list[float] | None
    withheld: bool = False


class OutcomeGroupOut(OutcomeRowOut):
    group: str


class FamilyGroupOut(FamilyRowOut):
    group: str


class FamilyReportedOut(Schema):
    label: str
    groups: list[FamilyGroupOut]
    overall: FamilyRowOut


class OutcomeTableOut(Schema):
    program: str
    timepoint: str
    by: str | None
    as_of: str = Field(description="the report date (YYYY-MM-DD) who is due is decided at")
    definition_version: str = Field(description="the version of the definition of improved")
    definition: DefinitionOut
    groups: list[OutcomeGroupOut]
    overall: OutcomeRowOut
    family_reported: FamilyReportedOut
