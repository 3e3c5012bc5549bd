"""The link of an invitation to inquire: signed, expiring, for one invitation only."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.urls import reverse

from cellclinic.contact.models import ContactEvent
from cellclinic.lib.links import SignedLink

LINK = SignedLink(salt="cellclinic.contact-invitation", field="invitation")


def invitation_url(event: ContactEvent) -> str:
    return settings.SITE_URL + reverse("contact_invitation", args=[LINK.token(event.uuid)])


def invitation_from_token(token: str) -> ContactEvent | None:
    """The invitation of a link, or None when the link is forged, damaged or expired."""
    key = LINK.key(token, max_age=timedelta(days=settings.FAMILY_LINK_DAYS))
    if key is None:
        return None
    return (
        ContactEvent.objects.select_related("message")
        .filter(uuid=key, kind=ContactEvent.Kind.INVITATION)
        .first()
    )
