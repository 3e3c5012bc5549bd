"""The JSON API at /api/v1/. Thin: parse, call a service or selector, answer."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import date
from typing import Any

from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Header, NinjaAPI, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser

from cellclinic.api.answers_schema import describe_answers
from cellclinic.api.flow import router as flow_router
from cellclinic.api.invalid import refusals_by_field
from cellclinic.api.readers import outcome_report_reader as _outcome_report_reader
from cellclinic.api.schemas import (
    ErrorsOut,
    InquiryCreatedOut,
    InquiryIn,
    OutcomeTableOut,
    ProgramOut,
    ScreeningIn,
    ScreeningOut,
)
from cellclinic.api.staff import router as staff_router
from cellclinic.audit.services import access_logged, access_record
from cellclinic.core.ratelimit import RateLimited
from cellclinic.core.views import unavailable
from cellclinic.inquiries.models import Source
from cellclinic.inquiries.services import IdempotencyConflict, inquiry_submit
from cellclinic.lib.clients import client_key
from cellclinic.lib.dates import family_today
from cellclinic.outcomes.disclosure import public_table
from cellclinic.programs.answers import AnswersForm
from cellclinic.programs.selectors import CurrentProgram, program_get, program_list
from cellclinic.screening.api_input import screen_input
from cellclinic.screening.services import clinic_date

logger = logging.getLogger(__name__)


class NotJson(ValueError):
    """A body sent as something other than application/json (answered with 415)."""


def is_json(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == "application/json"


class ObjectParser(Parser):
    """Only a JSON object sent as application/json is a request body here: another media
    type is refused with 415 before the body is read, anything else as unreadable (422)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        if not is_json(request.content_type or ""):
            raise NotJson(request.content_type)
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        return data


def _refusal(description: str, **extra: Any) -> dict[str, Any]:
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorsOut"}}}
    return {"description": description, "content": content, **extra}


