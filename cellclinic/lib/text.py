"""Checks on free text before it reaches the database; left-to-right runs shown in it."""

from __future__ import annotations

import re

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString

# C0 control characters other than tab, line feed and carriage return, DEL, and lone
# UTF-16 surrogates. PostgreSQL refuses NUL outright, surrogates cannot be encoded at all;
# none of them is ever typed by a person.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def has_control_characters(text: str) -> bool:
    return CONTROL.search(text) is not None


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
