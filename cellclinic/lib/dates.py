"""Dates as a family anywhere on earth sees them, and ages."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.utils import timezone


def family_today() -> date:
    """The latest calendar date anywhere on earth (UTC+14).

    A family far east of the server may already live in tomorrow; a birth date of "today"
    where they are must not be refused as a date in the future.
    """
    return (timezone.now() + timedelta(hours=14)).date()


def age_on(birth_date: date, as_of: date) -> int:
    """Whole years at `as_of` as relativedelta counts them: 5 on the fifth birthday."""
    return relativedelta(as_of, birth_date).years