# Refusals that come before an operation's own code (middleware, the body parser, the
# database), so django-ninja cannot see them in the operations' `response=`.
BODY_REFUSALS = {
    "411": _refusal("The body came without a Content-Length"),
    "413": _refusal("The body is over 1 MB"),
    "415": _refusal("The body is not sent as application/json (field `Content-Type`)"),
}
UNAVAILABLE = _refusal(
    "The database does not answer; try again after Retry-After seconds",
    headers={"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}},
)


class CellclinicAPI(NinjaAPI):
    """The API; its OpenAPI document also states each program's answers (answers_schema)
    and the refusals every operation may give before its own code runs."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        describe_answers(schema["components"]["schemas"])
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation["responses"]
                if "requestBody" in operation:
                    responses.update(BODY_REFUSALS)
                responses["503"] = UNAVAILABLE
        return schema


api = CellclinicAPI(
    parser=ObjectParser(),
    title="cellclinic API",
    version="1",
    description=(
        "Public program information and inquiries. Errors are JSON: "
        '`{"errors": [{"field": ..., "message": ...}]}`.'
    ),
    urls_namespace="api-v1",
)


def errors(status: int, items: list[dict[str, str]]) -> HttpResponse:
    return api.create_response(None, {"errors": items}, status=status)  # type: ignore[arg-type]


def _field_name(loc: tuple | list) -> str:
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "header", "path")]
    if len(parts) >= 2 and parts[0] == "answers":
        return parts[1]
    return ".".join(parts) or "body"


def _schema_message(error: dict[str, Any]) -> str:
    """A message in the request's language for a request-shape error."""
    kind = str(error.get("type", ""))
    if kind == "missing":
        return _("This field is required.")
    if kind.startswith("datetime_"):
        return _("Enter a date and time as YYYY-MM-DD HH:MM.")
    if kind.startswith("date_"):
        return _("Enter a real date as YYYY-MM-DD.")
    if kind.startswith(("decimal_", "finite_number")):
        return _("Enter a number.")
    if kind.startswith("bool_"):
        return _("Answer yes or no.")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("Give a JSON object.")
    if kind == "string_type":
        return _("Enter text.")
    if kind == "string_too_long":
        return _("This value is too long.")
    if kind == "string_pattern_mismatch":
        return _("This value must not be empty.")
    return _("This value is not valid.")


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    seen: dict[str, str] = {}
    for error in exc.errors:
        name = _field_name(error.get("loc", ()))
        seen.setdefault(name, _schema_message(error))
    try:
        seen = refusals_by_field(request, json.loads(request.body or b"null"), seen)
    except HttpError as refused:  # the caller may not, or the patient does not exist
        return on_http_error(request, refused)
    except ValueError:  # not JSON: the schema's errors are all there is to say
        pass
    return errors(422, [{"field": k, "message": v} for k, v in seen.items()])


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, NotJson):
        # django-ninja wraps every parser error in its 400; the parser's own reason is the cause.
        return errors(
            415, [{"field": "Content-Type", "message": _("Send the body as application/json.")}]
        )
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        # django-ninja reports an unreadable body as 400; like every bad input, it is a 422.
        return errors(422, [{"field": "body", "message": _("The body must be a JSON object.")}])
    return errors(exc.status_code, [{"field": "", "message": str(exc)}])


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def on_database_down(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.error("the database did not answer: %s", exc)
    return unavailable(request)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return errors(401, [{"field": "", "message": _("Authentication required.")}])


def _program_out(program: CurrentProgram, language: str) -> dict:
    definition = program.definition
    items = []
    for item in definition.items:
        items.append(
            {
                "id": item.id,
                "type": item.type,
                "section": item.section,
                "required": item.required,
                "label": item.label.get(language),
                "help": item.help.get(language) if item.help else None,
                "choices": list(item.choices),
                "choice_labels": {c: item.choice_label(c, language) for c in item.choices},
                "asked_when": (
                    {"item": item.when.item, "in": list(item.when.values)} if item.when else None
                ),
            }
        )
    return {
        "id": program.slug,
        "version": definition.version,
        "hash": program.content_hash,
        "name": definition.name.get(language),
        "summary": definition.summary.get(language),
        "url": reverse("program_detail", args=[program.slug]),
        "inquiry_url": reverse("inquiry_form", args=[program.slug]),
        "items": items,
    }


@api.get("/programs", response=list[ProgramOut], tags=["programs"], operation_id="list_programs")
def list_programs(request: HttpRequest) -> list[dict]:
    """Every published program in its current version, texts in the request's language."""
    language = get_language()
    return [_program_out(program, language) for program in program_list()]


@api.get(
    "/programs/{program}/outcomes",
    response={200: OutcomeTableOut, 404: ErrorsOut, 422: ErrorsOut},
    tags=["programs"],
    operation_id="program_outcomes",
)
def program_outcomes(
    request: HttpRequest,
    response: HttpResponse,
    program: str,
    timepoint: str = "m12",
    by: str | None = None,
    as_of: str | None = None,
) -> Status:
    """The outcome table of `cellclinic outcomes`: treated, due, not yet due, assessed, lost
    (due, not assessed), improved by the pre-registered definition (named with its version),
    the rate with its Wilson 95% interval and the worst-case rate (improved / due), overall
    and per group, as of a report date (`as_of`, YYYY-MM-DD, default today at the clinic);
    aggregates only. Staff see the
    exact table; for anyone else no figure, nor any difference of figures, describes 1 to 9
    patients: such figures are null and their row says `"withheld": true`."""
    from cellclinic.outcomes.statistics import OutcomeError, outcome_table

    current = program_get(slug=program[:60])
    if current is None or current.definition.outcomes is None:
        return Status(
            404, {"errors": [{"field": "program", "message": _("There is no such program.")}]}
        )
    try:
        report_date = date.fromisoformat(as_of[:10]) if as_of else None
    except ValueError:
        message = _("Enter a real date as YYYY-MM-DD.")
        return Status(422, {"errors": [{"field": "as_of", "message": message}]})
    try:
        table = outcome_table(
            program=current,
            timepoint=timepoint[:20],
            by=by[:20] if by else None,
            as_of=report_date,
        )
    except OutcomeError as exc:
        field = "timepoint" if "time point" in str(exc) else "by"
        return Status(422, {"errors": [{"field": field, "message": str(exc)}]})
    patch_vary_headers(response, ["Authorization", "Cookie"])  # two answers, one URL
    reader = _outcome_report_reader(request)
    if reader is None:
        return Status(200, public_table(table))
    # The exact table, as the staff outcome report shows it: logged, and kept nowhere (the
    # no-store of every answer to a caller with credentials, accounts.middleware).
    request.auth = reader  # type: ignore[attr-defined]  # whom the access log names
    access_record(request=request)
    return Status(200, table)


def body_fingerprint(payload: InquiryIn) -> str:
    canonical = json.dumps(payload.dict(), sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@api.post(
    "/inquiries",
    response={201: InquiryCreatedOut, 409: ErrorsOut, 422: ErrorsOut, 429: ErrorsOut},
    tags=["inquiries"],
    operation_id="create_inquiry",
)
def create_inquiry(
    request: HttpRequest,
    response: HttpResponse,
    payload: InquiryIn,
    idempotency_key: str | None = Header(  # noqa: B008
        default=None,
        alias="Idempotency-Key",
        max_length=200,
        pattern=r"\S",
        description="Any text of your own (at most 200 characters, not blank) that names "
        "this inquiry: sending it again with the same key stores nothing new.",
    ),
) -> Status:
    """Store a family's inquiry and answer with its reference.

    The same `Idempotency-Key` with the same body answers with the same reference and
    stores nothing new; with another body it answers 409. The screening decision is
    never part of the answer.
    """
    program = program_get(slug=payload.program)
    if program is None:
        return Status(
            422, {"errors": [{"field": "program", "message": _("There is no such program.")}]}
        )
    form = AnswersForm(program.definition, payload.answers, as_of=family_today())
    if not form.is_valid():
        return Status(422, {"errors": [e.as_dict() for e in form.field_errors()]})
    key = idempotency_key.strip() if idempotency_key else None
    fingerprint = body_fingerprint(payload)
    try:
        inquiry, created = inquiry_submit(
            program=program,
            answers=form.answers,
            language=get_language(),
            source=Source.API,
            client=client_key(request),
            idempotency_key=key or None,
            body_hash=fingerprint if key else None,
        )
    except RateLimited as limited:
        response["Retry-After"] = str(limited.retry_after)
        return Status(
            429,
            {
                "errors": [
                    {
                        "field": "",
                        "message": _(
                            "Too many inquiries from this address; please try again later."
                        ),
                    }
                ]
            },
        )
    except IdempotencyConflict:
        return Status(
            409,
            {
                "errors": [
                    {
                        "field": "Idempotency-Key",
                        "message": _("This key was already used with a different request body."),
                    }
                ]
            },
        )
    return Status(201, {"reference": inquiry.reference})


@api.post(
    "/screenings",
    response={200: ScreeningOut, 422: ErrorsOut},
    tags=["screening"],
    operation_id="screen_answers",
)
def screen(request: HttpRequest, payload: ScreeningIn) -> Status:
    """Screen one set of answers with the program's published rules; stores nothing.

    The same input and output as `cellclinic screen`. Advice for staff: the decision is
    never a promise of treatment, and only a physician decides.
    """
    result = screen_input(
        program=payload.program, answers=payload.answers, as_of=payload.as_of or clinic_date()
    )
    if result.outcome is None:
        return Status(422, {"errors": [e.as_dict() for e in result.errors]})
    return Status(200, result.outcome.as_dict())


# every staff operation's answer (refusals included) is written to the access log
staff_router.add_decorator(access_logged, mode="view")
api.add_router("/staff", staff_router)
api.add_router("", flow_router)  # /programs/{program}/flow and /harms (api/flow.py)
