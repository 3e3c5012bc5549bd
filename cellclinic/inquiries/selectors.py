"""Reads for inquiries: the staff queue and one inquiry."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count
from django.http import Http404, HttpRequest
from django.utils import timezone

from cellclinic.audit.services import access_object
from cellclinic.inquiries.models import Inquiry, Status
from cellclinic.inquiries.workflow import OPEN
from cellclinic.lib.references import normalise_reference
from cellclinic.lib.workdays import working_days_ago

FIRST_CONTACT_WORKING_DAYS = 2
PAGE_SIZE = 50


def first_contact_due_before(now: datetime | None = None) -> datetime:
    """Inquiries sent before this moment and still not contacted are overdue.

    Two working days (Monday to Friday) at the clinic, counted back from now.
    """
    zone = ZoneInfo(settings.CLINIC_TIME_ZONE)
    local = (now or timezone.now()).astimezone(zone)
    return working_days_ago(local, FIRST_CONTACT_WORKING_DAYS)


COUNTS_KEY = "inquiries:status-counts"
COUNTS_SECONDS = 15


def status_counts() -> tuple[dict[str, int], datetime]:
    """Every inquiry per status, counted at most every 15 seconds (the page says when).

    A busy desk reloads the queue often; counting 200,000 rows on each view would cost
    more than the rest of the page.
    """
    cached = cache.get(COUNTS_KEY)
    if cached is not None:
        return cached
    raw = dict(
        Inquiry.objects.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    result = ({status.value: raw.get(status.value, 0) for status in Status}, timezone.now())
    cache.set(COUNTS_KEY, result, COUNTS_SECONDS)
    return result


def is_overdue(inquiry: Inquiry, overdue_before: datetime) -> bool:
    """Waiting more than two working days for a first contact."""
    return (
        inquiry.first_contact_at is None
        and inquiry.status in OPEN
        and inquiry.created_at < overdue_before
    )


def inquiry_for(request: HttpRequest, reference: str) -> Inquiry:
    """The inquiry a staff member opens, named in the request's row of the access log."""
    inquiry = (
        Inquiry.objects.select_related("program", "program_version")
        .filter(reference=normalise_reference(reference))
        .first()
    )
    if inquiry is None:
        raise Http404
    access_object(request, object_type="inquiry", object_ref=inquiry.reference)
    return inquiry


def waiting_for(user: Any) -> int:
    """How many inquiries assigned to this user have something unread from the family (the
    partial index `inquiry_unread_assignee` holds exactly those rows)."""
    if not getattr(user, "pk", None):
        return 0
    return Inquiry.objects.filter(assigned_to=user.pk, unread_since__isnull=False).count()
