"""A token reaches exactly what its user's session after the second factor reaches.

Every staff endpoint of the API, and the outcome table (whose small groups are shown only
to staff), answers a token as it answers the same user's MFA session, for every role; a
token that stopped working answers as no credentials do.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from cellclinic.accounts.models import ApiToken
from cellclinic.accounts.services import api_token_create, api_token_revoke
from cellclinic.care.tests.builders import create_patient, procedure_data, today

pytestmark = pytest.mark.django_db

ROLES = ("coordinator", "physician", "nurse", "analyst", "admin")


@pytest.fixture
def requests() -> list[tuple[str, str, dict[str, Any] | None]]:
    patient = create_patient(program="stroke", plan_start=today() - timedelta(days=2))
    reference = patient.inquiry.reference
    event = {
        "description": "Headache",
        "category": "nervous_system",
        "grade": "9",  # refused by the service (422) once the role may record
        "serious": False,
        "relation_cells": "unlikely",
        "action": "none",
        "outcome": "recovered",
        "onset_date": str(today()),
    }
    return [
        ("get", "/api/v1/staff/inquiries", None),
        ("get", f"/api/v1/staff/inquiries/{reference}", None),
        ("get", f"/api/v1/staff/patients/{patient.uuid}", None),
        # no consent is signed: a role that may record is refused with 422, others 403
        ("post", f"/api/v1/staff/patients/{patient.uuid}/procedures", procedure_data()),
        ("post", f"/api/v1/staff/patients/{patient.uuid}/adverse-events", event),
        ("get", "/api/v1/programs/stroke/outcomes?timepoint=m6&by=subtype", None),
    ]


def answer(client: Client, method: str, url: str, body: Any, **headers: Any) -> tuple[int, Any]:
    if method == "post":
        response = client.post(url, json.dumps(body), content_type="application/json", **headers)
    else:
        response = client.get(url, **headers)
    return response.status_code, response.json()


@pytest.mark.parametrize("role", ROLES)
def test_a_token_answers_as_the_users_mfa_session(sign_in, requests, role: str) -> None:
    session = sign_in(role)
    user = User.objects.get(username=f"{role}1")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user, name='x')}"}
    for method, url, body in requests:
        by_session = answer(session, method, url, body)
        by_token = answer(Client(), method, url, body, **bearer)
        assert by_token[0] == by_session[0], (role, url, by_token, by_session)
        if by_token[0] == 200:
            assert by_token[1] == by_session[1], (role, url)


def test_a_token_that_stopped_working_answers_as_no_credentials(sign_in, requests) -> None:
    sign_in("physician")
    user = User.objects.get(username="physician1")
    token = api_token_create(user=user, name="x")
    api_token_revoke(token=ApiToken.objects.get(user=user))
    for method, url, body in requests:
        anonymous = answer(Client(), method, url, body)
        revoked = answer(Client(), method, url, body, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert revoked == anonymous, url
