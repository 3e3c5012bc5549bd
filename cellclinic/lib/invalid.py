"""One error type for input that cannot be recorded, and the one place a Django form's
errors become it: one message per field, the first, in the order the form found them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.functional import Promise
from django.utils.translation import gettext as _

StrOrPromise = str | Promise


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


@dataclass(frozen=True)
class SummaryItem:
    """One line of the error summary above a form: `text` names the field, and links to
    `html_id` (empty for what concerns the whole form)."""

    html_id: str
    text: str


def error_summary(
    errors: Mapping[str, str], fields: Mapping[str, tuple[str, StrOrPromise]]
) -> list[SummaryItem]:
    """The errors as the summary at the top of a form reads them (`_error_summary.html`):
    what concerns the whole form first, then each field in the order of `fields`, the order
    of the page. `fields` gives each field's html id and label: a person who lands on the
    summary must know which field each message is about without scrolling to it."""
    items = [SummaryItem("", message) for name, message in errors.items() if name not in fields]
    for name, (html_id, label) in fields.items():
        if name in errors:
            named = {"label": str(label).rstrip(".。"), "message": errors[name]}
            text = _("%(label)s: %(message)s") % named
            items.append(SummaryItem(html_id, text))
    return items
