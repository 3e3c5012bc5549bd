"""The forms of the staff desk's actions on one inquiry: a status move, an assignment, a note,
a message to the family, a physician's acceptance or decline.

Each form reads and trims what the page posts and refuses what no service could take (empty,
too long, invisible control characters, an unknown username), with the messages of the
desk's refusals (`REFUSALS`). What depends on the inquiry or on who acts (the status machine,
the roles) stays in the services, which raise `DeskRefused` with a code of `REFUSALS`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from cellclinic.lib.formfields import SearchText
from cellclinic.lib.text import has_control_characters, without_bidi_controls

# What each refusal (`DeskRefused.code`, or a form's error code) says to staff.
REFUSALS = {
    "not_allowed": gettext_lazy("That status change is not allowed from the current status."),
    "role": gettext_lazy("Your role may not do this."),
    "reason_required": gettext_lazy("Write the reason: it is required for this change."),
    "control": gettext_lazy("Remove the invisible control characters."),
    "empty": gettext_lazy("Write something first."),
    "too_long": gettext_lazy("This is too long."),
    "not_coordinator": gettext_lazy("Choose a coordinator."),
}
TEXT_LIMIT = 10_000


class DeskText(forms.CharField):
    """Text as the desk checks it, in this order: trimmed, required unless told (`empty`), at
    most `limit` characters (`too_long`; None for any length), no invisible control
    characters (`control`). Each message can be replaced by `error_messages`."""

    default_error_messages = {
        "required": REFUSALS["empty"],
        "too_long": REFUSALS["too_long"],
        "control": REFUSALS["control"],
    }

    def __init__(self, *, limit: int | None = TEXT_LIMIT, **kwargs: Any) -> None:
        self.limit = limit
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = without_bidi_controls(value) if isinstance(value, str) else ""
        return str(super().to_python(text))

    def validate(self, value: str) -> None:
        super().validate(value)
        if self.limit is not None and len(value) > self.limit:
            raise ValidationError(self.error_messages["too_long"], code="too_long")
        if has_control_characters(value):
            raise ValidationError(self.error_messages["control"], code="control")


class DeskForm(forms.Form):
    """A desk action's form; `values()` are the keyword arguments of its service."""

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class StatusMoveForm(DeskForm):
    """A move to `status`; whether it is allowed, and whether it needs the reason, is the
    status machine's (`inquiries.workflow`)."""

    status = forms.Field(required=False)  # as posted: the machine refuses any other value
    reason = DeskText(required=False, limit=None)

    def clean_status(self) -> str:
        status = self.cleaned_data.get("status")
        return status if isinstance(status, str) else ""

    def values(self) -> dict[str, Any]:
        return {"to_status": self.cleaned_data["status"], "reason": self.cleaned_data["reason"]}


class AssignForm(DeskForm):
    """A coordinator by username, or nobody (empty); the service checks that it is one."""

    assignee = SearchText(limit=150)

    def clean_assignee(self) -> User | None:
        username = self.cleaned_data["assignee"]
        if not username:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            raise ValidationError(REFUSALS["not_coordinator"], code="not_coordinator")
        return user


class NoteForm(DeskForm):
    text = DeskText()


class MessageForm(DeskForm):
    body = DeskText()


class AcceptForm(DeskForm):
    """The consultation note that makes the inquiry a patient's."""

    note = DeskText(limit=None)


class DeclineForm(DeskForm):
    """The reason stays internal (the status machine requires it); the message goes to the
    family."""

    reason = DeskText(required=False, limit=None)
    message = DeskText()
