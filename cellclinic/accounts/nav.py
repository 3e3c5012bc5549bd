"""The staff navigation bar: each place a role may open, named by its capability.

The bar shows an entry only to someone who holds its capability (the permission table in
`permissions.py` decides, nothing here), so a page a role cannot open is never offered.
"""

from __future__ import annotations

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


NAV: tuple[NavEntry, ...] = (
    NavEntry("staff_queue", _("Queue"), "inquiry.view"),
    NavEntry("staff_contact_list", _("Contact messages"), "contact.answer"),
    NavEntry("patient_list", _("Patients"), "patient.view"),
    NavEntry("followup_desk", _("Follow-up"), "patient.view"),
    NavEntry("outcome_report", _("Outcomes"), "outcomes.view"),
    NavEntry("safety_report", _("Safety"), "safety.view"),
    NavEntry("access_log", _("Access log"), "audit.view"),
    NavEntry("consent_documents", _("Consent documents"), "consent.documents"),
    NavEntry("screening_impact", _("Screening impact"), "screening.impact"),
    NavEntry("api_tokens", _("API tokens"), "staff.home"),
)


@dataclass(frozen=True)
class NavLink:
    url: str
    label: str | Promise
    current: str  # "page" on the entry's own page, "true" below it, "" elsewhere


def nav_links(user: Any, path: str) -> list[NavLink]:
    """The entries a user may open, the one the path is in marked as current.

    The entry whose address is the longest start of the path is the current section (an
    inquiry's page is in the queue, a patient's plan in the patients)."""
    held = capabilities_of(user)
    links = [(entry, reverse(entry.url_name)) for entry in NAV if entry.capability in held]
    inside = [url for _entry, url in links if path.startswith(url)]
    section = max(inside, key=len, default="")
    return [
        NavLink(
            url=url,
            label=entry.label,
            current="page" if url == path else ("true" if url == section else ""),
        )
        for entry, url in links
    ]
