"""Reads for program pages, the form and the API."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cellclinic.programs.loader import parse_stored
from cellclinic.programs.models import Program, ProgramVersion
from cellclinic.programs.schema import PROGRAM_ID, ProgramDefinition


@dataclass(frozen=True)
class CurrentProgram:
    slug: str
    version: ProgramVersion
    definition: ProgramDefinition

    @property
    def content_hash(self) -> str:
        return self.version.content_hash


# The stored definition is read and parsed once per version by `_parsed`, not decoded again
# (a JSON document of tens of kilobytes) with every page and every API request.
UNPARSED = ("current_version__definition",)


@lru_cache(maxsize=64)
def _parsed(content_hash: str, version_pk: int) -> ProgramDefinition:
    # Keyed on the hash: a stored version never changes, so parsing it once is enough.
    data: Any = ProgramVersion.objects.values_list("definition", flat=True).get(pk=version_pk)
    return parse_stored(data)


def definition_of(version: ProgramVersion) -> ProgramDefinition:
    return _parsed(version.content_hash, version.pk)


def program_list() -> list[CurrentProgram]:
    programs = (
        Program.objects.filter(current_version__isnull=False)
        .select_related("current_version")
        .defer(*UNPARSED)
    )
    return [_current(program) for program in programs]


def program_get(*, slug: str) -> CurrentProgram | None:
    if not PROGRAM_ID.fullmatch(slug):
        return None  # not a program id; never sent to the database
    # One narrow query for what can change (which version is current); the version itself
    # never changes once stored, so each process reads it once (see `version_forget`).
    version_pk = (
        Program.objects.filter(slug=slug).values_list("current_version_id", flat=True).first()
    )
    if version_pk is None:
        return None
    version = _version(version_pk)
    return CurrentProgram(slug=slug, version=version, definition=definition_of(version))


@lru_cache(maxsize=64)
def _version(version_pk: int) -> ProgramVersion:
    return ProgramVersion.objects.defer("definition").get(pk=version_pk)


def version_forget(**_kwargs: Any) -> None:
    """Forget the versions read so far: a version row was written or deleted (tests roll
    the database back and number new versions again; a stored version is never edited)."""
    _version.cache_clear()


def _current(program: Program) -> CurrentProgram:
    version = program.current_version
    assert version is not None  # nosec B101  # narrows the type for mypy, not a check of input
    return CurrentProgram(slug=program.slug, version=version, definition=definition_of(version))


def program_names(language: str) -> list[tuple[str, str]]:
    """(slug, name in `language`) of every published program, for filters a person reads."""
    return [(p.slug, p.definition.name.get(language)) for p in program_list()]
