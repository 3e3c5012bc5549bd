"""Form fields for what staff and families type, with the house's messages: one message per
bad field, the same for the page, the API and any other caller (they all run the form).

Every field takes only what a browser or a JSON body can send; anything else (a number
where text is due, a list where one value is) is refused with the field's message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cellclinic.lib.text import has_control_characters, search_text, without_bidi_controls

INTEGER = re.compile(r"-?[0-9]{1,9}")  # ASCII digits only: "²".isdigit() is True
# Dates and times outside these years are typing mistakes, and some overflow time zones.
YEARS = (1900, 2200)

CHOOSE = _("Choose one of the values offered.")


def _stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _empty(value: Any) -> bool:
    return value is None or value == ""


class TextField(forms.CharField):
    """Text of at most `limit` characters, trimmed, without invisible control characters."""

    def __init__(self, *, limit: int, **kwargs: Any) -> None:
        self.limit = limit
        kwargs.setdefault("error_messages", {"required": _("This field is required.")})
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        if not _empty(value) and not isinstance(value, str):
            raise ValidationError(_("Enter text."), code="type")
        return str(super().to_python(without_bidi_controls(value)))

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and has_control_characters(value):
            raise ValidationError(_("Remove the invisible control characters."), code="control")
        if len(value) > self.limit:
            raise ValidationError(
                _("Write at most %(limit)d characters.") % {"limit": self.limit}, code="long"
            )


class Choice(forms.ChoiceField):
    """One of the values offered; a missing one is refused with the same message."""

    def __init__(self, *, choices: Any, blank: Any = None, **kwargs: Any) -> None:
        head = [("", blank)] if blank is not None else []
        kwargs.setdefault("error_messages", {"required": CHOOSE, "invalid_choice": CHOOSE})
        super().__init__(choices=[*head, *((str(v), label) for v, label in choices)], **kwargs)

    def to_python(self, value: Any) -> str:
        value = _stripped(value)
        if not _empty(value) and not isinstance(value, str):
            raise ValidationError(CHOOSE, code="invalid_choice")
        return str(super().to_python(value))


class Choices(forms.MultipleChoiceField):
    """Any of the values offered (one may come as a plain string), in the offered order."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, choices: Any, **kwargs: Any) -> None:
        message = _("Choose only among the values offered.")
        kwargs.setdefault("error_messages", {"invalid_choice": message, "invalid_list": message})
        super().__init__(choices=choices, required=False, **kwargs)

    def to_python(self, value: Any) -> list[str]:
        if _empty(value):
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ValidationError(self.error_messages["invalid_list"], code="invalid_list")
        order = [str(v) for v, _label in self.choices]  # type: ignore[misc,union-attr]
        if not all(v in order for v in value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return sorted(set(value), key=order.index)

    def validate(self, value: Any) -> None:
        """Checked in `to_python` already."""


class YesNo(forms.Field):
    """Yes or no (`yes`, `true`, `on`, `1` / `no`, `false`, `0`, or a JSON boolean)."""

    widget = forms.RadioSelect(choices=[("yes", "yes"), ("no", "no")])
    default_error_messages = {"required": _("Answer yes or no.")}

    def to_python(self, value: Any) -> bool | None:
        value = _stripped(value)
        if isinstance(value, bool):
            return value
        if value in ("yes", "true", "on", "1"):
            return True
        if value in ("no", "false", "0"):
            return False
        raise ValidationError(_("Answer yes or no."), code="invalid")

    def validate(self, value: Any) -> None:
        """Every value `to_python` lets through is an answer."""


class WholeNumber(forms.Field):
    """A whole number from `low` to `high`, offered as a list. Its message (`invalid`) may
    name the range as `%(low)d` and `%(high)d`."""

    default_error_messages = {"invalid": _("Enter a whole number from %(low)d to %(high)d.")}

    def __init__(self, *, low: int, high: int, **kwargs: Any) -> None:
        self.low, self.high = low, high
        choices = [("", ""), *((str(n), str(n)) for n in range(low, high + 1))]
        super().__init__(widget=forms.Select(choices=choices), **kwargs)

    def to_python(self, value: Any) -> int:
        value = _stripped(value)
        if isinstance(value, str) and INTEGER.fullmatch(value):
            value = int(value)
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not self.low <= value <= self.high
        ):
            raise ValidationError(
                self.error_messages["invalid"],
                code="invalid",
                params={"low": self.low, "high": self.high},
            )
        return value

    def validate(self, value: Any) -> None:
        """Checked in `to_python` already."""


