"""The OpenAPI document states what the API enforces on answers: what the API accepts fits
the document, and what the document's rules refuse the API refuses too."""

from __future__ import annotations

import json
from typing import Any

import jsonschema_rs
import pytest
from django.test import Client

from conftest import build_answers

pytestmark = pytest.mark.django_db


def body_validator(client: Client, body: str) -> Any:
    document = client.get("/api/v1/openapi.json").json()
    root = {"$ref": f"#/components/schemas/{body}", "components": document["components"]}
    return jsonschema_rs.Draft202012Validator(root, validate_formats=True)


@pytest.mark.parametrize("program", ["cerebral-palsy", "stroke"])
def test_answers_the_api_accepts_fit_the_document(client: Client, program: str) -> None:
    body = {"program": program, "answers": build_answers(program)}
    response = client.post("/api/v1/inquiries", json.dumps(body), content_type="application/json")
    assert response.status_code == 201
    assert body_validator(client, "InquiryIn").is_valid(body)
    assert body_validator(client, "ScreeningIn").is_valid({**body, "as_of": "2026-11-01"})


@pytest.mark.parametrize(
    "answers",
    [
        build_answers(contact__email="nope"),
        build_answers(contact__name=None),
        build_answers(contact__name="   "),
        build_answers(contact__name="Ana\x00"),
        build_answers(contact__country="Narnia"),
        build_answers(cp__gmfcs_level=3),
        build_answers(cp__goals="motor"),
        build_answers(cp__goals=["motor", "motor"]),
        build_answers(cp__autism="yes"),
        build_answers(cp__seizure_free_months=-2),
        build_answers(stroke__type="ischemic"),
        build_answers(consent__data_processing=False),
        build_answers(patient__birth_date="2020-02-30"),
    ],
)
def test_answers_the_document_refuses_the_api_refuses(
    client: Client, answers: dict[str, Any]
) -> None:
    body = {"program": "cerebral-palsy", "answers": answers}
    assert not body_validator(client, "InquiryIn").is_valid(body)
    response = client.post("/api/v1/inquiries", json.dumps(body), content_type="application/json")
    assert response.status_code == 422


def test_a_program_that_does_not_exist_is_not_in_the_document(client: Client) -> None:
    body = {"program": "no-such-program", "answers": {}}
    assert not body_validator(client, "ScreeningIn").is_valid(body)
    response = client.post("/api/v1/screenings", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
