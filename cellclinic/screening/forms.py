"""The forms of screening's staff pages: the queue's filters, a physician's override, and the
impact preview of a draft program file."""

from __future__ import annotations

from pathlib import Path
from tempfile import NamedTemporaryFile
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy

from cellclinic.inquiries.desk_forms import DeskText
from cellclinic.lib.formfields import Choice, SearchText, typed
from cellclinic.programs.loader import DefinitionError
from cellclinic.programs.rules import RuleError
from cellclinic.programs.selectors import CurrentProgram, program_get
from cellclinic.screening.engine import RuleSet
from cellclinic.screening.models import Decision
from cellclinic.screening.queue import QueueFilters
from cellclinic.screening.services import draft_rule_set

CURSOR_LIMIT = 200


class Cursor(forms.Field):
    """The queue's page cursor as sent (at most CURSOR_LIMIT characters); one that does not
    decode starts from the top, so it is never refused."""

    def to_python(self, value: Any) -> str:
        return value[:CURSOR_LIMIT] if isinstance(value, str) else ""


class QueueFilterForm(forms.Form):
    """The queue's query string (GET). Never invalid: a value that matches nothing finds
    nothing, and control characters are dropped."""

    program = SearchText()
    status = SearchText()
    decision = SearchText()
    assignee = SearchText()  # a username, "none", or "" for anyone
    country = SearchText()
    language = SearchText()
    waiting = SearchText()  # "overdue" or ""
    q = SearchText()
    after = Cursor(required=False)

    def filters(self) -> QueueFilters:
        return typed(QueueFilters, self.cleaned_data)


OVERRIDE_REASON = gettext_lazy("Write the reason for the override.")
OVERRIDE_DECISION = gettext_lazy("Choose one of the decisions offered.")


class OverrideForm(forms.Form):
    """A physician's decision in place of the automatic one, with the reason."""

    decision = Choice(
        choices=Decision.Value.choices,
        error_messages={"required": OVERRIDE_DECISION, "invalid_choice": OVERRIDE_DECISION},
    )
    reason = DeskText(
        limit=None, error_messages={"required": OVERRIDE_REASON, "control": OVERRIDE_REASON}
    )


DRAFT_MAX_BYTES = 256 * 1024


class ImpactForm(forms.Form):
    """A program and a draft of its definition file; `clean()` reads the draft's rules
    (`rules`), or names where the draft is wrong."""

    program = forms.Field(required=False)
    draft = forms.Field(required=False, widget=forms.FileInput)

    def clean_program(self) -> CurrentProgram:
        slug = self.cleaned_data.get("program")
        program = program_get(slug=slug if isinstance(slug, str) else "")
        if program is None:
            raise ValidationError(gettext_lazy("Choose a program."), code="program")
        return program

    def clean_draft(self) -> UploadedFile:
        upload = self.cleaned_data.get("draft")
        if not isinstance(upload, UploadedFile):
            raise ValidationError(
                gettext_lazy("Attach the draft program file (YAML)."), code="required"
            )
        if (upload.size or 0) > DRAFT_MAX_BYTES:
            raise ValidationError(gettext_lazy("The draft file is too large."), code="large")
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            data["rules"] = self._rules(data["program"], data["draft"])
        return data

    def _rules(self, program: CurrentProgram, upload: UploadedFile) -> RuleSet | None:
        with NamedTemporaryFile(suffix=".yaml") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
            handle.flush()
            try:
                return draft_rule_set(path=Path(handle.name), program=program.slug)
            except (DefinitionError, RuleError, UnicodeDecodeError) as exc:
                name = upload.name or "draft"
                self.add_error("draft", str(exc).replace(Path(handle.name).name, name))
                return None
