from __future__ import annotations

from pathlib import Path

import pytest

from cellclinic.programs.loader import DefinitionError, load_directory
from cellclinic.programs.models import ProgramVersion
from cellclinic.programs.schema import LANGUAGE_CODES, Text
from cellclinic.programs.services import programs_sync


def walk_texts(node: object, path: str = ""):
    if isinstance(node, Text):
        yield path, node
    elif hasattr(type(node), "model_fields"):
        for name in type(node).model_fields:
            yield from walk_texts(getattr(node, name), f"{path}.{name}")
    elif isinstance(node, (list, tuple)):
        for index, child in enumerate(node):
            yield from walk_texts(child, f"{path}[{index}]")
    elif isinstance(node, dict):
        for key, child in node.items():
            yield from walk_texts(child, f"{path}.{key}")


def test_it_ships_the_two_programs_with_every_item_of_the_spec() -> None:
    loaded = {d.definition.id: d.definition for d in load_directory()}
    assert set(loaded) == {"cerebral-palsy", "stroke"}
    common = {
        "contact.name",
        "contact.relationship",
        "contact.email",
        "contact.phone",
        "contact.country",
        "contact.language",
        "contact.channel",
        "patient.name",
        "patient.sex",
        "patient.birth_date",
        "message",
        "consent.data_processing",
    }
    cp = {
        "cp.diagnosis",
        "cp.type",
        "cp.gmfcs_level",
        "cp.epilepsy",
        "cp.seizure_free_months",
        "cp.hydrocephalus",
        "cp.intellectual_disability",
        "cp.fine_motor",
        "cp.autism",
        "cp.adhd",
        "cp.goals",
        "cp.rehabilitation",
    }
    stroke = {
        "stroke.type",
        "stroke.onset_date",
        "stroke.mrs",
        "stroke.organ_damage",
        "stroke.general_health",
        "stroke.recurrent",
        "stroke.goals",
    }
    assert {i.id for i in loaded["cerebral-palsy"].items} == common | cp
    assert {i.id for i in loaded["stroke"].items} == common | stroke
    assert loaded["cerebral-palsy"].item("cp.gmfcs_level").choices == (
        "1",
        "2",
        "3",
        "4",
        "5",
        "unknown",
    )
    assert loaded["stroke"].item("stroke.mrs").choices == ("0", "1", "2", "3", "4", "5")


def test_it_asks_seizure_free_months_only_when_epilepsy_is_controlled() -> None:
    cp = {d.definition.id: d.definition for d in load_directory()}["cerebral-palsy"]
    when = cp.item("cp.seizure_free_months").when
    assert when is not None and when.item == "cp.epilepsy" and when.values == ("controlled",)


def test_every_text_a_family_reads_is_written_in_all_five_languages() -> None:
    gaps = [
        f"{d.definition.id}{path}: {text.missing_languages()}"
        for d in load_directory()
        for path, text in walk_texts(d.definition)
        if text.missing_languages()
    ]
    assert LANGUAGE_CODES == ("en", "zh-hans", "ru", "es", "ar")
    assert gaps == []


def test_the_content_hash_is_stable_and_follows_the_content(definitions: Path) -> None:
    first = {d.definition.id: d.content_hash for d in load_directory(definitions)}
    assert first == {d.definition.id: d.content_hash for d in load_directory(definitions)}
    path = definitions / "stroke.yaml"
    path.write_text(path.read_text().replace("Type of stroke", "Kind of stroke", 1))
    second = {d.definition.id: d.content_hash for d in load_directory(definitions)}
    assert second["stroke"] != first["stroke"]
    assert second["cerebral-palsy"] == first["cerebral-palsy"]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "type: integer",
            "type: number",
            "cerebral-palsy.yaml: items[cp.seizure_free_months].type",
        ),
        ("equals: controlled", "equals: sometimes", "cp.seizure_free_months: 'when' tests values"),
        ("id: cp.autism", "id: cp.Autism", "items[cp.Autism].id"),
        ("\nversion: ", "\nversion: ''\nold_version: ", "cerebral-palsy.yaml: version"),
    ],
)
def test_a_bad_definition_is_refused_naming_the_file_and_field(
    definitions: Path, old: str, new: str, expected: str
) -> None:
    path = definitions / "cerebral-palsy.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(DefinitionError) as caught:
        load_directory(definitions)
    assert expected in str(caught.value)


@pytest.mark.django_db
def test_a_changed_file_must_raise_its_version_before_it_is_loaded(definitions: Path) -> None:
    path = definitions / "stroke.yaml"
    path.write_text(path.read_text().replace("Type of stroke", "Kind of stroke", 1))
    with pytest.raises(DefinitionError, match="raise 'version'"):
        programs_sync(directory=definitions)
    old = ProgramVersion.objects.get(program__slug="stroke").version
    path.write_text(path.read_text().replace(f'version: "{old}"', 'version: "99"', 1))
    results = {r.program: r for r in programs_sync(directory=definitions)}
    assert results["stroke"].created and not results["cerebral-palsy"].created
    versions = ProgramVersion.objects.filter(program__slug="stroke").order_by("loaded_at")
    assert [v.version for v in versions] == [old, "99"]
    assert versions[1].program.current_version == versions[1]


def test_shipped_files_have_screening_rules_and_a_treatment_template() -> None:
    for loaded in load_directory():
        assert loaded.definition.screening.rules, loaded.definition.id
        assert loaded.definition.treatment is not None, loaded.definition.id


def test_a_stored_version_from_before_rules_and_templates_still_parses() -> None:
    from cellclinic.programs.loader import parse_stored

    data = {d.definition.id: d.data for d in load_directory()}["stroke"]
    old = {k: v for k, v in data.items() if k not in ("screening", "treatment")}
    definition = parse_stored(old)
    assert definition.screening.rules == () and definition.treatment is None


def test_a_key_given_twice_is_refused_not_silently_dropped(definitions: Path) -> None:
    path = definitions / "stroke.yaml"
    text = path.read_text()
    path.write_text(
        text.replace(
            "label:\n      en: Type of stroke\n",
            "label:\n      en: Type of stroke\n      en: Kind of stroke\n",
            1,
        )
    )
    with pytest.raises(DefinitionError, match="stroke.yaml: not valid YAML.*given twice"):
        load_directory(definitions)
