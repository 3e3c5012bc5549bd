from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import models


class AccessEvent(models.Model):
    """One staff view of personal data: who, what, when, from where. Append-only.

    Rows are only ever created; `save` refuses to change one and `delete` refuses to
    remove one, and no page of the application offers either.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=30)
    object_type = models.CharField(max_length=30)
    object_ref = models.CharField(max_length=64, db_index=True)
    path = models.CharField(max_length=300)
    client = models.CharField(max_length=64, help_text="keyed hash of the client address")

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.object_type} {self.object_ref}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionDenied("the access log is append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionDenied("the access log is append-only")
