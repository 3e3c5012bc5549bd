"""`cellclinic mfa_secrets_reencrypt`: encrypt every stored MFA secret with the first key."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from cellclinic.accounts.services import mfa_secrets_reencrypt
from cellclinic.lib.crypto import UndecryptableError


class Command(BaseCommand):
    help = (
        "Encrypt every stored TOTP secret and recovery seed again with the first key of "
        "FIELD_ENCRYPTION_KEY (key rotation: put the new key first, run this, then drop the "
        "old key). All or nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            count = mfa_secrets_reencrypt()
        except UndecryptableError:
            sys.stderr.write(
                "FIELD_ENCRYPTION_KEY: no configured key decrypts a stored MFA secret; "
                "keep the old key in the list (after the new one) until this has run. "
                "Nothing was changed.\n"
            )
            sys.exit(2)
        self.stdout.write(f"re-encrypted {count} authenticators")
