"""The inquiry form, generated from a program's items.

Field names are item ids (`cp.epilepsy`), so the form, the API and the screening speak
the same names. `InquiryForm` is the program's answers form as the page posts it (each
item's field, from `cellclinic.programs.answers`, reads and checks its answer);
`form_sections` shapes what the template draws. `FamilyReplyForm` is the family's answer
through its link.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from cellclinic.inquiries.desk_forms import DeskText
from cellclinic.inquiries.services import Upload
from cellclinic.lib.collation import sort_key
from cellclinic.programs.answers import AnswerField, AnswersForm, is_missing
from cellclinic.programs.schema import Item, ProgramDefinition

SECTION_TITLES = {
    "contact": _("About you"),
    "patient": _("About the patient"),
    "condition": _("About the condition"),
    "message": _("Your message"),
    "consent": _("Consent"),
}
HONEYPOT = "website"
DOCUMENTS = "documents"


class InquiryForm(AnswersForm):
    """The family's answers as the page posts them: strings, which each field reads first."""

    def __init__(
        self, definition: ProgramDefinition, data: QueryDict | None = None, *, as_of: date
    ) -> None:
        super().__init__(definition, data, as_of=as_of, posted=True)

    def shown_values(self) -> dict[str, Any]:
        """What the page shows again: each answer as read from the post, or as it was typed
        where it cannot be read (a number that is not one)."""
        values: dict[str, Any] = {}
        for name in self.fields:
            raw = self[name].data
            try:
                value = cast(AnswerField, self.fields[name]).read_post(raw)
            except ValidationError:
                value = raw
            if not is_missing(value):
                values[name] = value
        return values


class FamilyReplyForm(forms.Form):
    """What the family writes through its link: a message, documents (checked before, by the
    page), or both; never neither."""

    body = DeskText(
        limit=5000, required=False, error_messages={"too_long": _("The message is too long.")}
    )

    def __init__(self, data: QueryDict | None = None, *, uploads: list[Upload]) -> None:
        super().__init__(data)
        self.uploads = uploads

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not data.get("body") and not self.uploads:
            self.add_error("body", _("Write a message or attach a document."))
        return data


@dataclass
class Option:
    value: str
    label: str
    checked: bool
    html_id: str
    alt: str = ""  # another name it is found by (a country's English name)


@dataclass
class FieldView:
    id: str
    html_id: str
    type: str
    widget: str
    label: str
    help: str
    required: bool
    value: str
    error: str | None
    options: list[Option] = field(default_factory=list)
    when_item: str = ""
    when_values: str = ""
    when_text: str = ""
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    max_date: str = ""

    @property
    def described_by(self) -> str:
        ids = []
        if self.error:
            ids.append(f"{self.html_id}-error")
        if self.help or self.when_text:
            ids.append(f"{self.html_id}-help")
        return " ".join(ids)


def html_id(item_id: str) -> str:
    return "f-" + item_id.replace(".", "-").replace("_", "-")


def _widget(item: Item) -> str:
    if item.type == "text":
        return "textarea" if (item.max_length or 0) > 500 else "text"
    if item.type in ("choice", "boolean") and item.must_be_true:
        return "checkbox"
    return {
        "choice": "radio",
        "multi_choice": "checkboxes",
        "boolean": "yesno",
        "integer": "number",
        "date": "date",
        "email": "email",
        "phone": "tel",
        "country": "select",
        "language": "select",
    }[item.type]


def country_pairs(language: str, first: str = "") -> list[tuple[str, str]]:
    """Every country named in `language`, in that language's alphabetical order, the
    country `first` (the family's likely one) at the top."""
    pairs = list(_sorted_countries(language))
    return sorted(pairs, key=lambda p: p[0] != first) if first else pairs


@lru_cache(maxsize=16)
def _sorted_countries(language: str) -> tuple[tuple[str, str], ...]:
    # Sorted once per language (the Chinese key reads pinyin, a few milliseconds).
    with translation.override(language):
        named = [(code, str(name)) for code, name in countries]
    return tuple(sorted(named, key=lambda p: sort_key(p[1], language)))


def _english_countries() -> dict[str, str]:
    with translation.override("en"):
        return {code: str(name) for code, name in countries}


def _options(
    item: Item, language: str, value: Any, base_id: str, likely_country: str = ""
) -> list[Option]:
    chosen = set(value) if isinstance(value, list) else {value}
    if item.type in ("choice", "multi_choice"):
        pairs = [(c, item.choice_label(c, language)) for c in item.choices]
    elif item.type == "boolean":
        # A third choice leaves the question unanswered: a family who clicked "No" by
        # mistake can take it back (for screening, "no" and "not answered" differ).
        pairs = [("yes", str(_("Yes"))), ("no", str(_("No"))), ("", str(_("I do not know")))]
        chosen = {
            "yes" if value is True or value == "yes" else "no" if value in (False, "no") else ""
        }
    elif item.type == "country":
        pairs = country_pairs(language, likely_country)
    elif item.type == "language":
        pairs = [(code, get_language_info(code)["name_local"]) for code, _n in settings.LANGUAGES]
    else:
        return []
    english = _english_countries() if item.type == "country" else {}
    return [
        Option(
            value=v,
            label=label,
            checked=v in chosen,
            html_id=f"{base_id}-{i}",
            alt=str(english.get(v, "")) if english else "",
        )
        for i, (v, label) in enumerate(pairs)
    ]


def form_sections(
    definition: ProgramDefinition,
    *,
    language: str,
    values: dict[str, Any],
    errors: dict[str, str],
    today: date,
    likely_country: str = "",
) -> list[dict[str, Any]]:
    sections = []
    for key, title in SECTION_TITLES.items():
        fields = []
        for item in definition.items_in(key):
            base = html_id(item.id)
            value = values.get(item.id)
            if item.type == "language" and value is None:
                value = language
            when_text = ""
            if item.when is not None:
                target = definition.item(item.when.item)
                when_text = str(_("Answer only if “%(question)s” is “%(answer)s”.")) % {
                    "question": target.label.get(language),
                    "answer": " / ".join(
                        target.choice_label(v, language) for v in item.when.values
                    ),
                }
            fields.append(
                FieldView(
                    id=item.id,
                    html_id=base,
                    type=item.type,
                    widget=_widget(item),
                    label=item.label.get(language),
                    help=item.help.get(language) if item.help else "",
                    required=item.required,
                    value="" if value is None or isinstance(value, (list, bool)) else str(value),
                    error=errors.get(item.id),
                    options=_options(item, language, value, base, likely_country),
                    when_item=item.when.item if item.when else "",
                    when_values=" ".join(item.when.values) if item.when else "",
                    when_text=when_text,
                    max_length=item.max_length,
                    min_value=item.min_value,
                    max_value=item.max_value,
                    max_date=today.isoformat() if item.not_future else "",
                )
            )
        if fields:
            sections.append({"key": key, "title": title, "fields": fields})
    return sections
