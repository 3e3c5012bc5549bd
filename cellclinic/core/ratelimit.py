"""A per-client rate limit kept in the database, one row per client (see `RateLimitKey`)."""

from __future__ import annotations

import json
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from cellclinic.core.models import RateLimitKey


class RateLimited(Exception):
    """The client used up its limit; `retry_after` is the seconds until the oldest counted
    action leaves the window (at least 1)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


# One statement writes the client's row (or makes it) and reads its recent actions back:
# the write locks the row until the caller's transaction ends, so parallel requests from
# one client are counted one after the other (PostgreSQL; SQLite's immediate transactions
# queue every writer anyway). SQLite and PostgreSQL both know this form.
_TOUCH = (
    f"INSERT INTO {RateLimitKey._meta.db_table} (scope, client, last_at, recent) "  # noqa: S608  # nosec B608  # a model's own table name
    "VALUES (%s, %s, %s, %s) "
    "ON CONFLICT (scope, client) DO UPDATE SET last_at = excluded.last_at "
    "RETURNING id, recent"
)


def rate_limit_consume(*, scope: str, client: str, limit: int, window_seconds: int) -> None:
    """Count one action of `client`, or raise RateLimited if `limit` are counted already
    within the last `window_seconds`.

    Call it inside the transaction that stores the action: a refusal (or any later
    failure) rolls the count back together with the action. The row keeps the newest
    `limit` times whatever their age, so each call costs two statements on one row however
    long the client has been sending (a sliding window, exact), and no server drops a time
    that another, whose clock runs behind, still counts.
    """
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(_TOUCH, [scope, client, timezone.now(), "[]"])
        key_id, stored = cursor.fetchone()
        # Taken once the row is ours: a request that waited for the lock (behind an inquiry
        # storing its uploads) counts from now, not from before it waited.
        now = timezone.now()
        recent = json.loads(stored) if isinstance(stored, (str, bytes)) else stored
        # Anything but a list of numbers (a row edited by hand, an odd restore) holds no
        # times: the row is written again cleanly instead of failing every request.
        times = sorted(t for t in (recent if isinstance(recent, list) else []) if _is_time(t))
        start = (now - timedelta(seconds=window_seconds)).timestamp()
        counted = [t for t in times if t > start]
        if len(counted) >= limit:
            oldest = counted[-limit]
            wait = oldest + window_seconds - now.timestamp()
            raise RateLimited(max(1, int(wait) + 1))
        kept = times[-(limit - 1) :] if limit > 1 else []
        RateLimitKey.objects.filter(pk=key_id).update(recent=[*kept, now.timestamp()])


def _is_time(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def rate_limit_prune(*, older_than_seconds: int = 7 * 24 * 3600) -> int:
    """Forget the clients whose last action is older than `older_than_seconds`."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    deleted, _ = RateLimitKey.objects.filter(last_at__lt=cutoff).delete()
    return deleted
