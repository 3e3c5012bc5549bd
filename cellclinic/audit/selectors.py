"""Reads of the access log."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.db.models.functions import Upper
from django.utils import timezone

from cellclinic.audit.models import AccessEvent
from cellclinic.lib.references import normalise_reference


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def access_events(
    *,
    user: str = "",
    object_ref: str = "",
    outcome: str = "",
    since: date | None = None,
    until: date | None = None,
    before: int | None = None,
) -> QuerySet[AccessEvent]:
    """The log, newest first, filtered; each filter is served by an index.

    `object_ref` matches in any letter case: inquiry references are stored in capitals and
    patient ids in small letters, and people type either (index on UPPER(object_ref)).
    Days are ranges of `at` (not `at__date`), so the index on `at` serves them."""
    events = AccessEvent.objects.select_related("user").order_by("-pk")
    if user:
        # the few staff accounts first, then the log by its index on user_id
        events = events.filter(user__in=User.objects.filter(username__iexact=user))
    if object_ref:
        events = events.alias(ref_upper=Upper("object_ref")).filter(
            ref_upper__in={object_ref.upper(), _stored_form(object_ref).upper()}
        )
    if outcome:
        events = events.filter(outcome=outcome)
    if since is not None:
        events = events.filter(at__gte=_day_start(since))
    if until is not None and until < date.max:  # the last day there is bounds nothing
        events = events.filter(at__lt=_day_start(until + timedelta(days=1)))
    if before is not None:
        events = events.filter(pk__lt=before)
    return events


def _stored_form(typed: str) -> str:
    """A patient id as stored, or an inquiry reference as the queue reads it (spaces,
    dashes and look-alike letters forgiven), so the log finds what the desk finds."""
    try:
        return str(uuid.UUID(typed))
    except ValueError:
        return normalise_reference(typed)
