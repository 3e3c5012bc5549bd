"""Writes for programs: loading definition files into versioned rows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from cellclinic.programs.loader import DEFINITIONS_DIR, DefinitionError, load_directory
from cellclinic.programs.models import Program, ProgramVersion


@dataclass(frozen=True)
class SyncResult:
    program: str
    version: str
    content_hash: str
    created: bool


def programs_sync(*, directory: Path = DEFINITIONS_DIR) -> list[SyncResult]:
    """Load every definition file; a new version becomes the program's current one.

    A file whose content changed while its version did not is refused: a published
    version never changes, so the version must be raised with the edit.
    """
    results = []
    loaded = load_directory(directory)
    with transaction.atomic():
        for item in loaded:
            definition = item.definition
            program, _ = Program.objects.get_or_create(slug=definition.id)
            existing = ProgramVersion.objects.filter(
                program=program, version=definition.version
            ).first()
            if existing is not None:
                if existing.content_hash != item.content_hash:
                    raise DefinitionError(
                        f"{item.source.name}: version {definition.version} was loaded before "
                        "with other content; raise 'version' to publish the change"
                    )
                created = False
                version = existing
            else:
                version = ProgramVersion.objects.create(
                    program=program,
                    version=definition.version,
                    content_hash=item.content_hash,
                    definition=item.data,
                )
                created = True
            if program.current_version_id != version.pk and created:
                program.current_version = version
                program.save(update_fields=["current_version"])
            elif program.current_version_id is None:
                program.current_version = version
                program.save(update_fields=["current_version"])
            results.append(
                SyncResult(definition.id, definition.version, item.content_hash, created)
            )
    return results


def sync_after_migrate(*, using: str = "default", **kwargs: Any) -> None:
    """Keep the database's programs in step with the shipped files after each migrate."""
    if using != "default":
        return
    programs_sync()
