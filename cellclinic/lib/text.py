"""Checks on free text before it reaches the database; left-to-right runs shown in it."""

from __future__ import annotations

import re
from typing import Any

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString

# C0 control characters other than tab, line feed and carriage return, DEL, and lone
# UTF-16 surrogates. PostgreSQL refuses NUL outright, surrogates cannot be encoded at all;
# none of them is ever typed by a person.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def has_control_characters(text: str) -> bool:
    return CONTROL.search(text) is not None


# Bidirectional embeddings, overrides and isolates (U+202A-E, U+2066-9): invisible, never
# needed in what a person types (pages isolate runs themselves), and able to make a name show
# reversed ("abc" as "cba") on the desk and in e-mails. Removed from what is stored; the
# marks U+200E/U+200F, which some keyboards insert, stay.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def without_bidi_controls(value: Any) -> Any:
    """`value` (text, or a list of texts) without bidirectional control characters."""
    if isinstance(value, str):
        return BIDI_CONTROLS.sub("", value)
    if isinstance(value, list):
        return [without_bidi_controls(v) for v in value]
    return value


def search_text(value: str, limit: int = 100) -> str:
    """A search or filter value as typed, without control characters, trimmed."""
    return CONTROL.sub("", value).strip()[:limit]


# A run read left to right inside any text: an international phone number or an e-mail address.
LTR_RUN = re.compile(r"\+\d[\d \u00a0().-]{4,}\d|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def isolate_ltr_runs(text: str) -> SafeString:
    """`text` as HTML, each phone number and e-mail address in it isolated as a
    left-to-right run (`<bdi dir="ltr">`): in Arabic "+44 20 7946 0958" would otherwise show
    as "0958 7946 20 44+"."""
    parts, last = [], 0
    for found in LTR_RUN.finditer(text):
        parts.append(escape(text[last : found.start()]))
        parts.append(format_html('<bdi dir="ltr">{}</bdi>', found.group(0)))
        last = found.end()
    parts.append(escape(text[last:]))
    return format_html_join("", "{}", ((part,) for part in parts))  # each part is escaped
