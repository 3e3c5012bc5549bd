"""Reads for the desk: the list of contact messages and one message."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest

from cellclinic.audit.services import access_object
from cellclinic.contact.models import ContactMessage

OBJECT_TYPE = "contact"


def contact_messages(*, status: str = "") -> QuerySet[ContactMessage]:
    """Newest first, of one status or all."""
    messages = ContactMessage.objects.all()
    return messages.filter(status=status) if status else messages


def contact_counts() -> dict[str, int]:
    """Messages per status, every status named (zero when none)."""
    raw = dict(
        ContactMessage.objects.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {status.value: raw.get(status.value, 0) for status in ContactMessage.Status}


def contact_for(request: HttpRequest, key: UUID) -> ContactMessage:
    """The message a staff member opens, named in the request's row of the access log."""
    message = ContactMessage.objects.filter(uuid=key).first()
    if message is None:
        raise Http404
    access_object(request, object_type=OBJECT_TYPE, object_ref=str(message.uuid))
    return message
