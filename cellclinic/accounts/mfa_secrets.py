"""Which values of an allauth authenticator are secrets, and how they are (re)encrypted.

allauth keeps an authenticator's secrets in its JSON `data` and passes each one through
the MFA adapter's `encrypt`/`decrypt` (cellclinic.accounts.adapter): the TOTP `secret`,
the recovery codes' `seed` (every code is derived from it) and, for codes carried over
from django-allauth-2fa, the `migrated_codes` themselves. Anyone holding one of them can
compute a valid code, so none may be stored in the clear.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from cellclinic.lib.crypto import decrypt_text, encrypt_text, is_encrypted

SECRET_VALUES = ("secret", "seed")
SECRET_LISTS = ("migrated_codes",)


def data_map_secrets(data: dict[str, Any], change: Callable[[str], str]) -> dict[str, Any]:
    """A copy of an authenticator's data with `change` applied to every secret in it."""
    result = dict(data)
    for name in SECRET_VALUES:
        if isinstance(result.get(name), str):
            result[name] = change(result[name])
    for name in SECRET_LISTS:
        if isinstance(result.get(name), list):
            result[name] = [
                change(code) if isinstance(code, str) else code for code in result[name]
            ]
    return result


def data_encrypted(data: dict[str, Any], *, keys: Sequence[str]) -> dict[str, Any]:
    """Plaintext secrets encrypted with the first key; encrypted ones left as they are."""
    return data_map_secrets(
        data, lambda value: value if is_encrypted(value) else encrypt_text(value, keys=keys)
    )


def data_reencrypted(data: dict[str, Any], *, keys: Sequence[str]) -> dict[str, Any]:
    """Every secret encrypted again with the first key (after a key was put in front)."""
    return data_map_secrets(
        data,
        lambda value: encrypt_text(
            decrypt_text(value, keys=keys) if is_encrypted(value) else value, keys=keys
        ),
    )


def data_decrypted(data: dict[str, Any], *, keys: Sequence[str]) -> dict[str, Any]:
    """Every secret in the clear again (only for undoing the migration)."""
    return data_map_secrets(
        data, lambda value: decrypt_text(value, keys=keys) if is_encrypted(value) else value
    )
