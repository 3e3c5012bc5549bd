"""Reads program definition files and checks them against the schema.

Each program file is merged with `common.yaml` (the items every program asks), validated,
and fingerprinted: the content hash is the SHA-256 of the canonical JSON of the merged
definition, so any change to what families see or what the rules use changes the hash.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from cellclinic.programs.schema import CommonItems, ProgramDefinition

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
COMMON_FILE = "common.yaml"


class DefinitionError(Exception):
    """A definition file that cannot be used; the message names the file and field."""


@dataclass(frozen=True)
class LoadedDefinition:
    definition: ProgramDefinition
    content_hash: str
    source: Path

    @property
    def data(self) -> dict[str, Any]:
        return self.definition.model_dump(mode="json", by_alias=True, exclude_none=True)


class _UniqueKeyLoader(yaml.SafeLoader):
    """The safe loader, refusing a key given twice (PyYAML would keep the last silently)."""


def _unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} is given twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506  # nosec B506  # a SafeLoader
    except yaml.YAMLError as exc:
        raise DefinitionError(f"{path.name}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise DefinitionError(f"{path.name}: the file must hold a mapping")
    return data


def _describe(path: Path, exc: ValidationError, data: dict[str, Any]) -> str:
    lines = []
    for error in exc.errors():
        location = []
        node: Any = data
        for part in error["loc"]:
            if isinstance(part, int) and isinstance(node, list) and part < len(node):
                node = node[part]
                name = node.get("id") if isinstance(node, dict) else None
                location.append(f"[{name or part}]")
            else:
                node = node.get(part) if isinstance(node, dict) else None
                location.append(f".{part}")
        lines.append(f"{path.name}: {''.join(location).lstrip('.')}: {error['msg']}")
    return "\n".join(lines)


def content_hash(data: dict[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def load_file(
    path: Path, common: CommonItems | None = None, *, check_name: bool = True
) -> LoadedDefinition:
    if common is None:
        common = load_common(path.parent / COMMON_FILE)
    data = _read_yaml(path)
    merged = dict(data)
    merged["items"] = [
        item.model_dump(mode="json", by_alias=True, exclude_none=True) for item in common.items
    ] + list(data.get("items") or [])
    try:
        definition = ProgramDefinition.model_validate(merged)
    except ValidationError as exc:
        raise DefinitionError(_describe(path, exc, merged)) from None
    if check_name and definition.id != path.stem:
        raise DefinitionError(f"{path.name}: id {definition.id!r} must match the file name")
    dumped = definition.model_dump(mode="json", by_alias=True, exclude_none=True)
    return LoadedDefinition(definition=definition, content_hash=content_hash(dumped), source=path)


def load_common(path: Path) -> CommonItems:
    data = _read_yaml(path)
    try:
        return CommonItems.model_validate(data)
    except ValidationError as exc:
        raise DefinitionError(_describe(path, exc, data)) from None


def load_directory(directory: Path = DEFINITIONS_DIR) -> list[LoadedDefinition]:
    common = load_common(directory / COMMON_FILE)
    return [
        load_file(path, common)
        for path in sorted(directory.glob("*.yaml"))
        if path.name != COMMON_FILE
    ]


def parse_stored(data: dict[str, Any]) -> ProgramDefinition:
    """A definition stored in the database, already checked when it was loaded."""
    return ProgramDefinition.model_validate(data)
