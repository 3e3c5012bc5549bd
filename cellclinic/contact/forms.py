"""The public "Contact us" form and the desk's answers to a message.

Each field's message names what is wrong in the reader's language; the page's error summary
adds the field's label (`lib.invalid.error_summary`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from cellclinic.lib.formfields import Choice, TextField

HONEYPOT = "website"  # hidden from people; a robot fills it in
NAME_LIMIT = 200
BODY_LIMIT = 5000
REPLY_LIMIT = 10_000


class EmailAddress(forms.CharField):
    """An address Django accepts (at most 254 characters), its domain in lower case."""

    default_error_messages = {"required": _("This field is required.")}

    def to_python(self, value: Any) -> str:
        return value.strip() if isinstance(value, str) else ""

    def validate(self, value: str) -> None:
        super().validate(value)
        invalid = ValidationError(_("Enter a valid e-mail address."), code="email")
        if len(value) > 254:
            raise invalid
        try:
            validate_email(value)
        except ValidationError:
            raise invalid from None

    def clean(self, value: Any) -> str:
        cleaned = str(super().clean(value))
        local, _at, domain = cleaned.rpartition("@")
        return f"{local}@{domain.lower()}"


def language_choices() -> list[tuple[str, str]]:
    """The site's languages, each named in itself (a reader finds their own)."""
    return [
        (code, str(get_language_info(code)["name_local"])) for code, _name in settings.LANGUAGES
    ]


class ContactForm(forms.Form):
    """What a visitor writes: who they are, the language to answer in, the question."""

    name = TextField(limit=NAME_LIMIT, label=_("Your name"))
    email = EmailAddress(label=_("Your e-mail address"))
    language = Choice(choices=language_choices(), label=_("Language of our answer"))
    message = TextField(limit=BODY_LIMIT, label=_("Your message"))

    # the order of the page, for its error summary
    ORDER = ("name", "email", "language", "message")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "f-%s")
        super().__init__(*args, **kwargs)


class ReplyForm(forms.Form):
    """The coordinator's answer, e-mailed to the sender with the clinic's signature."""

    body = TextField(limit=REPLY_LIMIT, label=_("Answer"))


class InvitationForm(forms.Form):
    """An invitation to send an inquiry to one program, with an optional note."""

    program = forms.ChoiceField(
        label=_("Program"),
        error_messages={
            "required": _("Choose one of the values offered."),
            "invalid_choice": _("Choose one of the values offered."),
        },
    )
    note = TextField(limit=REPLY_LIMIT, required=False, label=_("Note to add (optional)"))

    def __init__(self, *args: Any, programs: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [("", _("Choose…")), *programs]  # type: ignore[attr-defined]
