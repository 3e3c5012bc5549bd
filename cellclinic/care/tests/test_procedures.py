"""Procedures: refused without a signed consent of the version in force (service, page and
API), every bad field named, corrections kept in history, the patient's status moving."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cellclinic.accounts.services import api_token_create
from cellclinic.care.consent import consent_withdraw
from cellclinic.care.models import Patient, PatientStatusChange, Procedure
from cellclinic.care.tests.builders import (
    correct_procedure,
    create_patient,
    procedure_data,
    publish,
    record_procedure,
    sign_consent,
    staff,
    today,
)
from cellclinic.lib.invalid import Invalid

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient() -> Patient:
    return create_patient(plan_start=today() - timedelta(days=2))


@pytest.fixture
def nurse() -> Any:
    return staff("nurse", "nurse-ann")


def test_it_refuses_a_procedure_without_consent_in_the_service(patient, nurse) -> None:
    with pytest.raises(Invalid) as refused:
        record_procedure(patient=patient, data=procedure_data(), by=nurse)
    assert set(refused.value.errors) == {"consent"}
    assert not Procedure.objects.exists()
    patient.refresh_from_db()
    assert patient.status == "scheduled"


def test_it_records_a_procedure_once_the_consent_is_signed(patient, nurse) -> None:
    sign_consent(patient)
    made = record_procedure(patient=patient, data=procedure_data(), by=nurse)
    assert made.dose == Decimal("30") and made.operator.username == "dr-house"
    assert made.consent == patient.consents.get()
    patient.refresh_from_db()
    assert patient.status == "in_treatment"


def test_it_refuses_again_when_a_new_consent_version_is_put_in_force(patient, nurse) -> None:
    sign_consent(patient)
    admin = staff("admin")
    publish(
        program=patient.program,
        language="en",
        data={
            "title": "Consent v2",
            "body": "# Changed\nA new risk is known.",
            "statements": "I agree.",
        },
        by=admin,
    )
    with pytest.raises(Invalid) as refused:
        record_procedure(patient=patient, data=procedure_data(), by=nurse)
    assert "consent" in refused.value.errors
    sign_consent(patient)  # signs version 2 now
    record_procedure(patient=patient, data=procedure_data(), by=nurse)


def test_it_refuses_after_the_consent_is_withdrawn(patient, nurse) -> None:
    signature = sign_consent(patient)
    consent_withdraw(signature=signature, by=nurse, reason="The family changed its mind.")
    with pytest.raises(Invalid) as refused:
        record_procedure(patient=patient, data=procedure_data(), by=nurse)
    assert "consent" in refused.value.errors


def test_the_page_refuses_without_consent_and_records_with_it(patient, sign_in) -> None:
    client = sign_in("nurse")
    url = f"/staff/patients/{patient.uuid}/procedures/new/"
    assert "No signed consent" in client.get(url).content.decode()
    refused = client.post(url, procedure_data())
    assert refused.status_code == 400
    assert "No signed consent of the version in force" in refused.content.decode()
    assert not Procedure.objects.exists()
    sign_consent(patient)
    done = client.post(url, procedure_data())
    assert done.status_code == 302 and done["Location"] == f"/staff/patients/{patient.uuid}/"
    assert Procedure.objects.filter(patient=patient).count() == 1
    page = client.get(done["Location"]).content.decode()
    assert "umbilical cord mesenchymal stromal cells" in page and "In treatment" in page


def _api(client: Any, patient: Patient, token: str, body: dict[str, Any]) -> Any:
    return client.post(
        f"/api/v1/staff/patients/{patient.uuid}/procedures",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_the_api_refuses_without_consent_and_records_with_it(patient, nurse, client) -> None:
    token = api_token_create(user=nurse, name="ward tablet")
    refused = _api(client, patient, token, procedure_data())
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["consent"]
    assert not Procedure.objects.exists()
    sign_consent(patient)
    done = _api(client, patient, token, {**procedure_data(), "dose": 12.5})
    assert done.status_code == 201, done.content
    assert done.json()["patient_status"] == "in_treatment"
    assert Procedure.objects.get().dose == Decimal("12.5")


def test_the_api_refuses_a_coordinator(patient, client) -> None:
    coordinator = staff("coordinator")
    token = api_token_create(user=coordinator, name="desk")
    sign_consent(patient)
    assert _api(client, patient, token, procedure_data()).status_code == 403
    assert not Procedure.objects.exists()


BAD_INPUTS = [
    ("performed_at", "yesterday morning"),
    ("performed_at", "2026-13-01 09:00"),
    ("performed_at", ""),
    ("performed_at", "0001-01-01T00:00+14:00"),  # would overflow the time zone conversion
    ("performed_at", "9999-12-31T23:59-14:00"),
    ("route", "intrathecal pump"),
    ("route", ""),
    ("cell_type", ""),
    ("cell_type", "x" * 201),
    ("cell_type", "cells\x00"),
    ("dose", "0"),
    ("dose", "-5"),
    ("dose", "many"),
    ("dose", "NaN"),
    ("dose", "Infinity"),
    ("dose", "1.23456"),
    ("dose", "1e30"),
    ("dose", "10000000000"),  # more than the column holds: refused, not a database error
    ("dose", ""),
    ("dose_unit", "grams"),
    ("dose_unit", ""),
    ("operator", "nobody-of-that-name"),
    ("operator", "nurse-ann"),  # a nurse does not perform a lumbar puncture
    ("operator", ""),
    ("notes", "n" * 5001),
    ("session", "not-a-session"),
]


@pytest.mark.parametrize(("field", "value"), BAD_INPUTS)
def test_it_refuses_each_bad_input_naming_the_field(patient, nurse, field, value) -> None:
    sign_consent(patient)
    with pytest.raises(Invalid) as refused:
        record_procedure(patient=patient, data=procedure_data(**{field: value}), by=nurse)
    assert list(refused.value.errors) == [field], refused.value.errors
    assert not Procedure.objects.exists()


def test_it_refuses_a_date_outside_the_stay_or_in_the_future(patient, nurse) -> None:
    sign_consent(patient)
    for when in (
        f"{today() - timedelta(days=3)} 09:00",  # the day before the plan's first session
        f"{today() + timedelta(days=1)} 09:00",  # not done yet
    ):
        with pytest.raises(Invalid) as refused:
            record_procedure(patient=patient, data=procedure_data(performed_at=when), by=nurse)
        assert list(refused.value.errors) == ["performed_at"]


def test_it_refuses_a_patient_without_a_plan(nurse) -> None:
    patient = create_patient()
    sign_consent(patient)
    with pytest.raises(Invalid) as refused:
        record_procedure(patient=patient, data=procedure_data(), by=nurse)
    assert "plan" in refused.value.errors


def test_the_page_names_every_bad_field_in_the_users_language(patient, sign_in) -> None:
    sign_consent(patient)
    client = sign_in("nurse")
    client.cookies["django_language"] = "es"
    response = client.post(
        f"/staff/patients/{patient.uuid}/procedures/new/",
        procedure_data(dose="-1", route="", cell_type=""),
        HTTP_ACCEPT_LANGUAGE="es",
    )
    body = response.content.decode()
    assert response.status_code == 400
    for field in ("f-dose-error", "f-route-error", "f-cell_type-error"):
        assert f'id="{field}"' in body
    assert not Procedure.objects.exists()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    changes=st.dictionaries(
        st.sampled_from(list(procedure_data())),
        st.one_of(
            st.text(max_size=30),
            st.integers(),
            st.floats(allow_nan=True),
            st.none(),
            st.booleans(),
            st.lists(st.text(max_size=3), max_size=2),
        ),
        max_size=4,
    )
)
def test_any_input_is_recorded_whole_or_refused_naming_fields(patient, nurse, changes) -> None:
    """Whatever arrives, the service either records it or raises Invalid naming only
    fields it was given; it never fails otherwise and never half-writes."""
    if not patient.consents.exists():
        sign_consent(patient)
    before = Procedure.objects.count()
    try:
        record_procedure(patient=patient, data=procedure_data(**changes), by=nurse)
    except Invalid as refused:
        assert set(refused.errors) <= {*procedure_data(), "plan"}  # "plan": the stay is over
        assert Procedure.objects.count() == before
    else:
        assert Procedure.objects.count() == before + 1


def test_a_correction_keeps_the_earlier_values_and_the_reason(patient, nurse) -> None:
    sign_consent(patient)
    made = record_procedure(patient=patient, data=procedure_data(), by=nurse)
    with pytest.raises(Invalid) as refused:
        correct_procedure(procedure=made, data=procedure_data(dose="25"), by=nurse, reason="")
    assert list(refused.value.errors) == ["reason"]
    correct_procedure(
        procedure=made, data=procedure_data(dose="25"), by=nurse, reason="Typed 30 by mistake"
    )
    history = list(made.history.order_by("history_date"))
    assert [h.dose for h in history] == [Decimal("30"), Decimal("25")]
    assert history[-1].history_change_reason == "Typed 30 by mistake"
    assert history[-1].history_user == nurse


def test_the_correction_page_shows_the_history(patient, sign_in, nurse) -> None:
    sign_consent(patient)
    made = record_procedure(patient=patient, data=procedure_data(), by=nurse)
    client = sign_in("physician")
    url = f"/staff/patients/{patient.uuid}/procedures/{made.uuid}/"
    refused = client.post(url, {**procedure_data(dose="20"), "reason": ""})
    assert refused.status_code == 400 and 'id="f-reason-error"' in refused.content.decode()
    done = client.post(url, {**procedure_data(dose="20"), "reason": "Dose as given"})
    assert done.status_code == 302
    page = client.get(url).content.decode()
    assert "Dose as given" in page and "30.0000 → 20.0000" in page


def test_the_status_moves_with_the_plan_and_the_administrations(patient, nurse) -> None:
    sign_consent(patient)
    plan_days = sorted(
        {s.starts_at.date() for s in patient.plan.sessions.filter(kind="lumbar_puncture")}
    )
    # the plan started two days ago: only the first administration can be recorded yet
    record_procedure(
        patient=patient, data=procedure_data(performed_at=f"{plan_days[0]} 09:00"), by=nurse
    )
    patient.refresh_from_db()
    assert patient.status == "in_treatment"
    moves = list(
        PatientStatusChange.objects.filter(patient=patient).values_list("to_status", flat=True)
    )
    assert moves == ["accepted", "scheduled", "in_treatment"]


def test_recording_every_planned_administration_moves_the_patient_to_follow_up(nurse) -> None:
    start = today() - timedelta(days=30)
    patient = create_patient(plan_start=start)
    sign_consent(patient)
    for i in range(4):
        day = start + timedelta(days=6 * i)
        record_procedure(
            patient=patient, data=procedure_data(performed_at=f"{day} 09:00"), by=nurse
        )
        patient.refresh_from_db()
        assert patient.status == ("follow_up" if i == 3 else "in_treatment")
    with pytest.raises(Invalid) as refused:  # the stay is over: nothing more is done
        record_procedure(
            patient=patient, data=procedure_data(performed_at=f"{start} 10:00"), by=nurse
        )
    assert "plan" in refused.value.errors


def test_a_procedure_entered_twice_is_refused_and_never_ends_the_treatment_early(
    patient, nurse
) -> None:
    sign_consent(patient)
    record_procedure(patient=patient, data=procedure_data(), by=nurse)
    with pytest.raises(Invalid) as refused:
        record_procedure(patient=patient, data=procedure_data(), by=nurse)
    assert list(refused.value.errors) == ["performed_at"]
    record_procedure(
        patient=patient,
        data=procedure_data(performed_at=f"{today() - timedelta(days=1)} 09:30"),
        by=nurse,
    )  # the same day again, a little later: still one administration day of four
    patient.refresh_from_db()
    assert patient.status == "in_treatment"


def test_removing_the_last_planned_administration_moves_the_patient_to_follow_up(nurse) -> None:
    from cellclinic.care.services import plan_session_remove

    start = today() - timedelta(days=30)
    patient = create_patient(plan_start=start)
    sign_consent(patient)
    for i in range(3):
        day = start + timedelta(days=6 * i)
        record_procedure(
            patient=patient, data=procedure_data(performed_at=f"{day} 09:00"), by=nurse
        )
    last = patient.plan.sessions.filter(kind="lumbar_puncture").order_by("starts_at").last()
    plan_session_remove(session=last, physician=patient.accepted_by, reason="went home early")
    patient.refresh_from_db()
    assert patient.status == "follow_up" and patient.followups.count() == 4


def _shown(page: str, name: str) -> str:
    """The value a field shows: its input's value, or its select's chosen option."""
    import re

    field = re.search(rf'<(input|select)[^>]*name="{name}"[^>]*>(.*?</select>)?', page, re.S)
    assert field is not None, name
    if field.group(1) == "input":
        value = re.search(r'value="([^"]*)"', field.group(0))
        return value.group(1) if value else ""
    chosen = re.search(r'<option value="([^"]*)"[^>]*selected', field.group(0))
    return chosen.group(1) if chosen else ""


def test_the_form_is_filled_in_from_the_next_planned_session(patient, sign_in) -> None:
    from zoneinfo import ZoneInfo

    sign_consent(patient)
    sessions = list(patient.plan.sessions.exclude(kind__contains="therapy"))  # cell sessions
    zone = ZoneInfo(patient.plan.time_zone)
    client = sign_in("physician")  # user physician1
    url = f"/staff/patients/{patient.uuid}/procedures/new/"
    page = client.get(url).content.decode()
    assert _shown(page, "session") == str(sessions[0].uuid)
    assert (
        _shown(page, "performed_at") == f"{sessions[0].starts_at.astimezone(zone):%Y-%m-%d %H:%M}"
    )
    assert _shown(page, "route") == "lumbar_puncture"
    assert _shown(page, "operator") == "physician1"  # a physician records their own procedure
    assert _shown(page, "cell_type") == ""  # nothing recorded yet to take it from
    record_procedure(
        patient=patient,
        data=procedure_data(
            session=str(sessions[0].uuid),
            performed_at=f"{sessions[0].starts_at.astimezone(zone):%Y-%m-%d %H:%M}",
        ),
        by=patient.plan.created_by,
    )
    page = client.get(url).content.decode()
    assert _shown(page, "session") == str(sessions[1].uuid)  # the first one not yet recorded
    assert _shown(page, "cell_type") == "umbilical cord mesenchymal stromal cells"
    assert _shown(page, "dose") == ""  # the dose is always typed, never carried over
    asked = client.get(f"{url}?session={sessions[2].uuid}").content.decode()
    assert _shown(asked, "session") == str(sessions[2].uuid)
    junk = client.get(f"{url}?session=not-a-uuid")
    assert junk.status_code == 200 and _shown(junk.content.decode(), "session") == str(
        sessions[1].uuid
    )
    nurse_page = sign_in("nurse").get(url).content.decode()
    assert _shown(nurse_page, "operator") == ""  # a nurse is not the operator


def test_a_planned_session_already_done_is_not_recorded_twice(patient, nurse) -> None:
    from zoneinfo import ZoneInfo

    sign_consent(patient)
    first = patient.plan.sessions.filter(kind="lumbar_puncture").first()
    local = first.starts_at.astimezone(ZoneInfo(patient.plan.time_zone))
    record_procedure(
        patient=patient,
        data=procedure_data(performed_at=f"{local:%Y-%m-%d %H:%M}"),  # no session chosen
        by=nurse,
    )
    with pytest.raises(Invalid) as refused:  # the same day and route: that session is done
        record_procedure(
            patient=patient,
            data=procedure_data(
                session=str(first.uuid), performed_at=f"{local:%Y-%m-%d} {local.hour:02d}:05"
            ),
            by=nurse,
        )
    assert set(refused.value.errors) == {"session"}
    assert Procedure.objects.filter(patient=patient).count() == 1
