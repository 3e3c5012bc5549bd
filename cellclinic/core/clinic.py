"""The clinic's identity, from settings: who families are dealing with and how to reach it.

Every public and family page shows it in its header and footer (the `context` processor),
and so do error pages, e-mail signatures and printables (`clinic()` in their context).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest


@dataclass(frozen=True)
class Clinic:
    name: str
    address: str
    phone: str
    email: str
    licence: str
    logo_url: str

    @property
    def phone_link(self) -> str:
        """The phone number as a `tel:` address: digits and a leading plus only."""
        digits = "".join(c for c in self.phone if c.isdigit())
        return f"tel:+{digits}" if self.phone.strip().startswith("+") else f"tel:{digits}"


def clinic() -> Clinic:
    return Clinic(
        name=settings.CLINIC_NAME,
        address=settings.CLINIC_ADDRESS,
        phone=settings.CLINIC_PHONE,
        email=settings.CLINIC_EMAIL,
        licence=settings.CLINIC_LICENCE,
        logo_url=settings.CLINIC_LOGO_URL,
    )


def context(request: HttpRequest) -> dict[str, Clinic]:
    """Template context processor: `clinic` on every page rendered with a request."""
    return {"clinic": clinic()}
