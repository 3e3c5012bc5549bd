"""Staff roles. Each is a Django group; docs/roles.md has the permission table."""

from __future__ import annotations

from typing import Any

ROLES = ("coordinator", "physician", "nurse", "analyst", "admin")


def roles_of(user: Any) -> set[str]:
    """The roles of a signed-in, active user (none for anyone else)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    return set(user.groups.values_list("name", flat=True))
