"""Every URL that is not public writes one row of the access log per staff request: shown
or refused, by whom, and for a page about one inquiry or patient, which one.

The URLs come from the role-access table, so a new staff URL is walked here as soon as it
is declared there (and it must be declared there)."""

from __future__ import annotations

from typing import Any

import pytest

from cellclinic.audit.models import AccessEvent
from cellclinic.tests import test_role_access
from cellclinic.tests.test_role_access import PERSONAS, TABLE, url_for

world = test_role_access.world  # the persona walk's data and signed-in clients
NOT_PUBLIC = sorted(
    name for name, answers in TABLE.items() if answers["anonymous"] in ("login", 401)
)
STAFF = [p for p in PERSONAS if p not in ("anonymous", "family")]


def test_the_walk_covers_the_staff_pages_and_the_staff_api() -> None:
    assert {"staff_queue", "patient_list", "deidentified_export"} <= set(NOT_PUBLIC)
    assert {"api-v1:list_inquiries", "api-v1:read_patient"} <= set(NOT_PUBLIC)


@pytest.mark.parametrize("name", NOT_PUBLIC)
def test_each_answer_and_each_refusal_is_one_row(world: dict[str, Any], name: str) -> None:
    inquiry = world["inquiry"]
    url = url_for(name, inquiry)
    patient = str(inquiry.patient.uuid)
    for persona in PERSONAS:
        before = AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = world["clients"][persona].get(url)
        rows = list(AccessEvent.objects.filter(pk__gt=before).select_related("user"))
        expected = TABLE[name][persona]
        if persona not in STAFF:  # not signed in: sent to sign in, or 401; names nobody
            assert rows == [], (name, persona)
            continue
        if expected in (404, 405):  # nothing shown and nothing refused: no row
            assert rows == [], (name, persona, response.status_code, rows)
            continue
        assert len(rows) == 1, (name, persona, response.status_code, rows)
        row = rows[0]
        assert row.user is not None and row.user.username == f"{persona}1", (name, persona)
        assert row.action == name and row.path == url.split("?")[0], (name, persona)
        if expected == 403:
            assert (row.outcome, row.reason) == ("refused", "role"), (name, persona)
            assert row.object_ref == "", (name, persona)  # refused before anything opened
        else:
            assert (row.outcome, row.reason) == ("allowed", ""), (name, persona)
        if row.outcome == "allowed" and patient in url:  # a page of one patient names it
            assert (row.object_type, row.object_ref) == ("patient", patient), (name, persona)
        elif row.outcome == "allowed" and inquiry.reference in url:
            assert row.object_ref == inquiry.reference, (name, persona)


def test_the_queue_search_text_and_filters_are_kept(world: dict[str, Any]) -> None:
    desk = world["clients"]["coordinator"]
    desk.get("/staff/inquiries/", {"q": "Carlos Ruiz", "status": "new"})
    row = AccessEvent.objects.get(action="staff_queue")
    assert row.query == "q=Carlos Ruiz&status=new"
    assert (row.object_type, row.object_ref, row.path) == ("", "", "/staff/inquiries/")


def test_a_refused_action_inside_an_allowed_page_is_logged(world: dict[str, Any]) -> None:
    """A nurse may read the patient page but not ask the family to sign: the POST is
    refused by the view's own check, and that refusal is a row with the patient named."""
    patient = world["inquiry"].patient
    nurse = world["clients"]["nurse"]
    url = f"/staff/patients/{patient.uuid}/"
    assert nurse.post(url, {"action": "request_consent"}).status_code == 403
    row = AccessEvent.objects.get(action="patient_page")
    assert (row.outcome, row.reason, row.object_ref) == ("refused", "role", str(patient.uuid))
