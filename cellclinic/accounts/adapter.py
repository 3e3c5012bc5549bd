from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language

from cellclinic.core.outbox import outbox_enqueue
from cellclinic.lib.clients import client_address
from cellclinic.lib.crypto import UndecryptableError, decrypt_text, encrypt_text


class StaffOnlyAccountAdapter(DefaultAccountAdapter):
    """Accounts are for clinic staff only and are made by an admin, never by sign-up.

    Families never need an account: they use signed, expiring links.
    """

    def get_client_ip(self, request: HttpRequest) -> str:
        """The address allauth's sign-in and reset limits count by: the one every other
        limit uses (`CLIENT_IP_HEADER` behind a proxy), never the proxy's own address, which
        would put every client in one count and let anyone lock the whole staff out."""
        return client_address(request)

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        """No "Successfully signed in as ..." notice: the navigation bar names who is signed
        in, and the notice would wait for the first page that shows messages, hours later.
        Every other message (signed out, password changed) is shown as allauth says."""
        if message_template == "account/messages/logged_in.txt":
            return
        super().add_message(request, level, message_template, *args, **kwargs)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Account e-mails (password reset and the like) go through the retrying outbox.

        They name the clinic and SITE_URL, never the Host header of the request that
        caused them: a forged Host must not put an attacker's address in a reset link.
        """
        site = SimpleNamespace(name=settings.CLINIC_NAME, domain=urlsplit(settings.SITE_URL).netloc)
        ctx = {**context, "email": email, "current_site": site}
        message = self.render_mail(template_prefix, email, ctx)
        with transaction.atomic():
            outbox_enqueue(
                kind=f"account:{template_prefix.rsplit('/', 1)[-1]}",
                to=email,
                language=get_language() or "en",
                subject=str(message.subject),
                body=str(message.body),
            )

    def format_email_subject(self, subject: str) -> str:
        return f"[{settings.CLINIC_NAME}] {subject}"

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return settings.SITE_URL + path.replace("UID-KEY", quote(key))

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: Any) -> str:
        return settings.SITE_URL + reverse("account_confirm_email", args=[emailconfirmation.key])


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
