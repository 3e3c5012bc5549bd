"""Checks on what staff and families type for care records: one message per bad field.

Services call these, so the page, the API and any other caller get the same refusals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from cellclinic.lib.invalid import Invalid
from cellclinic.lib.text import has_control_characters

INTEGER = re.compile(r"-?[0-9]{1,9}")  # ASCII digits only: "²".isdigit() is True
# Dates and times outside these years are typing mistakes, and some overflow time zones.
YEARS = (1900, 2200)


class Checker:
    """Collects one message per bad field; `done()` raises them all at once."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.errors: dict[str, str] = {}

    def fail(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def raw(self, field: str) -> Any:
        value = self.data.get(field)
        return value.strip() if isinstance(value, str) else value

    def text(self, field: str, *, limit: int, required: bool = True) -> str:
        value = self.raw(field)
        if value is None or value == "":
            if required:
                self.fail(field, _("This field is required."))
            return ""
        if not isinstance(value, str):
            self.fail(field, _("Enter text."))
            return ""
        if has_control_characters(value):
            self.fail(field, _("Remove the invisible control characters."))
            return ""
        if len(value) > limit:
            self.fail(field, _("Write at most %(limit)d characters.") % {"limit": limit})
            return ""
        return value

    def choice(self, field: str, choices: Iterable[str], *, required: bool = True) -> str:
        value = self.raw(field)
        if value is None or value == "":
            if required:
                self.fail(field, _("Choose one of the values offered."))
            return ""
        if not isinstance(value, str) or value not in set(choices):
            self.fail(field, _("Choose one of the values offered."))
            return ""
        return value

    def choices(self, field: str, choices: Iterable[str]) -> list[str]:
        value = self.data.get(field)
        if value is None or value == "":
            return []
        if isinstance(value, str):
            value = [value]
        allowed = set(choices)
        if not isinstance(value, list) or not all(
            isinstance(v, str) and v in allowed for v in value
        ):
            self.fail(field, _("Choose only among the values offered."))
            return []
        return sorted(set(value), key=list(choices).index)

    def boolean(self, field: str) -> bool | None:
        value = self.raw(field)
        if isinstance(value, bool):
            return value
        if value in ("yes", "true", "on", "1"):
            return True
        if value in ("no", "false", "0"):
            return False
        self.fail(field, _("Answer yes or no."))
        return None

    def integer(self, field: str, *, low: int, high: int) -> int | None:
        value = self.raw(field)
        if isinstance(value, bool):
            value = None
        if isinstance(value, str) and INTEGER.fullmatch(value):
            value = int(value)
        if not isinstance(value, int) or not low <= value <= high:
            self.fail(
                field,
                _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high},
            )
            return None
        return value

    def decimal(self, field: str, *, places: int, high: Decimal) -> Decimal | None:
        value = self.raw(field)
        if value is None or value == "":
            self.fail(field, _("This field is required."))
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(field, _("Enter a number."))
            return None
        try:
            number = Decimal(str(value).replace(",", "."))
        except InvalidOperation:
            self.fail(field, _("Enter a number."))
            return None
        if not number.is_finite():
            self.fail(field, _("Enter a number."))
            return None
        if number <= 0:
            self.fail(field, _("Enter a number greater than zero."))
            return None
        if number > high:
            self.fail(field, _("The number is too large."))
            return None
        if number != number.quantize(Decimal(1).scaleb(-places)):
            self.fail(field, _("Use at most %(places)d decimal places.") % {"places": places})
            return None
        return number

    def day(self, field: str, *, required: bool = True) -> date | None:
        value = self.raw(field)
        if value is None or value == "":
            if required:
                self.fail(field, _("Enter a date as YYYY-MM-DD."))
            return None
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError(value)
            parsed = date.fromisoformat(value)
            if not YEARS[0] <= parsed.year <= YEARS[1]:
                raise ValueError(value)
            return parsed
        except ValueError:
            self.fail(field, _("Enter a real date as YYYY-MM-DD."))
            return None

    def moment(self, field: str, *, zone: str) -> datetime | None:
        """A date and time: clinic wall-clock `YYYY-MM-DD HH:MM`, or ISO 8601 with an offset."""
        value = self.raw(field)
        if not isinstance(value, str) or not value:
            self.fail(field, _("Enter a date and time as YYYY-MM-DD HH:MM."))
            return None
        try:
            parsed = datetime.fromisoformat(value.replace(" ", "T", 1))
        except ValueError:
            self.fail(field, _("Enter a date and time as YYYY-MM-DD HH:MM."))
            return None
        if not YEARS[0] <= parsed.year <= YEARS[1]:
            self.fail(field, _("Enter a date and time as YYYY-MM-DD HH:MM."))
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=ZoneInfo(zone))
        return parsed

    def done(self) -> None:
        if self.errors:
            raise Invalid(self.errors)
