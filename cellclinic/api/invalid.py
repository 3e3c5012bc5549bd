"""The staff API runs the pages' forms: typed values in, as the form reads them, and the
form's and the service's refusals out, in the API's 422 format. The one place for both."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, TypeVar
from uuid import UUID

from django.http import HttpRequest
from ninja import Schema, Status
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from cellclinic.lib.invalid import Invalid

T = TypeVar("T")


def _blank_is_none(value: Any) -> Any:
    return None if value == "" else value


# An optional value that a client may also send as "" (as the pages do) for none.
BlankNone = Annotated[T | None, BeforeValidator(_blank_is_none)]

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_text(kind: str) -> Callable[[Any], Any]:
    """A date or a date and time only as ISO 8601 text: never a number (pydantic would read
    1795514400, or "1795514400", as seconds since 1970)."""

    def check(value: Any) -> Any:
        if isinstance(value, date) or (isinstance(value, str) and _ISO_DAY.match(value.strip())):
            return value
        raise PydanticCustomError(f"{kind}_parsing", "not ISO 8601 text")

    return check


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_text("datetime"))]
IsoDate = Annotated[date, BeforeValidator(_iso_text("date"))]


def _as_posted(value: Any) -> Any:
    """A typed value as a page would post it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return [_as_posted(v) for v in value]
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal | UUID | int):
        return str(value)
    return value


def form_data(payload: Schema) -> dict[str, Any]:
    """The payload's values as the form reads them from a page."""
    return posted(payload.model_dump())


def posted(values: dict[str, Any]) -> dict[str, Any]:
    """Values, typed or as sent in JSON, as a page would post them."""
    return {name: _as_posted(value) for name, value in values.items()}


# The endpoints whose body a form checks (by URL name): when the strict schema refuses a
# body, the same form runs on it as sent, so that the 422 still names every bad field, with
# the message the page would give (a schema knows only "not a number"). Each entry checks
# who may first, as the endpoint does, and returns the form's refusals by field.
FORM_REFUSALS: dict[str, Callable[[HttpRequest, dict[str, Any]], dict[str, str]]] = {}


def refusals_by_field(
    request: HttpRequest, body: Any, schema_errors: dict[str, str]
) -> dict[str, str]:
    """A refused body's errors: the form's, in its order, then the schema's for the fields
    the form did not refuse (a type it would have read, or a field it does not know)."""
    match = getattr(request, "resolver_match", None)
    check = FORM_REFUSALS.get(match.url_name if match else "")
    if check is None or not isinstance(body, dict):
        return schema_errors
    found = check(request, body)
    return {**found, **{k: v for k, v in schema_errors.items() if k not in found}}


def unprocessable(invalid: Invalid) -> Status:
    """Every refusal by field, in the API's 422 format."""
    return Status(422, {"errors": [{"field": f, "message": m} for f, m in invalid.errors.items()]})
