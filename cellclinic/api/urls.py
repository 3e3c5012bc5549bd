"""The JSON API at /api/v1/. Thin: parse, call a service or selector, answer."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Header, NinjaAPI, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

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
from cellclinic.audit.services import access_logged
from cellclinic.inquiries.models import Source
from cellclinic.inquiries.selectors import idempotency_key_used
from cellclinic.inquiries.services import IdempotencyConflict, inquiry_submit
from cellclinic.inquiries.views import family_today
from cellclinic.lib.clients import client_key
from cellclinic.programs.answers import validate_answers
from cellclinic.programs.selectors import CurrentProgram, program_get, program_list
from cellclinic.ratelimit import rate_limit_retry_after, rate_limited
from cellclinic.screening.api_input import screen_input
from cellclinic.screening.services import clinic_date


class ObjectParser(Parser):
    """Only a JSON object is a request body here; anything else is refused as unreadable."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        return data


api = NinjaAPI(
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
    if kind.startswith(("date_", "datetime_")):
        return _("Enter a real date as YYYY-MM-DD.")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("Give a JSON object.")
    if kind == "string_type":
        return _("Enter text.")
    if kind == "string_too_long":
        return _("This value is too long.")
    return _("This value is not valid.")


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    seen: dict[str, str] = {}
    for error in exc.errors:
        name = _field_name(error.get("loc", ()))
        seen.setdefault(name, _schema_message(error))
    return errors(422, [{"field": k, "message": v} for k, v in seen.items()])


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        # django-ninja reports an unreadable body as 400; like every bad input, it is a 422.
        return errors(422, [{"field": "body", "message": _("The body must be a JSON object.")}])
    return errors(exc.status_code, [{"field": "", "message": str(exc)}])


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
    request: HttpRequest, program: str, timepoint: str = "m12", by: str | None = None
) -> Status:
    """The outcome table of `cellclinic outcomes`: treated, assessed, lost, improved by the
    pre-registered definition (named with its version), the rate with its Wilson 95%
    interval and the worst-case rate, overall and per group; aggregates only."""
    from cellclinic.outcomes.statistics import OutcomeError, outcome_table

    current = program_get(slug=program[:60])
    if current is None or current.definition.outcomes is None:
        return Status(
            404, {"errors": [{"field": "program", "message": _("There is no such program.")}]}
        )
    try:
        table = outcome_table(program=current, timepoint=timepoint[:20], by=by[:20] if by else None)
    except OutcomeError as exc:
        field = "timepoint" if "time point" in str(exc) else "by"
        return Status(422, {"errors": [{"field": field, "message": str(exc)}]})
    if not _staff_request(request):
        table = withhold_small_groups(table)
    return Status(200, table)


def _staff_request(request: HttpRequest) -> bool:
    """A staff member's request (bearer token, or the desk's session signed in with MFA)."""
    from cellclinic.accounts.access import signed_in_with_mfa
    from cellclinic.accounts.roles import roles_of
    from cellclinic.accounts.services import api_token_user

    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        user = api_token_user(token=header[7:].strip()[:200])
        return user is not None and bool(roles_of(user))
    user = getattr(request, "user", None)
    return bool(
        user is not None
        and user.is_authenticated
        and roles_of(user)
        and signed_in_with_mfa(request)
    )


def withhold_small_groups(table: dict[str, Any]) -> dict[str, Any]:
    """As on the public page: a group of fewer than 10 treated patients shows no numbers,
    so nobody can read one patient's result off a small group."""
    from cellclinic.outcomes.selectors import PUBLIC_MINIMUM

    def hide(row: dict[str, Any], treated: int | None) -> dict[str, Any]:
        if treated is not None and treated >= PUBLIC_MINIMUM:
            return row
        return {key: (value if key == "group" else None) for key, value in row.items()} | {
            "withheld": True
        }

    treated = {g["group"]: g["treated"] for g in table["groups"]}
    family = table["family_reported"]
    return {
        **table,
        "groups": [hide(g, g["treated"]) for g in table["groups"]],
        "overall": hide(table["overall"], table["overall"]["treated"]),
        "family_reported": {
            **family,
            "groups": [hide(g, treated.get(g["group"])) for g in family["groups"]],
            "overall": hide(family["overall"], table["overall"]["treated"]),
        },
    }


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
        default=None, alias="Idempotency-Key", max_length=200
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
    checked = validate_answers(program.definition, payload.answers, as_of=family_today())
    if not checked.ok:
        return Status(422, {"errors": [e.as_dict() for e in checked.errors]})
    client = client_key(request)
    key = idempotency_key.strip() if idempotency_key else None
    fingerprint = body_fingerprint(payload)
    replay = key is not None and idempotency_key_used(key=key)
    if not replay and rate_limited(
        scope="inquiry",
        client=client,
        limit=settings.INQUIRY_RATE_LIMIT,
        window_seconds=settings.INQUIRY_RATE_WINDOW,
    ):
        response["Retry-After"] = str(
            rate_limit_retry_after(
                scope="inquiry", client=client, window_seconds=settings.INQUIRY_RATE_WINDOW
            )
        )
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
    try:
        inquiry, created = inquiry_submit(
            program=program,
            answers=checked.answers,
            language=get_language(),
            source=Source.API,
            client=client,
            idempotency_key=key or None,
            body_hash=fingerprint if key else None,
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
