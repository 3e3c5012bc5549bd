"""Checks a family's answers against a program's items.

One code path for the HTML form, the API and the screening: the form turns posted strings
into JSON-typed values (`parse_form`), then everything goes through `validate_answers`,
which returns cleaned answers and one error per bad field, in the active language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import phonenumbers
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import QueryDict
from django.utils.translation import gettext as _
from django_countries import countries

from cellclinic.lib.text import has_control_characters
from cellclinic.programs.schema import Item, ProgramDefinition

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


@dataclass(frozen=True)
class Checked:
    answers: dict[str, Any]
    errors: list[FieldError]

    @property
    def ok(self) -> bool:
        return not self.errors

    def errors_by_field(self) -> dict[str, str]:
        return {error.field: error.message for error in self.errors}


def age_on(birth_date: date, as_of: date) -> int:
    """Whole years at `as_of` as relativedelta counts them: 5 on the fifth birthday."""
    return relativedelta(as_of, birth_date).years


def is_missing(value: Any) -> bool:
    return value is None or value == "" or value == []


def _parse_date(value: Any) -> date | None:
    if not isinstance(value, str) or not ISO_DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _check_one(item: Item, value: Any, as_of: date) -> tuple[Any, str | None]:
    """The cleaned value of one present answer, or an error message."""
    kind = item.type
    if isinstance(value, str) and has_control_characters(value):
        return None, _("Remove the invisible control characters from this answer.")
    if isinstance(value, list) and any(
        isinstance(v, str) and has_control_characters(v) for v in value
    ):
        return None, _("Remove the invisible control characters from this answer.")
    if kind == "text":
        if not isinstance(value, str):
            return None, _("Enter text.")
        value = value.strip()
        if item.max_length is not None and len(value) > item.max_length:
            return None, _("Use at most %(limit)d characters (this has %(count)d).") % {
                "limit": item.max_length,
                "count": len(value),
            }
        return value, None
    if kind == "choice":
        if not isinstance(value, str) or value not in item.choices:
            return None, _("Choose one of the options offered.")
        return value, None
    if kind == "multi_choice":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return None, _("Give a list of the options offered.")
        if any(v not in item.choices for v in value):
            return None, _("Choose only among the options offered.")
        if len(set(value)) != len(value):
            return None, _("Choose each option at most once.")
        return [c for c in item.choices if c in value], None
    if kind == "boolean":
        if not isinstance(value, bool):
            return None, _("Answer yes or no.")
        if item.must_be_true and value is not True:
            return None, _("This must be accepted to send the inquiry.")
        return value, None
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            return None, _("Enter a whole number.")
        if item.min_value is not None and value < item.min_value:
            return None, _("Enter a number of at least %(minimum)d.") % {"minimum": item.min_value}
        if item.max_value is not None and value > item.max_value:
            return None, _("Enter a number of at most %(maximum)d.") % {"maximum": item.max_value}
        return value, None
    if kind == "date":
        parsed = _parse_date(value)
        if parsed is None:
            return None, _("Enter a real date as YYYY-MM-DD.")
        if item.not_future and parsed > as_of:
            return None, _("The date cannot be in the future.")
        if item.max_age_years is not None and age_on(parsed, as_of) > item.max_age_years:
            return None, _("The date cannot be more than %(years)d years ago.") % {
                "years": item.max_age_years
            }
        return parsed.isoformat(), None
    if kind == "email":
        if not isinstance(value, str):
            return None, _("Enter a valid e-mail address.")
        value = value.strip()
        if len(value) > 254:  # the longest address that can be delivered (RFC 5321)
            return None, _("Enter a valid e-mail address.")
        try:
            validate_email(value)
        except ValidationError:
            return None, _("Enter a valid e-mail address.")
        local, _at, domain = value.rpartition("@")
        return f"{local}@{domain.lower()}", None
    if kind == "phone":
        if not isinstance(value, str):
            return None, _("Enter a phone number in international format, starting with +.")
        try:
            number = phonenumbers.parse(value.strip(), None)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            return None, _("Enter a phone number in international format, starting with +.")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None
    if kind == "country":
        if not isinstance(value, str) or value.upper() not in dict(countries):
            return None, _("Choose a country from the list.")
        return value.upper(), None
    if kind == "language":
        codes = [code for code, _name in settings.LANGUAGES]
        if not isinstance(value, str) or value.lower() not in codes:
            return None, _("Choose a language from the list.")
        return value.lower(), None
    raise AssertionError(f"unhandled item type {kind}")  # the schema forbids other types


def validate_answers(
    definition: ProgramDefinition,
    answers: dict[str, Any],
    *,
    as_of: date,
    enforce_required: bool = True,
    preset_errors: dict[str, str] | None = None,
) -> Checked:
    """Clean every answer; name each bad field once.

    Unknown keys are errors (a typo would otherwise lose an answer silently). A valid
    answer to an item whose `when` condition does not hold is dropped: without JavaScript
    the form shows every item, and an answer to a question that does not apply is not
    kept. A malformed one is reported all the same.
    """
    errors: dict[str, str] = dict(preset_errors or {})
    known = {item.id for item in definition.items}
    for key in answers:
        if key not in known:
            name = key if not has_control_characters(key) else repr(key)
            errors.setdefault(name, _("This is not a question of this program."))
    cleaned: dict[str, Any] = {}
    for item in definition.items:
        if item.id in errors:
            continue
        value = answers.get(item.id)
        if is_missing(value):
            if enforce_required and item.required:
                errors[item.id] = _("This field is required.")
            continue
        clean, message = _check_one(item, value, as_of)
        if message is not None:
            errors[item.id] = message
        elif not is_missing(clean):
            cleaned[item.id] = clean
        elif enforce_required and item.required:
            errors[item.id] = _("This field is required.")  # blank once trimmed
    for item in definition.items:
        if item.not_before and item.id in cleaned and item.not_before in cleaned:
            if cleaned[item.id] < cleaned[item.not_before]:
                errors[item.id] = _("The date cannot be before %(other)s.") % {
                    "other": definition.item(item.not_before).label.get(_language())
                }
                del cleaned[item.id]
    for item in definition.items:
        if item.when is not None and not item.when.holds(cleaned):
            cleaned.pop(item.id, None)  # a malformed answer is still reported
    ordered = [
        FieldError(item.id, errors[item.id]) for item in definition.items if item.id in errors
    ]
    ordered += [FieldError(key, message) for key, message in errors.items() if key not in known]
    return Checked(answers=cleaned, errors=ordered)


def _language() -> str:
    from django.utils.translation import get_language

    return get_language() or settings.LANGUAGE_CODE


def parse_form(
    definition: ProgramDefinition, data: QueryDict
) -> tuple[dict[str, Any], dict[str, str]]:
    """Posted form strings to JSON-typed answers; errors for what cannot be read."""
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for item in definition.items:
        if item.type == "multi_choice":
            values = [v for v in data.getlist(item.id) if v != ""]
            if values:
                answers[item.id] = values
            continue
        raw = (data.get(item.id) or "").strip()
        if raw == "":
            continue
        if item.type == "boolean":
            if raw in ("yes", "true", "on"):
                answers[item.id] = True
            elif raw in ("no", "false"):
                answers[item.id] = False
            else:
                errors[item.id] = _("Answer yes or no.")
        elif item.type == "integer":
            try:
                answers[item.id] = int(raw)
            except ValueError:
                errors[item.id] = _("Enter a whole number.")
        else:
            answers[item.id] = raw
    return answers, errors
