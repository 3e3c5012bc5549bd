from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from cellclinic.audit.models import AccessEvent
from cellclinic.audit.selectors import access_events
from cellclinic.care.models import Patient
from cellclinic.inquiries.models import Inquiry
from cellclinic.inquiries.services import inquiry_submit
from cellclinic.programs.selectors import program_get
from conftest import build_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def inquiry() -> Inquiry:
    program = program_get(slug="stroke")
    assert program is not None
    made, _ = inquiry_submit(program=program, answers=build_answers("stroke"), language="en")
    return made


@pytest.fixture
def patient(inquiry: Inquiry) -> Patient:
    from cellclinic.accounts.services import staff_user_create

    doctor, _ = staff_user_create(username="doctor", role="physician", password="a-long-pass-1")
    return Patient.objects.create(
        inquiry=inquiry,
        program_id=inquiry.program_id,
        program_version=inquiry.program_version,
        accepted_by=doctor,
        consultation_note="x",
    )


def test_an_admin_finds_who_viewed_an_inquiry(sign_in, inquiry: Inquiry) -> None:
    sign_in("coordinator").get(f"/staff/inquiries/{inquiry.reference}/")
    admin = sign_in("admin")
    page = admin.get(f"/staff/audit/?object={inquiry.reference.lower()}").content.decode()
    assert "coordinator1" in page and inquiry.reference in page
    assert "coordinator1" not in admin.get("/staff/audit/?user=nobody").content.decode()


@pytest.mark.parametrize("case", [str.lower, str.upper])
def test_an_admin_finds_a_patient_by_its_id_in_any_letter_case(
    sign_in, patient: Patient, case
) -> None:
    sign_in("nurse").get(f"/staff/patients/{patient.uuid}/")
    page = sign_in("admin").get("/staff/audit/", {"object": case(str(patient.uuid))})
    assert page.status_code == 200
    assert "nurse1" in page.content.decode() and str(patient.uuid) in page.content.decode()


def test_the_user_filter_ignores_letter_case(sign_in, inquiry: Inquiry) -> None:
    sign_in("coordinator").get("/staff/inquiries/")
    page = sign_in("admin").get("/staff/audit/?user=COORDINATOR1").content.decode()
    assert '<code dir="ltr">staff_queue</code>' in page


def test_refused_attempts_show_who_what_and_why(sign_in, inquiry: Inquiry) -> None:
    sign_in("nurse").get(f"/staff/inquiries/{inquiry.reference}/")
    Client().get("/api/v1/staff/inquiries", HTTP_AUTHORIZATION="Bearer cc_guessed")
    sign_in("coordinator").get("/staff/inquiries/", {"q": "Carlos"})
    admin = sign_in("admin")
    page = admin.get("/staff/audit/?outcome=refused").content.decode()
    assert "nurse1" in page and "the role may not see this" in page
    assert "unknown" in page and "the API credentials were refused" in page
    assert "q=Carlos" not in page  # the coordinator's search was allowed
    allowed = admin.get("/staff/audit/?outcome=allowed").content.decode()
    assert '<code dir="ltr">q=Carlos</code>' in allowed and "nurse1" not in allowed


def test_days_are_inclusive(sign_in, inquiry: Inquiry) -> None:
    sign_in("coordinator").get(f"/staff/inquiries/{inquiry.reference}/")
    admin = sign_in("admin")
    today = timezone.localdate()
    same_day = admin.get("/staff/audit/", {"from": today, "to": today, "user": "coordinator1"})
    assert inquiry.reference in same_day.content.decode()
    later = admin.get("/staff/audit/", {"from": today + timedelta(days=1)})
    assert inquiry.reference not in later.content.decode()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-02-30"}, "to"),
        ({"outcome": "deleted"}, "outcome"),
        ({"object": "X" * 65}, "object"),
        ({"user": "u" * 151}, "user"),
    ],
)
def test_bad_filters_are_named(sign_in, params: dict[str, str], field: str) -> None:
    response = sign_in("admin").get("/staff/audit/", params)
    assert response.status_code == 400
    assert f'id="f-{field}-error"' in response.content.decode()


def test_a_tampered_page_marker_is_ignored(sign_in) -> None:
    admin = sign_in("admin")
    for before in ("abc", "-1", "9" * 40):
        assert admin.get("/staff/audit/", {"before": before}).status_code == 200


def test_the_log_page_only_reads(sign_in) -> None:
    admin: Client = sign_in("admin")
    before = AccessEvent.objects.count()
    assert admin.post("/staff/audit/", {"delete": "1"}).status_code == 405
    assert AccessEvent.objects.count() == before  # a 405 shows nothing: no row either


def test_the_reference_search_is_served_by_its_index() -> None:
    with transaction.atomic():
        if connection.vendor == "postgresql":  # a tiny table: make the planner show its hand
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
        plan = access_events(object_ref="abcde-12345")[:101].explain()
    assert "audit_access_ref_upper" in plan


@pytest.mark.parametrize(
    "typed", [str.lower, lambda r: r.replace("-", ""), lambda r: " ".join(r.split("-"))]
)
def test_an_admin_finds_a_reference_typed_as_the_queue_takes_it(
    sign_in, inquiry: Inquiry, typed
) -> None:
    sign_in("coordinator").get(f"/staff/inquiries/{inquiry.reference}/")
    page = sign_in("admin").get("/staff/audit/", {"object": typed(inquiry.reference)})
    assert "coordinator1" in page.content.decode()


@pytest.mark.parametrize(
    "bounds", [{"to": "9999-12-31"}, {"from": "0001-01-01", "to": "9999-12-31"}]
)
def test_the_first_and_last_days_there_are_are_days_like_any_other(
    sign_in, inquiry: Inquiry, bounds: dict[str, str]
) -> None:
    sign_in("coordinator").get(f"/staff/inquiries/{inquiry.reference}/")
    page = sign_in("admin").get("/staff/audit/", bounds)
    assert page.status_code == 200 and "coordinator1" in page.content.decode()
