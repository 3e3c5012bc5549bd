"""A per-client rate limit kept in the database (see `RateLimitHit` and `RateLimitKey`)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from cellclinic.models import RateLimitHit, RateLimitKey


class RateLimited(Exception):
    """The client used up its limit; `retry_after` is the seconds until the oldest counted
    action leaves the window (at least 1)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def rate_limit_consume(*, scope: str, client: str, limit: int, window_seconds: int) -> None:
    """Count one action of `client`, or raise RateLimited if `limit` are counted already.

    Call it inside the transaction that stores the action: the client's key row, written
    first, stays locked until that transaction ends, so parallel requests are counted one
    after the other, and a refusal (or any later failure) rolls the action back together
    with its hit.
    """
    with transaction.atomic(savepoint=False):
        RateLimitKey.objects.bulk_create(
            [RateLimitKey(scope=scope, client=client, last_at=timezone.now())],
            update_conflicts=True,
            unique_fields=["scope", "client"],
            update_fields=["last_at"],
        )
        now = timezone.now()
        counted = RateLimitHit.objects.filter(
            scope=scope, client=client, at__gte=now - timedelta(seconds=window_seconds)
        )
        # Never more than `limit` rows are counted: the time taken stays flat however many
        # actions a client has in the window (a raised limit, or a shared address).
        if counted[:limit].count() >= limit:
            oldest = counted.order_by("at").values_list("at", flat=True)[0]
            wait = oldest + timedelta(seconds=window_seconds) - now
            raise RateLimited(max(1, int(wait.total_seconds()) + 1))
        RateLimitHit.objects.create(scope=scope, client=client, at=now)


def rate_limit_prune(*, older_than_seconds: int = 7 * 24 * 3600) -> int:
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    deleted, _ = RateLimitHit.objects.filter(at__lt=cutoff).delete()
    RateLimitKey.objects.filter(last_at__lt=cutoff).delete()
    return deleted
