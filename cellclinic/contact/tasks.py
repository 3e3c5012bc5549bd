"""What follows a stored contact message, run by the worker once it is committed."""

from __future__ import annotations

from django_tasks import task

from cellclinic.contact.emails import contact_acknowledgement_queue
from cellclinic.contact.models import ContactMessage


@task()
def contact_received(*, message_id: int) -> bool:
    """Queue the sender's acknowledgement (once); its task row is written in the message's
    own transaction (`contact_submit`), so nothing is rendered while the sender waits and
    a fault here never loses what they wrote."""
    message = ContactMessage.objects.get(pk=message_id)
    return contact_acknowledgement_queue(message=message)
