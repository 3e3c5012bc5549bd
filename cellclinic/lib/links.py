"""Signed links: a family opens its own inquiry, follow-up or consent with a token in the
address, no account. One kind of link per purpose (its own salt), each carrying one UUID.

The token is Django's signed, compressed JSON (`django.core.signing`, keyed by SECRET_KEY);
a link whose signature is wrong, damaged, expired or of another kind is worth nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.core import signing


@dataclass(frozen=True)
class SignedLink:
    salt: str  # never change it: every link sent before would stop working
    field: str  # the name of the UUID in the token's payload

    def token(self, key: uuid.UUID) -> str:
        return signing.dumps({self.field: str(key)}, salt=self.salt, compress=True)

    def key(self, token: str, *, max_age: timedelta | None = None) -> uuid.UUID | None:
        """The UUID a token carries, or None when it is forged, damaged, of another kind,
        or (with `max_age`) older than that."""
        try:
            data = signing.loads(token, salt=self.salt, max_age=max_age)
        except signing.BadSignature:  # also SignatureExpired
            return None
        value = data.get(self.field) if isinstance(data, dict) else None
        try:
            return uuid.UUID(value) if isinstance(value, str) else None
        except ValueError:
            return None
