"""A per-client rate limit kept in the database (see `RateLimitHit`)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cellclinic.models import RateLimitHit


def rate_limited(*, scope: str, client: str, limit: int, window_seconds: int) -> bool:
    since = timezone.now() - timedelta(seconds=window_seconds)
    return RateLimitHit.objects.filter(scope=scope, client=client, at__gte=since).count() >= limit


def rate_limit_retry_after(*, scope: str, client: str, window_seconds: int) -> int:
    """Seconds until the oldest counted action leaves the window (at least 1)."""
    now = timezone.now()
    oldest = (
        RateLimitHit.objects.filter(
            scope=scope, client=client, at__gte=now - timedelta(seconds=window_seconds)
        )
        .order_by("at")
        .values_list("at", flat=True)
        .first()
    )
    if oldest is None:
        return 1
    return max(1, int((oldest + timedelta(seconds=window_seconds) - now).total_seconds()) + 1)


def rate_limit_hit(*, scope: str, client: str) -> None:
    RateLimitHit.objects.create(scope=scope, client=client, at=timezone.now())


def rate_limit_prune(*, older_than_seconds: int = 7 * 24 * 3600) -> int:
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    deleted, _ = RateLimitHit.objects.filter(at__lt=cutoff).delete()
    return deleted
