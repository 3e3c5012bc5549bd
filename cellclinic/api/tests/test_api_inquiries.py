from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from cellclinic.core.models import OutboundEmail
from cellclinic.inquiries.models import IdempotencyKey, Inquiry
from conftest import build_answers

pytestmark = pytest.mark.django_db
URL = "/api/v1/inquiries"


def send(client: Client, body: Any, key: str | None = None, **headers: str):
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(URL, raw, content_type="application/json", **headers)


def test_it_answers_201_with_the_reference_only(client: Client) -> None:
    response = send(client, {"program": "cerebral-palsy", "answers": build_answers()})
    assert response.status_code == 201
    assert response.json() == {"reference": Inquiry.objects.get().reference}
    assert Inquiry.objects.get().source == "api"


def test_the_same_key_and_body_give_the_same_answer_and_store_nothing_new(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    body = {"program": "cerebral-palsy", "answers": build_answers()}
    with django_capture_on_commit_callbacks() as queued:
        first = send(client, body, key="k-123")
        second = send(client, body, key="k-123")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert Inquiry.objects.count() == 1
    assert len(queued) == 1  # its follow-through task, queued once


def test_the_same_key_with_another_body_is_a_conflict(client: Client) -> None:
    send(client, {"program": "cerebral-palsy", "answers": build_answers()}, key="k-1")
    other = send(
        client,
        {"program": "cerebral-palsy", "answers": build_answers(contact__name="Other")},
        key="k-1",
    )
    assert other.status_code == 409
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    assert Inquiry.objects.count() == 1


def test_a_replay_is_not_counted_against_the_rate_limit(client: Client, settings) -> None:
    settings.INQUIRY_RATE_LIMIT = 1
    body = {"program": "stroke", "answers": build_answers("stroke")}
    assert send(client, body, key="once").status_code == 201
    assert send(client, body, key="once").status_code == 201
    assert send(client, body, key="twice").status_code == 429
    assert send(client, body).status_code == 429
    assert Inquiry.objects.count() == 1


@pytest.mark.parametrize(
    ("answers", "fields"),
    [
        (build_answers(contact__email="nope"), ["contact.email"]),
        (
            build_answers(contact__name=None, patient__birth_date=None),
            ["contact.name", "patient.birth_date"],
        ),
        (build_answers(patient__birth_date="2090-01-01"), ["patient.birth_date"]),
        (build_answers(cp__gmfcs_level=3), ["cp.gmfcs_level"]),
        (build_answers(cp__goals="motor"), ["cp.goals"]),
        (
            build_answers(cp__epilepsy="controlled", cp__seizure_free_months=-2),
            ["cp.seizure_free_months"],
        ),
        (build_answers(cp__autism="yes"), ["cp.autism"]),
        (build_answers(stroke__type="ischemic"), ["stroke.type"]),
    ],
)
def test_bad_answers_get_422_with_one_error_per_field_and_nothing_stored(
    client: Client, answers: dict[str, Any], fields: list[str]
) -> None:
    response = send(client, {"program": "cerebral-palsy", "answers": answers})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == fields
    assert all(e["message"] for e in errors)
    assert Inquiry.objects.count() == 0 and OutboundEmail.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"answers": {}}, "program"),
        ({"program": "cerebral-palsy"}, "answers"),
        ({"program": "cerebral-palsy", "answers": ["not", "an", "object"]}, "answers"),
        ({"program": 7, "answers": {}}, "program"),
        ({"program": "no-such-program", "answers": build_answers()}, "program"),
        ("{not json", "body"),
        ("[]", "body"),
    ],
)
def test_a_wrong_shape_gets_422_naming_the_field(client: Client, body: Any, field: str) -> None:
    response = send(client, body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert Inquiry.objects.count() == 0


def test_errors_follow_the_accept_language(client: Client) -> None:
    body = {"program": "cerebral-palsy", "answers": build_answers(contact__email="nope")}
    english = send(client, body, HTTP_ACCEPT_LANGUAGE="en").json()["errors"][0]["message"]
    russian = send(client, body, HTTP_ACCEPT_LANGUAGE="ru").json()["errors"][0]["message"]
    assert english != russian


def test_no_key_stored_for_a_refused_request(client: Client) -> None:
    send(
        client,
        {"program": "cerebral-palsy", "answers": build_answers(contact__email="x")},
        key="k-bad",
    )
    assert not IdempotencyKey.objects.exists()
    assert (
        send(
            client, {"program": "cerebral-palsy", "answers": build_answers()}, key="k-bad"
        ).status_code
        == 201
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"program": "stroke", "answers": build_answers("stroke", contact__name="A\u0000B")},
            "contact.name",
        ),
        (
            {"program": "stroke", "answers": build_answers("stroke", message="line\u0007bell")},
            "message",
        ),
        ({"program": "stroke", "answers": {**build_answers("stroke"), "x\u0000": "1"}}, "'x\\x00'"),
        ({"program": "str\u0000oke", "answers": build_answers("stroke")}, "program"),
    ],
)
def test_control_characters_are_refused_not_a_server_error(
    client: Client, body: Any, field: str
) -> None:
    """PostgreSQL cannot store NUL; such input is a 422 naming the field on every database."""
    response = send(client, body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert Inquiry.objects.count() == 0


def test_ordinary_line_breaks_and_tabs_are_kept(client: Client) -> None:
    body = {"program": "stroke", "answers": build_answers("stroke", message="first line\n\tsecond")}
    assert send(client, body).status_code == 201
    assert Inquiry.objects.get().answers["message"] == "first line\n\tsecond"


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        (build_answers("stroke", contact__name="\ud800"), "contact.name"),
        (build_answers("stroke", message="a\udfffb"), "message"),
        (build_answers("stroke", contact__email="a" * 300 + "@example.com"), "contact.email"),
    ],
)
def test_unencodable_or_overlong_text_is_a_422_on_every_database(
    client: Client, answers, field
) -> None:
    response = send(client, {"program": "stroke", "answers": answers})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert Inquiry.objects.count() == 0


def test_a_forged_forwarded_address_does_not_escape_the_rate_limit(
    client: Client, settings
) -> None:
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.INQUIRY_RATE_LIMIT = 2
    body = {"program": "stroke", "answers": build_answers("stroke")}
    codes = [
        send(client, body, HTTP_X_FORWARDED_FOR=f"10.0.1.{i}, 6.6.6.6").status_code
        for i in range(4)
    ]
    assert codes == [201, 201, 429, 429]


def test_a_refusal_for_too_many_inquiries_says_when_to_try_again(client: Client, settings) -> None:
    settings.INQUIRY_RATE_LIMIT = 1
    settings.INQUIRY_RATE_WINDOW = 600
    body = {"program": "stroke", "answers": build_answers("stroke")}
    assert send(client, body).status_code == 201
    refused = send(client, body)
    assert refused.status_code == 429
    assert 590 <= int(refused["Retry-After"]) <= 601
