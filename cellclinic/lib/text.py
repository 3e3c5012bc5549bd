"""Checks on free text before it reaches the database."""

from __future__ import annotations

import re

# C0 control characters other than tab, line feed and carriage return, DEL, and lone
# UTF-16 surrogates. PostgreSQL refuses NUL outright, surrogates cannot be encoded at all;
# none of them is ever typed by a person.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def has_control_characters(text: str) -> bool:
    return CONTROL.search(text) is not None


def search_text(value: str, limit: int = 100) -> str:
    """A search or filter value as typed, without control characters, trimmed."""
    return CONTROL.sub("", value).strip()[:limit]
