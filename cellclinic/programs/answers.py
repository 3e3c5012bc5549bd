"""Checks a family's answers against a program's items: a Django form built from the items.

One code path for the HTML form, the API and the screening. `AnswersForm` has one field a
item, of the field class of the item's kind (`FIELDS`); each field cleans its own answer,
and `clean()` applies the rules between items. The API and the screening give JSON-typed
values; the page posts strings, which each field first reads (`posted=True`, see
`AnswerField.read_post`). Errors name one field each, in the active language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

import phonenumbers
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_countries import countries

from cellclinic.lib.dates import age_on
from cellclinic.lib.text import has_control_characters, without_bidi_controls
from cellclinic.programs.schema import Item, ProgramDefinition

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


def is_missing(value: Any) -> bool:
    return value is None or value == "" or value == []


def _has_control_characters(value: Any) -> bool:
    if isinstance(value, list):
        return any(isinstance(v, str) and has_control_characters(v) for v in value)
    return isinstance(value, str) and has_control_characters(value)


def _parse_date(value: Any) -> date | None:
    if not isinstance(value, str) or not ISO_DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


class AnswerField(forms.Field):
    """One item's answer: a missing answer is None (an error when required), a present one
    is checked by the kind's `check`, which returns the cleaned value."""

    def __init__(self, item: Item, *, as_of: date, posted: bool, required: bool) -> None:
        super().__init__(required=required, label=item.id)
        self.item = item
        self.as_of = as_of
        self.posted = posted

    def read_post(self, raw: Any) -> Any:
        """The JSON-typed answer a posted string stands for (trimmed; blank is missing)."""
        text = (raw or "").strip()
        return text or None

    def check(self, value: Any) -> Any:
        raise NotImplementedError

    def clean(self, value: Any) -> Any:
        value = without_bidi_controls(value)
        if self.posted:
            value = self.read_post(value)
        if is_missing(value):
            return self._missing()
        if _has_control_characters(value):
            raise ValidationError(
                _("Remove the invisible control characters from this answer."), code="control"
            )
        cleaned = self.check(value)
        return self._missing() if is_missing(cleaned) else cleaned  # blank once trimmed

    def _missing(self) -> None:
        if self.required:
            raise ValidationError(_("This field is required."), code="required")
        return None


class TextAnswer(AnswerField):
    def check(self, value: Any) -> str:
        if not isinstance(value, str):
            raise ValidationError(_("Enter text."), code="type")
        value = value.strip()
        limit = self.item.max_length
        if limit is not None and len(value) > limit:
            raise ValidationError(
                _("Use at most %(limit)d characters (this has %(count)d)."),
                code="max_length",
                params={"limit": limit, "count": len(value)},
            )
        return value


class ChoiceAnswer(AnswerField):
    def check(self, value: Any) -> str:
        if not isinstance(value, str) or value not in self.item.choices:
            raise ValidationError(_("Choose one of the options offered."), code="choice")
        return value


class MultiChoiceAnswer(AnswerField):
    """Several of the options, each once; cleaned into the order the program gives them."""

    widget = forms.SelectMultiple  # reads every posted value of the name

    def read_post(self, raw: Any) -> list[str]:
        return [v for v in raw or [] if v != ""]

    def check(self, value: Any) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValidationError(_("Give a list of the options offered."), code="type")
        if any(v not in self.item.choices for v in value):
            raise ValidationError(_("Choose only among the options offered."), code="choice")
        if len(set(value)) != len(value):
            raise ValidationError(_("Choose each option at most once."), code="unique")
        return [c for c in self.item.choices if c in value]


