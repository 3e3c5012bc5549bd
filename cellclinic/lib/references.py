"""Inquiry references a family can read out on the phone.

Ten characters from an alphabet without look-alikes (no 0/O, 1/I/L, U), shown as two
groups of five: about 49 bits from `secrets`, so a reference cannot be guessed.
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 10
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def new_reference() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalise_reference(text: str) -> str:
    """What a person typed, in the stored form: case, spaces and dashes forgiven."""
    compact = "".join(ch for ch in text.upper() if ch.isalnum()).translate(_CONFUSABLE)
    if len(compact) != LENGTH:
        return compact
    return f"{compact[:5]}-{compact[5:]}"
