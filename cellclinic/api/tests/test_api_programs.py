from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client

from cellclinic.programs.loader import load_directory

pytestmark = pytest.mark.django_db
SNAPSHOT = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"


def test_it_lists_both_programs_with_their_items(client: Client) -> None:
    programs = {p["id"]: p for p in client.get("/api/v1/programs").json()}
    assert set(programs) == {"cerebral-palsy", "stroke"}
    cp = programs["cerebral-palsy"]
    shipped = {d.definition.id: d for d in load_directory()}["cerebral-palsy"]
    assert cp["version"] == shipped.definition.version and cp["hash"] == shipped.content_hash
    items = {item["id"]: item for item in cp["items"]}
    assert items["cp.seizure_free_months"]["asked_when"] == {
        "item": "cp.epilepsy",
        "in": ["controlled"],
    }
    assert items["contact.email"]["required"] is True
    assert cp["inquiry_url"] == "/programs/cerebral-palsy/inquire/"


def test_texts_follow_the_accept_language(client: Client) -> None:
    english = client.get("/api/v1/programs", HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = client.get("/api/v1/programs", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert english[0]["name"] != chinese[0]["name"]


def test_health_answers_when_the_database_does(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["database"] == "ok"


def test_the_docs_are_served(client: Client) -> None:
    assert client.get("/api/v1/docs").status_code == 200


def test_the_openapi_document_matches_the_committed_snapshot(client: Client) -> None:
    """The API is a promise: a change to it must be deliberate (update docs/openapi.json)."""
    served = client.get("/api/v1/openapi.json").json()
    assert json.loads(SNAPSHOT.read_text()) == served, (
        "The OpenAPI document changed. If intended, run: "
        "cellclinic export_openapi_schema --api cellclinic.api.urls.api --indent 2 "
        "--output docs/openapi.json"
    )
