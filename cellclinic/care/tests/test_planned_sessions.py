"""A procedure and its planned session stay in step: a cell session is done once a procedure
is linked to it or one of its route was performed on its day (so the form proposes the next
one), a procedure is linked only to a session of its own route and day (page and API refuse
the rest, naming the field), and the plan page links each session still to do to the form."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from cellclinic.accounts.services import api_token_create
from cellclinic.care.forms import ProcedureForm
from cellclinic.care.models import Patient, PlannedSession, Procedure
from cellclinic.care.records import cell_sessions_done
from cellclinic.care.tests.builders import (
    create_patient,
    procedure_data,
    record_procedure,
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


def cell_sessions(patient: Patient) -> list[PlannedSession]:
    return list(patient.plan.sessions.exclude(kind__contains="therapy"))


def local(session: PlannedSession) -> str:
    zone = ZoneInfo(session.plan.time_zone)
    return f"{session.starts_at.astimezone(zone):%Y-%m-%d %H:%M}"


def proposed(patient: Patient) -> str:
    return ProcedureForm.planned(patient).initial.get("session", "")


def test_a_procedure_recorded_without_its_session_still_counts_for_its_day(patient) -> None:
    """As the demo records them: no planned session chosen, the session's route and day."""
    first, supplement, second = cell_sessions(patient)[:3]
    assert (first.kind, supplement.kind) == ("lumbar_puncture", "intravenous")
    assert proposed(patient) == str(first.uuid)
    nurse = staff("nurse", "nurse-ann")
    later = (first.starts_at + timedelta(hours=1)).astimezone(ZoneInfo(patient.plan.time_zone))
    record_procedure(
        patient=patient, data=procedure_data(performed_at=f"{later:%Y-%m-%d %H:%M}"), by=nurse
    )
    assert proposed(patient) == str(supplement.uuid)
    assert cell_sessions_done(patient.plan) == {first.pk}
    record_procedure(
        patient=patient,
        data=procedure_data(performed_at=local(supplement), route="intravenous"),
        by=nurse,
    )
    assert proposed(patient) == str(second.uuid)


def test_a_linked_procedure_makes_its_session_done(patient) -> None:
    first = cell_sessions(patient)[0]
    record_procedure(
        patient=patient,
        data=procedure_data(session=str(first.uuid), performed_at=local(first)),
        by=staff("nurse", "nurse-ann"),
    )
    assert cell_sessions_done(patient.plan) == {first.pk}


def refusals(patient: Patient, **changes: Any) -> dict[str, str]:
    return ProcedureForm(procedure_data(**changes), patient=patient).refusals()


def test_a_procedure_is_linked_only_to_a_session_of_its_route_and_day(patient) -> None:
    sessions = cell_sessions(patient)
    first, supplement = sessions[0], sessions[1]
    later_puncture = next(s for s in sessions[2:] if s.kind == "lumbar_puncture")
    yesterday = f"{today() - timedelta(days=1)} 13:00"  # within the stay, not the session's day
    errors = refusals(
        patient, session=str(later_puncture.uuid), performed_at=yesterday, route="intravenous"
    )
    day = later_puncture.starts_at.astimezone(ZoneInfo(patient.plan.time_zone)).date()
    assert errors["route"] == "The planned session chosen is by this route: Lumbar puncture."
    assert errors["performed_at"] == (
        f"The planned session chosen is on {day}; give a time on that day."
    )
    wrong_route = refusals(
        patient, session=str(first.uuid), performed_at=local(first), route="intravenous"
    )
    assert set(wrong_route) == {"route"}
    wrong_day = refusals(patient, session=str(supplement.uuid), performed_at=yesterday)
    assert set(wrong_day) == {"route", "performed_at"}  # the supplement is intravenous
    rehabilitation = patient.plan.sessions.filter(kind__contains="therapy").first()
    assert set(refusals(patient, session=str(rehabilitation.uuid))) == {"session"}
    assert refusals(patient, session=str(first.uuid), performed_at=local(first)) == {}
    with translation.override("es"):
        spanish = refusals(patient, session=str(first.uuid), route="intravenous")
    assert spanish["route"].startswith("La sesión programada elegida es por esta vía")


def test_the_page_and_the_api_refuse_the_wrong_session_alike(patient, sign_in, client) -> None:
    later_puncture = next(s for s in cell_sessions(patient)[2:] if s.kind == "lumbar_puncture")
    body = procedure_data(
        session=str(later_puncture.uuid),
        performed_at=f"{today() - timedelta(days=1)} 13:00",
        route="intravenous",
        operator="dr-house",
    )
    page = sign_in("nurse").post(f"/staff/patients/{patient.uuid}/procedures/new/", body)
    html = page.content.decode()
    assert page.status_code == 400 and 'id="f-route-error"' in html
    assert 'id="f-performed_at-error"' in html
    token = api_token_create(user=staff("nurse"), name="ward tablet")
    answer = client.post(
        f"/api/v1/staff/patients/{patient.uuid}/procedures",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert answer.status_code == 422
    assert {e["field"] for e in answer.json()["errors"]} >= {"route", "performed_at"}
    assert not Procedure.objects.exists()


def test_the_plan_page_links_each_session_still_to_do_to_the_form(patient, sign_in) -> None:
    sessions = cell_sessions(patient)
    first = sessions[0]
    record_procedure(
        patient=patient,
        data=procedure_data(performed_at=local(first)),  # no session chosen
        by=staff("nurse", "nurse-ann"),
    )
    url = f"/staff/patients/{patient.uuid}/plan/"
    form = f"/staff/patients/{patient.uuid}/procedures/new/?session="
    html = sign_in("nurse").get(url).content.decode()
    assert html.count("Record this procedure") == len(sessions) - 1
    assert f"{form}{first.uuid}" not in html
    for session in sessions[1:]:
        assert f"{form}{session.uuid}" in html
    rehabilitation = patient.plan.sessions.filter(kind__contains="therapy").first()
    assert f"{form}{rehabilitation.uuid}" not in html
    coordinator = sign_in("coordinator").get(url).content.decode()
    assert "Record this procedure" not in coordinator and form not in coordinator
    asked = sign_in("physician").get(f"{form}{sessions[1].uuid}").content.decode()
    assert f'value="{local(sessions[1])}"' in asked
