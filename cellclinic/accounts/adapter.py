from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import get_language

from cellclinic.lib.crypto import UndecryptableError, decrypt_text, encrypt_text
from cellclinic.outbox import outbox_enqueue


class StaffOnlyAccountAdapter(DefaultAccountAdapter):
    """Accounts are for clinic staff only and are made by an admin, never by sign-up.

    Families never need an account: they use signed, expiring links.
    """

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Account e-mails (password reset and the like) go through the retrying outbox."""
        request = context.get("request")
        ctx = {"email": email, **context}
        if request is not None:
            ctx.setdefault("request", request)
        message = self.render_mail(template_prefix, email, ctx)
        with transaction.atomic():
            outbox_enqueue(
                kind=f"account:{template_prefix.rsplit('/', 1)[-1]}",
                to=email,
                language=get_language() or "en",
                subject=str(message.subject),
                body=str(message.body),
            )


class EncryptingMFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery seeds are stored encrypted with FIELD_ENCRYPTION_KEY.

    A copy of the database alone (a dump, a stolen backup) then gives nobody a code.
    """

    def encrypt(self, text: str) -> str:
        return encrypt_text(text, keys=settings.FIELD_ENCRYPTION_KEYS)

    def decrypt(self, encrypted_text: str) -> str:
        try:
            return decrypt_text(encrypted_text, keys=settings.FIELD_ENCRYPTION_KEYS)
        except UndecryptableError as exc:
            # Every staff sign-in would fail: say so loudly in the log (the user sees the
            # error page), naming the setting to restore.
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEY does not decrypt a stored MFA secret: set the key the "
                "secrets were encrypted with (it belongs with the backups, docs/deployment.md)"
            ) from exc