class PositiveDecimal(forms.Field):
    """A number greater than zero, at most `high`, with at most `places` decimal places;
    a decimal comma is read as a point."""

    def __init__(self, *, places: int, high: Decimal, **kwargs: Any) -> None:
        self.places, self.high = places, high
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:
        value = _stripped(value)
        if _empty(value):
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
            raise ValidationError(_("Enter a number."), code="invalid")
        try:
            number = Decimal(str(value).replace(",", "."))
        except InvalidOperation:
            raise ValidationError(_("Enter a number."), code="invalid") from None
        if not number.is_finite():
            raise ValidationError(_("Enter a number."), code="invalid")
        return number

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value <= 0:
            raise ValidationError(_("Enter a number greater than zero."), code="low")
        if value > self.high:
            raise ValidationError(_("The number is too large."), code="high")
        if value != value.quantize(Decimal(1).scaleb(-self.places)):
            raise ValidationError(
                _("Use at most %(places)d decimal places.") % {"places": self.places},
                code="places",
            )


class Day(forms.Field):
    """A date as `YYYY-MM-DD`, in the years a person means (`years`, None for any)."""

    default_error_messages = {"required": _("Enter a date as YYYY-MM-DD.")}

    def __init__(self, *, years: tuple[int, int] | None = YEARS, **kwargs: Any) -> None:
        self.years = years
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> date | None:
        value = _stripped(value)
        if _empty(value):
            return None
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError(value)
            parsed = date.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is None or (self.years and not self.years[0] <= parsed.year <= self.years[1]):
            raise ValidationError(_("Enter a real date as YYYY-MM-DD."), code="invalid")
        return parsed


class Moment(forms.Field):
    """A date and time: clinic wall-clock `YYYY-MM-DD HH:MM` (at `zone`), or ISO 8601 with
    an offset. The form sets `zone` to the clinic's or the plan's time zone."""

    default_error_messages = {"required": _("Enter a date and time as YYYY-MM-DD HH:MM.")}

    def __init__(self, *, zone: str = "UTC", **kwargs: Any) -> None:
        self.zone = zone
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime | None:
        value = _stripped(value)
        if _empty(value):
            return None
        message = self.error_messages["required"]
        if not isinstance(value, str):
            raise ValidationError(message, code="invalid")
        try:
            parsed = datetime.fromisoformat(value.replace(" ", "T", 1))
        except ValueError:
            raise ValidationError(message, code="invalid") from None
        if not YEARS[0] <= parsed.year <= YEARS[1]:
            raise ValidationError(message, code="invalid")
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=ZoneInfo(self.zone))
        return parsed


class SearchText(forms.CharField):
    """A search or filter value as typed, never refused for itself: control characters
    dropped, trimmed, cut at `limit` characters, missing is ""; `max_length`, when given,
    is checked after."""

    def __init__(self, *, limit: int = 100, **kwargs: Any) -> None:
        self.limit = limit
        super().__init__(required=False, strip=False, **kwargs)

    def to_python(self, value: Any) -> str:
        return search_text(value, self.limit) if isinstance(value, str) else ""


class Cursor(forms.Field):
    """Where a long list goes on (a row's id): a number, or None for anything else."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def to_python(self, value: Any) -> int | None:
        text = value if isinstance(value, str) else ""
        return int(text) if re.fullmatch("[0-9]{1,18}", text) else None


class Filters(forms.Form):
    """A page's filters in its address: every field takes what it can and refuses nothing."""

    def values(self) -> dict[str, Any]:
        self.is_valid()
        return self.cleaned_data


def options(choices: Iterable[tuple[str, Any]], blank: str | None = None) -> list[tuple[str, str]]:
    """Choices for a select, with a blank first entry when `blank` is given."""
    head = [("", str(blank))] if blank is not None else []
    return head + [(str(value), str(label)) for value, label in choices]


T = TypeVar("T")


def typed(kind: type[T], data: Mapping[str, Any]) -> T:
    """A form's cleaned values as the frozen dataclass `kind` a service takes (each of its
    fields from the value of that name)."""
    return kind(**{field.name: data[field.name] for field in fields(kind)})  # type: ignore[arg-type]
