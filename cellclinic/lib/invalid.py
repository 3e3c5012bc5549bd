"""One error type for input that cannot be recorded, and the one place a Django form's
errors become it: one message per field, the first, in the order the form found them."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS


class Invalid(Exception):
    """Input that cannot be recorded: `errors` maps each bad field to a message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(", ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = dict(errors)


def form_errors(form: forms.BaseForm) -> dict[str, str]:
    """The form's first message for each bad field; what concerns the whole form (a rule of
    its `clean()` that names no field) under `form`."""
    return {
        "form" if name == NON_FIELD_ERRORS else name: str(messages[0])
        for name, messages in form.errors.items()
        if messages
    }


def form_add_errors(form: forms.BaseForm, errors: Mapping[str, str]) -> dict[str, str]:
    """Put a service's refusals beside the form's fields they name; the others (consent,
    plan, ...) are returned for the summary above the form."""
    rest = {}
    for name, message in errors.items():
        if name in form.fields:
            form.add_error(name, message)
        else:
            rest[name] = message
    return rest
