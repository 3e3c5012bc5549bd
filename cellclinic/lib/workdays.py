"""Working days (Monday to Friday) at the clinic."""

from __future__ import annotations

from datetime import datetime, timedelta


def working_days_ago(moment: datetime, days: int) -> datetime:
    """The moment `days` working days before `moment` (weekends are skipped)."""
    result = moment
    remaining = days
    while remaining > 0:
        result -= timedelta(days=1)
        if result.weekday() < 5:
            remaining -= 1
    return result
