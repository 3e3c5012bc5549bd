"""The JSON Schema of each program's answers, for the API's OpenAPI document.

`AnswersForm` (programs/answers.py) checks answers against the program's items; this states
the same checks in JSON Schema, so that a client (or schemathesis) knows what is accepted:
the item ids, their types, choices, ranges and lengths, which are required, and that no
other key is.
Two checks depend on the day and on other answers and cannot be written in JSON Schema;
each such item says them in its description: a date not in the future nor more than N
years ago (as of the screening's `as_of`, or today), and a date not before another item's.
A phone number must also be a real number of its country's numbering plan.

The programs are the shipped definition files, as `cellclinic migrate` loads them: a new
program changes the document (regenerate docs/openapi.json, see CONTRIBUTING.md).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django_countries import countries

from cellclinic.programs.loader import load_directory
from cellclinic.programs.schema import Item, ProgramDefinition

# What `has_control_characters` refuses (C0 controls but tab, LF and CR; DEL), as an
# ECMA-262 and Python regex alike.
ALLOWED = r"[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]"
FREE_TEXT = f"^{ALLOWED}*$"
# A required text is one that is not blank once trimmed.
NOT_BLANK = rf"^{ALLOWED}*[^\s\u0000-\u001f\u007f]{ALLOWED}*$"


def _date_rules(item: Item) -> str:
    rules = []
    if item.not_future:
        rules.append("not in the future")
    if item.max_age_years is not None:
        rules.append(f"at most {item.max_age_years} years ago")
    if item.not_before:
        rules.append(f"not before `{item.not_before}`")
    return "YYYY-MM-DD" + (f"; {', '.join(rules)}" if rules else "")


def _text(item: Item) -> dict[str, Any]:
    schema = {"type": "string", "pattern": NOT_BLANK if item.required else FREE_TEXT}
    return schema | ({"maxLength": item.max_length} if item.max_length is not None else {})


def _multi_choice(item: Item) -> dict[str, Any]:
    schema = {
        "type": "array",
        "items": {"type": "string", "enum": list(item.choices)},
        "uniqueItems": True,
    }
    return schema | ({"minItems": 1} if item.required else {})


def _integer(item: Item) -> dict[str, Any]:
    bounds = {"minimum": item.min_value, "maximum": item.max_value}
    return {"type": "integer"} | {key: v for key, v in bounds.items() if v is not None}


PHONE = {
    "type": "string",
    "pattern": r"^\s*\+",
    "maxLength": 100,
    "description": "international format starting with +, a real number of its "
    "country's numbering plan",
}

# One answer's schema by item kind, as the kind's field in programs/answers.py checks it.
SCHEMAS: dict[str, Callable[[Item], dict[str, Any]]] = {
    "text": _text,
    "choice": lambda item: {"type": "string", "enum": list(item.choices)},
    "multi_choice": _multi_choice,
    "boolean": lambda item: {"type": "boolean"} | ({"enum": [True]} if item.must_be_true else {}),
    "integer": _integer,
    "date": lambda item: {"type": "string", "format": "date", "description": _date_rules(item)},
    "email": lambda item: {"type": "string", "format": "email", "maxLength": 254},
    "phone": lambda item: dict(PHONE),
    "country": lambda item: {"$ref": "#/components/schemas/Country"},
    "language": lambda item: {
        "type": "string",
        "enum": [code for code, _name in settings.LANGUAGES],
    },
}


def item_schema(item: Item) -> dict[str, Any]:
    """One answer's schema, with the condition under which the answer is kept."""
    schema = SCHEMAS[item.type](item)
    if item.when is not None:
        values = ", ".join(item.when.values)
        note = f"kept only when `{item.when.item}` is {values}"
        schema["description"] = (
            f"{schema['description']}; {note}" if "description" in schema else note
        )
    return schema


def answers_schema(definition: ProgramDefinition) -> dict[str, Any]:
    return {
        "type": "object",
        "description": f"Answers to the items of program `{definition.id}`, keyed by item id",
        "properties": {item.id: item_schema(item) for item in definition.items},
        "additionalProperties": False,
    }


@cache
def _programs() -> tuple[ProgramDefinition, ...]:
    return tuple(loaded.definition for loaded in load_directory())


def component_name(definition: ProgramDefinition) -> str:
    return "Answers-" + definition.id


def describe_answers(components: dict[str, Any]) -> None:
    """Add each program's answers to the document's components, and bind the inquiry and
    screening bodies to them: `program` names one program, `answers` follows its items
    (all of an inquiry's required items; any of them for a screening)."""
    programs = _programs()
    components["Country"] = {
        "type": "string",
        "enum": sorted(dict(countries)),
        "description": "ISO 3166-1 alpha-2 code (lower case is accepted too)",
    }
    for definition in programs:
        components[component_name(definition)] = answers_schema(definition)
    for body, required in (("InquiryIn", True), ("ScreeningIn", False)):
        schema = components[body]
        schema["properties"]["program"]["enum"] = [d.id for d in programs]
        branches = []
        for definition in programs:
            answers: dict[str, Any] = {"$ref": f"#/components/schemas/{component_name(definition)}"}
            needed = [item.id for item in definition.items if item.required]
            if required and needed:
                answers = {"allOf": [answers], "required": needed}
            branches.append(
                {"properties": {"program": {"const": definition.id}, "answers": answers}}
            )
        schema["oneOf"] = branches