class BooleanAnswer(AnswerField):
    POSTED: ClassVar[dict[str, bool]] = {"yes": True, "true": True, "on": True}
    POSTED_NO: ClassVar[tuple[str, ...]] = ("no", "false")

    def read_post(self, raw: Any) -> bool | None:
        text = super().read_post(raw)
        if text is None:
            return None
        if text in self.POSTED or text in self.POSTED_NO:
            return text in self.POSTED
        raise ValidationError(_("Answer yes or no."), code="type")

    def check(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError(_("Answer yes or no."), code="type")
        if self.item.must_be_true and value is not True:
            raise ValidationError(_("This must be accepted to send the inquiry."), code="accept")
        return value


class IntegerAnswer(AnswerField):
    def read_post(self, raw: Any) -> int | None:
        text = super().read_post(raw)
        if text is None:
            return None
        try:
            return int(text)
        except ValueError:
            raise ValidationError(_("Enter a whole number."), code="type") from None

    def check(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(_("Enter a whole number."), code="type")
        low, high = self.item.min_value, self.item.max_value
        if low is not None and value < low:
            raise ValidationError(
                _("Enter a number of at least %(minimum)d."), code="min", params={"minimum": low}
            )
        if high is not None and value > high:
            raise ValidationError(
                _("Enter a number of at most %(maximum)d."), code="max", params={"maximum": high}
            )
        return value


class DateAnswer(AnswerField):
    """A date as YYYY-MM-DD, cleaned to its ISO form; `as_of` is the family's today."""

    def check(self, value: Any) -> str:
        parsed = _parse_date(value)
        if parsed is None:
            raise ValidationError(_("Enter a real date as YYYY-MM-DD."), code="type")
        if self.item.not_future and parsed > self.as_of:
            raise ValidationError(_("The date cannot be in the future."), code="future")
        years = self.item.max_age_years
        if years is not None and age_on(parsed, self.as_of) > years:
            raise ValidationError(
                _("The date cannot be more than %(years)d years ago."),
                code="too_old",
                params={"years": years},
            )
        return parsed.isoformat()


class EmailAnswer(AnswerField):
    """An address Django accepts, its domain in lower case."""

    def check(self, value: Any) -> str:
        invalid = ValidationError(_("Enter a valid e-mail address."), code="email")
        if not isinstance(value, str):
            raise invalid
        value = value.strip()
        if len(value) > 254:  # the longest address that can be delivered (RFC 5321)
            raise invalid
        try:
            validate_email(value)
        except ValidationError:
            raise invalid from None
        local, _at, domain = value.rpartition("@")
        return f"{local}@{domain.lower()}"


class PhoneAnswer(AnswerField):
    """A real number of its country's numbering plan, cleaned to E.164."""

    def check(self, value: Any) -> str:
        invalid = ValidationError(
            _("Enter a phone number in international format, starting with +."), code="phone"
        )
        if not isinstance(value, str):
            raise invalid
        try:
            number = phonenumbers.parse(value.strip(), None)
        except phonenumbers.NumberParseException:
            raise invalid from None
        if not phonenumbers.is_valid_number(number):
            raise invalid
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class CountryAnswer(AnswerField):
    def check(self, value: Any) -> str:
        if not isinstance(value, str) or value.upper() not in dict(countries):
            raise ValidationError(_("Choose a country from the list."), code="country")
        return value.upper()


class LanguageAnswer(AnswerField):
    def check(self, value: Any) -> str:
        codes = [code for code, _name in settings.LANGUAGES]
        if not isinstance(value, str) or value.lower() not in codes:
            raise ValidationError(_("Choose a language from the list."), code="language")
        return value.lower()


FIELDS: dict[str, type[AnswerField]] = {
    "text": TextAnswer,
    "choice": ChoiceAnswer,
    "multi_choice": MultiChoiceAnswer,
    "boolean": BooleanAnswer,
    "integer": IntegerAnswer,
    "date": DateAnswer,
    "email": EmailAnswer,
    "phone": PhoneAnswer,
    "country": CountryAnswer,
    "language": LanguageAnswer,
}


class AnswersForm(forms.Form):
    """A program's answers, one field an item (named by the item id).

    `data` is JSON-typed answers (API, screening), or with `posted` what the page posted.
    Unknown keys are errors (a typo would otherwise lose an answer silently); the page only
    reads its own items. Without `enforce_required` (a screening) any item may be left out.
    A valid answer to an item whose `when` condition does not hold is dropped: without
    JavaScript the page shows every item, and an answer to a question that does not apply
    is not kept. A malformed one is reported all the same.
    """

    def __init__(
        self,
        definition: ProgramDefinition,
        data: Any = None,
        *,
        as_of: date,
        enforce_required: bool = True,
        posted: bool = False,
    ) -> None:
        super().__init__(data)
        self.definition = definition
        self.as_of = as_of
        self.posted = posted
        self._answers: dict[str, Any] = {}
        for item in definition.items:
            self.fields[item.id] = FIELDS[item.type](
                item, as_of=as_of, posted=posted, required=enforce_required and item.required
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.posted:
            self._refuse_unknown_keys()
        answers = {name: value for name, value in cleaned.items() if not is_missing(value)}
        self._check_not_before(answers)
        for item in self.definition.items:  # in order: a dropped answer drops what hangs on it
            if item.when is not None and not item.when.holds(answers):
                answers.pop(item.id, None)
        self._answers = answers
        return cleaned

    @property
    def answers(self) -> dict[str, Any]:
        """The cleaned answers that apply (checking the form first if it has not been)."""
        self.is_valid()  # checks the form once; the answers are kept either way
        return self._answers

    def _refuse_unknown_keys(self) -> None:
        for key in self.data:
            if key not in self.fields:
                name = key if not has_control_characters(key) else repr(key)
                message = _("This is not a question of this program.")
                self.add_error(None, ValidationError(message, code="unknown", params={"key": name}))

    def _check_not_before(self, answers: dict[str, Any]) -> None:
        """A date item's answer is not before the date of the item it names."""
        language = get_language() or settings.LANGUAGE_CODE
        for item in self.definition.items:
            other = item.not_before
            if not other or item.id not in answers or other not in answers:
                continue
            if answers[item.id] < answers[other]:
                message = _("The date cannot be before %(other)s.") % {
                    "other": self.definition.item(other).label.get(language)
                }
                self.add_error(item.id, ValidationError(message, code="not_before"))
                del answers[item.id]

    def field_errors(self) -> list[FieldError]:
        """One error a bad field, in the order of the items, then each unknown key."""
        errors = self.errors
        named = [FieldError(name, str(errors[name][0])) for name in self.fields if name in errors]
        unknown = self.non_field_errors().as_data()
        return named + [FieldError(e.params["key"], e.messages[0]) for e in unknown if e.params]

    def errors_by_field(self) -> dict[str, str]:
        return {error.field: error.message for error in self.field_errors()}
