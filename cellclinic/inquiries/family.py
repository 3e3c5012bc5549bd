"""The family's personal link: signed, expiring, for one inquiry only. No account needed."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from cellclinic.inquiries.models import Inquiry

SALT = "cellclinic.family-link"


def family_token(inquiry: Inquiry) -> str:
    return signing.dumps({"inquiry": str(inquiry.uuid)}, salt=SALT, compress=True)


def family_url(inquiry: Inquiry) -> str:
    return settings.SITE_URL + reverse("family_inquiry", args=[family_token(inquiry)])


def inquiry_from_token(token: str) -> Inquiry | None:
    """The inquiry of a link, or None when the link is forged, damaged or expired."""
    try:
        data = signing.loads(token, salt=SALT, max_age=timedelta(days=settings.FAMILY_LINK_DAYS))
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("inquiry"), str):
        return None
    try:
        return Inquiry.objects.filter(uuid=data["inquiry"]).first()
    except Exception:  # a malformed UUID inside a valid signature cannot happen; be safe
        return None
