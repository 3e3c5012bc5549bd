"""GET /api/v1/programs/{program}/flow and /harms: the flow of patients and the harms, as
on the public program page (withheld by the public rule) or, for staff who may read the
outcome report, exact (docs/outcomes.md)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from cellclinic.api.readers import outcome_report_reader
from cellclinic.api.schemas import ErrorsOut
from cellclinic.audit.services import access_record
from cellclinic.programs.selectors import CurrentProgram, program_get

router = Router(tags=["programs"])


class CountOut(Schema):
    count: int | None = Field(description="null when withheld")
    withheld: bool = Field(
        description="withheld because it, or a difference of it with "
        "other counts, would describe 1 to 9 patients (never for staff)"
    )
    fewer_than: int | None = Field(description="10 when the withheld count is 1 to 9")


class BoxOut(CountOut):
    id: str


class PeriodOut(Schema):
    from_: date | None = Field(alias="from")
    to: date | None


class FlowDefinitionOut(Schema):
    id: str
    version: str


class TimepointFlowOut(Schema):
    timepoint: str
    due: CountOut
    assessed: CountOut
    lost: CountOut
    not_yet_due: CountOut


class RegistryFlowOut(Schema):
    treated: CountOut | None
    timepoints: list[TimepointFlowOut]


class FlowOut(Schema):
    program: str
    report_date: date
    period: PeriodOut
    definition: FlowDefinitionOut
    minimum: int
    boxes: list[BoxOut]
    registry: RegistryFlowOut


class HarmsDefinitionOut(Schema):
    id: str
    version: str
    grading: str
    related: str
    stopped: str


class HarmOut(Schema):
    id: str
    patients: int | None
    of: int | None
    rate: float | None
    ci95: list[float] | None = Field(description="Wilson score interval at 95%")
    withheld: bool
    fewer_than: int | None


class PerAdministrationOut(Schema):
    events: int | None
    administrations: int | None
    rate: float | None
    withheld: bool


class HarmsOut(Schema):
    program: str
    report_date: date
    definition: HarmsDefinitionOut
    minimum: int
    treated: int | None
    treated_withheld: bool
    treated_fewer_than: int | None
    figures: list[HarmOut]
    events_per_administration: PerAdministrationOut


def _program(slug: str) -> CurrentProgram | None:
    return program_get(slug=slug[:60])


def _no_program() -> Status:
    return Status(
        404, {"errors": [{"field": "program", "message": _("There is no such program.")}]}
    )


def _staff_reader(request: HttpRequest, response: HttpResponse) -> bool:
    """True for staff who may read the outcome report (the access log names them)."""
    patch_vary_headers(response, ["Authorization", "Cookie"])  # two answers, one URL
    reader = outcome_report_reader(request)
    if reader is None:
        return False
    request.auth = reader  # type: ignore[attr-defined]  # whom the access log names
    access_record(request=request)
    return True


@router.get(
    "/programs/{program}/flow",
    response={200: FlowOut, 403: ErrorsOut, 404: ErrorsOut, 422: ErrorsOut},
    operation_id="program_flow",
    by_alias=True,
)
def program_flow(
    request: HttpRequest,
    response: HttpResponse,
    program: str,
    start: date | None = Query(None, alias="from"),  # noqa: B008
    end: date | None = Query(None, alias="to"),  # noqa: B008
) -> Status:
    """The flow of patients (CONSORT-style): inquiries received, screened by decision,
    consultations, accepted, declined by category, withdrawn, consented, treated, and per
    follow-up time point due, assessed, lost and not yet due. `from` and `to` (dates, both
    included) limit the inquiries to those received in that period; staff only: the public
    flow covers all time, with counts withheld where they, or their differences, would
    describe 1 to 9 patients."""
    from cellclinic.outcomes.flow import flow

    current = _program(program)
    if current is None:
        return _no_program()
    if start and end and end < start:
        message = _("The end of the period comes before its start.")
        return Status(422, {"errors": [{"field": "to", "message": message}]})
    staff = _staff_reader(request, response)
    if not staff and (start or end):
        message = _("Only staff may choose a period; the public flow covers all time.")
        return Status(403, {"errors": [{"field": "from" if start else "to", "message": message}]})
    return Status(200, flow(program=current, start=start, end=end, public=not staff))


@router.get(
    "/programs/{program}/harms",
    response={200: HarmsOut, 404: ErrorsOut},
    operation_id="program_harms",
)
def program_harms(request: HttpRequest, response: HttpResponse, program: str) -> Status:
    """Harms among the patients treated (CONSORT-Harms): patients with any adverse event,
    a serious one, one related to the cells, one related to a procedure, and with the
    treatment stopped because of an event, each k of n with its Wilson 95% interval; and
    events per administration. Withheld for the public by the same rule as the flow."""
    from cellclinic.outcomes.harms import harms

    current = _program(program)
    if current is None:
        return _no_program()
    staff = _staff_reader(request, response)
    return Status(200, harms(program=current, public=not staff))
