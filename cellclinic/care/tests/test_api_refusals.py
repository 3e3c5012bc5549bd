"""The staff API's strict schemas refuse a wrong type, and the 422 still names every bad
field with the page's own message (the form runs on the body as sent); a date is ISO text,
never a number of seconds."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from cellclinic.accounts.services import api_token_create
from cellclinic.care.models import AdverseEvent, Patient, Procedure
from cellclinic.care.tests.builders import (
    create_patient,
    event_data,
    procedure_data,
    sign_consent,
    staff,
    today,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient() -> Patient:
    found = create_patient(plan_start=today() - timedelta(days=2))
    sign_consent(found)
    return found


def _post(
    client: Any, patient: Patient, what: str, body: dict[str, Any], role: str = "nurse"
) -> Any:
    token = api_token_create(user=staff(role), name="ward tablet")
    return client.post(
        f"/api/v1/staff/patients/{patient.uuid}/{what}",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def _errors(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.content
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def test_a_wrong_type_does_not_hide_the_other_bad_fields(patient, client) -> None:
    outside_the_stay = f"{today() + timedelta(days=400)} 10:00"
    body = {**procedure_data(performed_at=outside_the_stay), "dose": "abc", "session": "zzz"}
    errors = _errors(_post(client, patient, "procedures", body))
    assert errors["dose"] == "Enter a number."
    assert errors["session"] == "Choose a session of this patient's plan."
    assert "performed_at" in errors
    assert not Procedure.objects.exists()


def test_an_adverse_event_of_wrong_types_gets_the_pages_messages(patient, client) -> None:
    body = {**event_data(), "grade": "abc", "procedure": "zzz"}
    errors = _errors(_post(client, patient, "adverse-events", body))
    assert errors["grade"] == "Enter a whole number from 1 to 5."
    assert errors["procedure"] == "Choose one of this patient's procedures."
    assert not AdverseEvent.objects.exists()


@pytest.mark.parametrize("moment", [1795514400, "1795514400", 1795514400000])
def test_a_number_is_not_a_date_and_time(patient, client, moment) -> None:
    errors = _errors(_post(client, patient, "procedures", procedure_data(performed_at=moment)))
    assert "performed_at" in errors
    assert not Procedure.objects.exists()


def test_a_number_is_not_a_date(patient, client) -> None:
    errors = _errors(_post(client, patient, "adverse-events", event_data(onset_date=20261124)))
    assert "onset_date" in errors


def test_a_role_that_may_not_record_gets_403_even_for_a_malformed_body(patient, client) -> None:
    body = {**procedure_data(), "dose": "abc"}
    assert _post(client, patient, "procedures", body, role="coordinator").status_code == 403


def test_a_well_typed_body_is_still_recorded(patient, client) -> None:
    body = {**procedure_data(), "dose": 12.5}
    done = _post(client, patient, "procedures", body)
    assert done.status_code == 201, done.content
