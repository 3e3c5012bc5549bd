"""The staff API runs the pages' forms: typed values in, as the form reads them, and the
form's and the service's refusals out, in the API's 422 format. The one place for both."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, TypeVar
from uuid import UUID

from ninja import Schema, Status
from pydantic import BeforeValidator

from cellclinic.lib.invalid import Invalid

T = TypeVar("T")


def _blank_is_none(value: Any) -> Any:
    return None if value == "" else value


# An optional value that a client may also send as "" (as the pages do) for none.
BlankNone = Annotated[T | None, BeforeValidator(_blank_is_none)]


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
    return {name: _as_posted(value) for name, value in payload.model_dump().items()}


def unprocessable(invalid: Invalid) -> Status:
    """Every refusal by field, in the API's 422 format."""
    return Status(422, {"errors": [{"field": f, "message": m} for f, m in invalid.errors.items()]})
