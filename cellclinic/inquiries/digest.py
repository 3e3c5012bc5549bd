"""The e-mail digest of the inquiries waiting for a coordinator (docs/staff.md, "Unread").

A staff member who switched it on (`accounts.StaffPreference.digest`, on their settings
page) and has an e-mail address gets one message listing the inquiries assigned to them
with something unread from the family, when the family wrote or sent a document after the
last digest; otherwise nothing. `cellclinic digest` sends them (run it once a day).

E-mail is not a safe channel: the message names each inquiry by its reference and links to
its staff page, which asks for the sign-in and second factor; no name, answer or message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from cellclinic.accounts.models import StaffPreference
from cellclinic.accounts.permissions import can
from cellclinic.core.clinic import clinic
from cellclinic.core.outbox import outbox_enqueue
from cellclinic.inquiries.models import Inquiry

logger = logging.getLogger(__name__)
KIND = "staff_digest"


@dataclass(frozen=True)
class DigestLine:
    reference: str
    url: str
    unread_since: datetime


def digest_lines(user: User) -> tuple[list[DigestLine], datetime | None]:
    """The user's unread inquiries (oldest unread first) and the family's latest activity
    on them (None when there is none)."""
    waiting = Inquiry.objects.filter(assigned_to=user, unread_since__isnull=False)
    latest = waiting.aggregate(at=Max("family_activity_at"))["at"]
    lines = [
        DigestLine(
            reference=reference,
            url=settings.SITE_URL + reverse("staff_inquiry", args=[reference]),
            unread_since=since,
        )
        for reference, since in waiting.order_by("unread_since", "pk").values_list(
            "reference", "unread_since"
        )
        if since is not None
    ]
    return lines, latest


def digest_send(*, preference: StaffPreference, now: datetime | None = None) -> bool:
    """Queue this staff member's digest if it is due; True when queued.

    Due: switched on, an e-mail address, still one who may be assigned inquiries, and the
    family wrote on one of theirs since the last digest. The preference row is claimed by
    a conditional update in the same transaction as the outbox row, so two runs at once
    queue it once."""
    user = preference.user
    if not (preference.digest and user.is_active and user.email and can(user, "inquiry.assignee")):
        return False
    lines, latest = digest_lines(user)
    if not lines or latest is None:
        return False
    last = preference.digest_sent_at
    if last is not None and latest <= last:
        return False  # nothing new since the last digest
    now = now or timezone.now()
    language = preference.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {"lines": lines, "clinic": clinic(), "queue_url": _queue_url(), "user": user}
        subject = render_to_string("inquiries/email/digest_subject.txt", context)
        body = render_to_string("inquiries/email/digest_body.txt", context)
    with transaction.atomic():
        claimed = StaffPreference.objects.filter(pk=preference.pk, digest_sent_at=last).update(
            digest_sent_at=now
        )
        if not claimed:
            return False
        outbox_enqueue(
            kind=KIND,
            to=user.email,
            language=language,
            subject=" ".join(subject.split()),
            body=body,
        )
    return True


def _queue_url() -> str:
    return settings.SITE_URL + reverse("staff_queue") + "?waiting=me"


def digests_send(*, now: datetime | None = None) -> int:
    """Every digest that is due (`digest_send`); how many were queued."""
    sent = 0
    for preference in StaffPreference.objects.filter(digest=True).select_related("user"):
        try:
            sent += digest_send(preference=preference, now=now)
        except Exception:  # one staff member's failure never holds up the others
            logger.exception("the digest of user %s could not be queued", preference.user_id)
    return sent
