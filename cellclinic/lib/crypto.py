"""Encryption of short secrets kept in the database (staff TOTP secrets, recovery seeds).

Fernet (AES-128-CBC with an HMAC-SHA256, from `cryptography`) under keys derived from
`FIELD_ENCRYPTION_KEY` with HKDF, so any long random string serves as a key. The setting
may list several keys, comma-separated: the first encrypts, every one decrypts, which lets
an operator put a new key in front, re-encrypt (`cellclinic mfa_secrets_reencrypt`) and
then drop the old one. Encrypted values carry a prefix, so plaintext from before
encryption was turned on is told apart and encrypted once.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "cc-fernet:"
_INFO = b"cellclinic field encryption v1"


class UndecryptableError(ValueError):
    """No configured key decrypts the value: the key is wrong, missing or was rotated away."""


def derive_key(secret: str) -> bytes:
    """The Fernet key (url-safe base64 of 32 bytes) that a configured secret stands for."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret.encode())
    return base64.urlsafe_b64encode(raw)


@lru_cache(maxsize=8)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ValueError("at least one encryption key is needed")
    return MultiFernet([Fernet(derive_key(key)) for key in keys])


def is_encrypted(value: str) -> bool:
    return value.startswith(PREFIX)


def encrypt_text(text: str, *, keys: Sequence[str]) -> str:
    return PREFIX + _cipher(tuple(keys)).encrypt(text.encode()).decode("ascii")


def decrypt_text(value: str, *, keys: Sequence[str]) -> str:
    """The plaintext of `encrypt_text`'s result; UndecryptableError for anything else."""
    if not is_encrypted(value):
        raise UndecryptableError("the value is not encrypted")
    try:
        return _cipher(tuple(keys)).decrypt(value[len(PREFIX) :].encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as exc:
        raise UndecryptableError("no configured key decrypts the value") from exc
