"""The staff navigation bar: each place a role may open, named by its capability.

The bar shows an entry only to someone who holds its capability (the permission table in
`permissions.py` decides, nothing here), so a page a role cannot open is never offered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cellclinic.accounts.permissions import capabilities_of


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: str | Promise
    capability: str
    query: str = ""  # a filtered view of the page ("?waiting=me")
    count: str = ""  # the name of a count in NAV_COUNTS, shown beside the label

    def url(self) -> str:
        return reverse(self.url_name) + self.query


# The counts shown beside an entry (a number of inquiries waiting for the user), by name.
# Accounts knows no inquiry: the app that owns the count registers it in its
# `AppConfig.ready` (inquiries: "waiting_for_me"); an unregistered count shows nothing.
NAV_COUNTS: dict[str, Callable[[Any], int]] = {}


NAV: tuple[NavEntry, ...] = (
    NavEntry("staff_queue", _("Queue"), "inquiry.view"),
    NavEntry(
        "staff_queue",
        _("Waiting for me"),
        "inquiry.assignee",
        query="?waiting=me",
        count="waiting_for_me",
    ),
    NavEntry("staff_contact_list", _("Contact messages"), "contact.answer"),
    NavEntry("patient_list", _("Patients"), "patient.view"),
    NavEntry("followup_desk", _("Follow-up"), "patient.view"),
    NavEntry("outcome_report", _("Outcomes"), "outcomes.view"),
    NavEntry("safety_report", _("Safety"), "safety.view"),
    NavEntry("access_log", _("Access log"), "audit.view"),
    NavEntry("consent_documents", _("Consent documents"), "consent.documents"),
    NavEntry("screening_impact", _("Screening impact"), "screening.impact"),
    NavEntry("api_tokens", _("API tokens"), "staff.home"),
    NavEntry("staff_settings", _("My settings"), "staff.home"),
)


@dataclass(frozen=True)
class NavLink:
    url: str
    label: str | Promise
    current: str  # "page" on the entry's own page, "true" below it, "" elsewhere
    count: int | None = None


def nav_links(user: Any, path: str, full_path: str = "") -> list[NavLink]:
    """The entries a user may open, the one the path is in marked as current.

    The entry whose address is the longest start of the path is the current section (an
    inquiry's page is in the queue, a patient's plan in the patients). An entry with a query
    is current only on exactly its address (`full_path`, the path with its query), and then
    alone."""
    held = capabilities_of(user)
    links = [(entry, entry.url()) for entry in NAV if entry.capability in held]
    exact = [url for entry, url in links if entry.query and url == full_path]
    inside = [url for entry, url in links if not entry.query and path.startswith(url)]
    section = "" if exact else max(inside, key=len, default="")
    return [
        NavLink(
            url=url,
            label=entry.label,
            current=_current(entry, url, path, section, exact),
            count=_count(entry, user),
        )
        for entry, url in links
    ]


def _current(entry: NavEntry, url: str, path: str, section: str, exact: list[str]) -> str:
    if entry.query or exact:
        return "page" if url in exact else ""
    return "page" if url == path else ("true" if url == section else "")


def _count(entry: NavEntry, user: Any) -> int | None:
    counter = NAV_COUNTS.get(entry.count) if entry.count else None
    return counter(user) if counter is not None else None
