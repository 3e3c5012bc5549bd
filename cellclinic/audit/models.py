from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _


class AccessEvent(models.Model):
    """One staff request for personal data, answered or refused: who, what, when, why.

    Append-only, down to the database: `save` refuses to change a row and `delete` to
    remove one, and triggers (migration 0002) make PostgreSQL and SQLite refuse any UPDATE,
    DELETE or TRUNCATE of the table, whoever sends it. A migration that makes SQLite copy
    the table (most AlterField operations do) drops its triggers: it must create them again
    (`test_append_only` fails until it does).
    """

    class Outcome(models.TextChoices):
        ALLOWED = "allowed", _("allowed")
        REFUSED = "refused", _("refused")

    class Reason(models.TextChoices):
        NO_MFA = "no_mfa", _("signed in without a second factor")
        ROLE = "role", _("the role may not see this")
        CREDENTIALS = "credentials", _("the API credentials were refused")
        REFUSED = "refused", _("refused")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # empty when the request named nobody we know (an API token that was refused)
    user = models.ForeignKey(
        "auth.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    outcome = models.CharField(max_length=10, choices=Outcome, default=Outcome.ALLOWED)
    reason = models.CharField(max_length=20, choices=Reason, blank=True)
    # the name of the URL answered, as in docs/roles.md and the role-access test
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=30, blank=True)
    object_ref = models.CharField(max_length=64, blank=True)
    path = models.CharField(max_length=300)
    query = models.TextField(blank=True, help_text="the filters and search text, as sent")
    client = models.CharField(max_length=64, help_text="keyed hash of the client address")

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            # the log page finds a reference or a patient id in any letter case
            models.Index(Upper("object_ref"), name="audit_access_ref_upper"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.outcome} {self.action} {self.object_type} {self.object_ref}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionDenied("the access log is append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionDenied("the access log is append-only")
