from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A staff member's API token. Only its hash is stored; the token is shown once.

    A token works until it expires or is revoked. It is revoked by hand (its owner or an
    admin), and at once when its user's authenticator, password, account or roles change
    (`revoked_reason` says which), so it never reaches more than the user's own session
    that passed the second factor would.
    """

    class Reason(models.TextChoices):
        REVOKED = "revoked", _("revoked")
        MFA_CHANGED = "mfa_changed", _("authenticator turned off or replaced")
        PASSWORD_CHANGED = "password_changed", _("password changed")
        DEACTIVATED = "deactivated", _("account deactivated")
        ROLE_CHANGED = "role_changed", _("role changed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.user_id})"

    @property
    def short_id(self) -> str:
        """The first 8 characters of the uuid: what `cellclinic token list` shows."""
        return str(self.uuid)[:8]

    def status(self, now: datetime) -> str:
        """`active`, `expired` or `revoked`; a revoked token says why in `revoked_reason`."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "active"

    def status_text(self, now: datetime) -> str:
        """The status in the reader's language, with the reason of a revocation."""
        status = self.status(now)
        if status == "revoked":
            reason = self.get_revoked_reason_display() or _("revoked")
            return str(_("revoked: %(reason)s") % {"reason": reason})
        return str(_("expired") if status == "expired" else _("active"))

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def new_secret() -> str:
        return "cc_" + secrets.token_urlsafe(32)


class StaffPreference(models.Model):
    """What a staff member chose for themself: the e-mail digest of the inquiries waiting
    for them (off unless switched on) and the language it is written in.

    `digest_sent_at` is when the last digest went: the next one goes only when the family
    wrote again after it (`cellclinic digest`), so a digest never repeats itself."""

    user = models.OneToOneField(
        "auth.User", on_delete=models.CASCADE, related_name="staff_preference"
    )
    digest = models.BooleanField(default=False)
    language = models.CharField(max_length=10, blank=True)
    digest_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"
