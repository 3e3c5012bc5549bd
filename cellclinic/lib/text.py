"""Checks on free text before it reaches the database."""

from __future__ import annotations

import re

# C0 control characters other than tab, line feed and carriage return, and DEL.
# PostgreSQL refuses NUL outright; the others are never typed by a person.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_characters(text: str) -> bool:
    return CONTROL.search(text) is not None


def search_text(value: str, limit: int = 100) -> str:
    """A search or filter value as typed, without control characters, trimmed."""
    return CONTROL.sub("", value).strip()[:limit]
