"""TOTP secrets and recovery seeds are encrypted at rest: a copy of the database alone
gives nobody a code, while sign-in works as before."""

from __future__ import annotations

import base64
import binascii
import importlib
import json
from io import StringIO
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client

from cellclinic.accounts.services import staff_user_create
from cellclinic.lib.crypto import (
    PREFIX,
    UndecryptableError,
    decrypt_text,
    encrypt_text,
    is_encrypted,
)
from conftest import totp_now

pytestmark = pytest.mark.django_db
OTHER_KEY = "another-key-that-is-long-enough-0123456789"


def raw_rows(user_id: int) -> dict[str, dict[str, Any]]:
    """The authenticators as a dump would show them: raw SQL, no model, no adapter."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT type, CAST(data AS TEXT) FROM mfa_authenticator WHERE user_id = %s",
            [user_id],
        )
        return {kind: json.loads(data) for kind, data in cursor.fetchall()}


def is_base32(value: str) -> bool:
    try:
        base64.b32decode(value, casefold=True)
    except (binascii.Error, ValueError):
        return False
    return True


def test_the_stored_rows_hold_no_totp_secret_and_no_recovery_seed() -> None:
    user, secret = staff_user_create(username="nina", role="nurse", password="a-long-password-1")
    seed = RecoveryCodes(Authenticator.objects.get(user=user, type="recovery_codes")).instance
    plain_seed = decrypt_text(seed.data["seed"], keys=settings.FIELD_ENCRYPTION_KEYS)
    rows = raw_rows(user.pk)
    dump = json.dumps(rows)
    assert secret not in dump and plain_seed not in dump
    stored_secret, stored_seed = rows["totp"]["secret"], rows["recovery_codes"]["seed"]
    assert stored_secret.startswith(PREFIX) and stored_seed.startswith(PREFIX)
    # What is stored is no TOTP secret: it is not even base32 an authenticator app takes.
    assert not is_base32(stored_secret) and not is_base32(stored_secret.removeprefix(PREFIX))


def test_without_the_key_the_stored_values_decrypt_to_nothing() -> None:
    user, secret = staff_user_create(
        username="omar", role="coordinator", password="a-long-password-1"
    )
    stored = raw_rows(user.pk)["totp"]["secret"]
    with pytest.raises(UndecryptableError):
        decrypt_text(stored, keys=[OTHER_KEY])
    assert decrypt_text(stored, keys=settings.FIELD_ENCRYPTION_KEYS) == secret


def test_sign_in_with_the_totp_code_and_a_recovery_code_still_works(client: Client) -> None:
    user, secret = staff_user_create(
        username="lena", role="physician", password="a-long-password-1"
    )
    step = client.post("/accounts/login/", {"login": "lena", "password": "a-long-password-1"})
    assert client.post(step["Location"], {"code": totp_now(secret)}).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    codes = RecoveryCodes(
        Authenticator.objects.get(user=user, type="recovery_codes")
    ).get_unused_codes()
    other = Client()
    step = other.post("/accounts/login/", {"login": "lena", "password": "a-long-password-1"})
    assert other.post(step["Location"], {"code": codes[0]}).status_code == 302


def test_a_wrong_key_stops_sign_in_with_an_error_page_naming_no_secret(settings) -> None:
    _user, secret = staff_user_create(username="ivan", role="nurse", password="a-long-password-1")
    settings.FIELD_ENCRYPTION_KEYS = [OTHER_KEY]
    client = Client(raise_request_exception=False)
    step = client.post("/accounts/login/", {"login": "ivan", "password": "a-long-password-1"})
    done = client.post(step["Location"], {"code": totp_now(secret)})
    assert done.status_code == 500 and "FIELD_ENCRYPTION_KEY" not in done.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_migration_encrypts_rows_stored_in_the_clear_once() -> None:
    """Rows written before encryption: plaintext secret, seed and migrated codes."""
    migration = importlib.import_module("cellclinic.accounts.migrations.0002_encrypt_mfa_secrets")
    user, _secret = staff_user_create(username="old", role="nurse", password="a-long-password-1")
    Authenticator.objects.filter(user=user, type="totp").update(data={"secret": "JBSWY3DPEHPK3PXP"})
    Authenticator.objects.filter(user=user, type="recovery_codes").update(
        data={"seed": "ab" * 40, "used_mask": 3, "migrated_codes": ["12345678", "87654321"]}
    )
    migration.encrypt(apps, None)
    first = raw_rows(user.pk)
    assert "JBSWY3DPEHPK3PXP" not in json.dumps(first) and "ab" * 40 not in json.dumps(first)
    assert "12345678" not in json.dumps(first) and first["recovery_codes"]["used_mask"] == 3
    migration.encrypt(apps, None)
    assert raw_rows(user.pk) == first  # already encrypted values are left alone
    keys = settings.FIELD_ENCRYPTION_KEYS
    assert decrypt_text(first["totp"]["secret"], keys=keys) == "JBSWY3DPEHPK3PXP"
    codes = RecoveryCodes(Authenticator.objects.get(user=user, type="recovery_codes"))
    assert codes.get_unused_codes() == ["12345678", "87654321"]
    migration.decrypt(apps, None)
    assert raw_rows(user.pk)["totp"]["secret"] == "JBSWY3DPEHPK3PXP"


def test_a_new_key_in_front_takes_over_after_re_encryption(settings) -> None:
    user, secret = staff_user_create(username="rot", role="nurse", password="a-long-password-1")
    old_keys = list(settings.FIELD_ENCRYPTION_KEYS)
    settings.FIELD_ENCRYPTION_KEYS = [OTHER_KEY, *old_keys]
    out = StringIO()
    call_command("mfa_secrets_reencrypt", stdout=out)
    assert "re-encrypted 2 authenticators" in out.getvalue()
    stored = raw_rows(user.pk)["totp"]["secret"]
    assert decrypt_text(stored, keys=[OTHER_KEY]) == secret  # the old key is no longer needed
    settings.FIELD_ENCRYPTION_KEYS = [OTHER_KEY]
    client = Client()
    step = client.post("/accounts/login/", {"login": "rot", "password": "a-long-password-1"})
    assert client.post(step["Location"], {"code": totp_now(secret)}).status_code == 302


def test_re_encryption_without_the_old_key_changes_nothing_and_says_why(settings, capsys) -> None:
    user, _secret = staff_user_create(username="lost", role="nurse", password="a-long-password-1")
    before = raw_rows(user.pk)
    settings.FIELD_ENCRYPTION_KEYS = [OTHER_KEY]
    with pytest.raises(SystemExit) as exit_:
        call_command("mfa_secrets_reencrypt")
    assert exit_.value.code == 2
    assert "FIELD_ENCRYPTION_KEY: no configured key decrypts" in capsys.readouterr().err
    assert raw_rows(user.pk) == before


def test_encrypted_values_are_recognised_and_differ_each_time() -> None:
    keys = [OTHER_KEY]
    one, two = (
        encrypt_text("JBSWY3DPEHPK3PXP", keys=keys),
        encrypt_text("JBSWY3DPEHPK3PXP", keys=keys),
    )
    assert one != two and is_encrypted(one) and not is_encrypted("JBSWY3DPEHPK3PXP")
    with pytest.raises(UndecryptableError):
        decrypt_text("JBSWY3DPEHPK3PXP", keys=keys)  # plaintext is never taken as a secret
    with pytest.raises(UndecryptableError):
        decrypt_text(one[:-4] + "AAAA", keys=keys)  # a tampered value is refused
