"""Staff roles. Each is a Django group; docs/roles.md has the permission table."""

from __future__ import annotations

ROLES = ("coordinator", "physician", "nurse", "analyst", "admin")
