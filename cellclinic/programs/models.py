from __future__ import annotations

import uuid

from django.db import models


class Program(models.Model):
    """A treatment program; what it says and asks lives in its versions."""

    slug = models.SlugField(max_length=50, unique=True)
    current_version = models.ForeignKey(
        "ProgramVersion", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class ProgramVersion(models.Model):
    """One loaded version of a definition file, kept forever.

    Inquiries and decisions point at the version they were made with, so a later edit
    of the file never changes what an earlier family was asked or told.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(max_length=20)
    content_hash = models.CharField(max_length=80)
    definition = models.JSONField()
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program__slug", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["program", "version"], name="program_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.program.slug} v{self.version}"
