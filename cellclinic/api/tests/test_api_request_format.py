"""The API takes JSON bodies sent as application/json, and an Idempotency-Key that says
something; anything else is refused, naming what is wrong, and nothing is stored."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from cellclinic.inquiries.models import Inquiry
from conftest import build_answers

pytestmark = pytest.mark.django_db
INQUIRY = {"program": "cerebral-palsy", "answers": build_answers()}
SCREENING = {"program": "cerebral-palsy", "answers": {"cp.epilepsy": "none"}}


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/jsonp", ""],
)
@pytest.mark.parametrize(
    ("url", "body"), [("/api/v1/inquiries", INQUIRY), ("/api/v1/screenings", SCREENING)]
)
def test_a_json_body_sent_as_another_media_type_gets_415(
    client: Client, url: str, body: dict, content_type: str
) -> None:
    response = client.post(url, json.dumps(body), content_type=content_type)
    assert response.status_code == 415
    assert response.json()["errors"] == [
        {"field": "Content-Type", "message": "Send the body as application/json."}
    ]
    assert Inquiry.objects.count() == 0


def test_application_json_with_a_charset_is_json(client: Client) -> None:
    response = client.post(
        "/api/v1/inquiries", json.dumps(INQUIRY), content_type="application/json; charset=utf-8"
    )
    assert response.status_code == 201


@pytest.mark.parametrize("key", ["", "   "])
def test_an_empty_idempotency_key_gets_422_naming_the_header(client: Client, key: str) -> None:
    response = client.post(
        "/api/v1/inquiries",
        json.dumps(INQUIRY),
        content_type="application/json",
        headers={"Idempotency-Key": key, "Accept-Language": "ru"},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "Idempotency-Key", "message": "Это значение не может быть пустым."}
    ]
    assert Inquiry.objects.count() == 0
