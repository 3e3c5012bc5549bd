"""The family's personal link: signed, expiring, for one inquiry only. No account needed."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.urls import reverse

from cellclinic.inquiries.models import Inquiry
from cellclinic.lib.links import SignedLink

LINK = SignedLink(salt="cellclinic.family-link", field="inquiry")


def family_token(inquiry: Inquiry) -> str:
    return LINK.token(inquiry.uuid)


def family_url(inquiry: Inquiry) -> str:
    return settings.SITE_URL + reverse("family_inquiry", args=[family_token(inquiry)])


def inquiry_from_token(token: str) -> Inquiry | None:
    """The inquiry of a link, or None when the link is forged, damaged or expired."""
    key = LINK.key(token, max_age=timedelta(days=settings.FAMILY_LINK_DAYS))
    return None if key is None else Inquiry.objects.filter(uuid=key).first()
