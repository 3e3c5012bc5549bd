"""Reads for inquiries."""

from __future__ import annotations

from cellclinic.inquiries.models import IdempotencyKey


def idempotency_key_used(*, key: str) -> bool:
    return IdempotencyKey.objects.filter(key=key).exists()
