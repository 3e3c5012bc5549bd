"""Every URL of the project, for every persona, against a declared table.

A new URL without an entry here fails: access must be decided, not left to chance.
Expected answers are for a GET. "login" means a redirect to the sign-in page.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from cellclinic.accounts.services import staff_user_create
from cellclinic.inquiries.family import family_token
from cellclinic.inquiries.models import Inquiry
from cellclinic.inquiries.services import inquiry_submit
from cellclinic.programs.selectors import program_get
from cellclinic.screening.services import inquiry_screen
from conftest import build_answers

PERSONAS = ("anonymous", "family", "coordinator", "physician", "nurse", "analyst", "admin")
PUBLIC = dict.fromkeys(PERSONAS, 200)
DESK = {
    "anonymous": "login",
    "family": "login",
    "coordinator": 200,
    "physician": 200,
    "nurse": 403,
    "analyst": 403,
    "admin": 200,
}

TABLE: dict[str, dict[str, Any]] = {
    "home": PUBLIC,
    "program_detail": PUBLIC,
    "inquiry_form": PUBLIC,
    "inquiry_sent": dict.fromkeys(PERSONAS, 302),  # nothing sent in this session
    "healthz": PUBLIC,
    "set_language": dict.fromkeys(PERSONAS, 302),  # GET only redirects back
    "family_inquiry": {**dict.fromkeys(PERSONAS, 404), "family": 200},  # a link is the key
    # the desk roles land on the queue; nurses and analysts on the start page
    "staff_home": {
        **DESK,
        "coordinator": 302,
        "physician": 302,
        "admin": 302,
        "nurse": 200,
        "analyst": 200,
    },
    "staff_queue": DESK,
    "staff_inquiry": DESK,
    "staff_document": DESK,
    "inquiry_screening": DESK,
    "screening_impact": {**DESK, "coordinator": 403},
    "access_log": {**DESK, "coordinator": 403, "physician": 403},
    "plan_page": {**DESK, "nurse": 200},
    "plan_ics": {**DESK, "nurse": 200},
    "api-v1:openapi-json": PUBLIC,
    "api-v1:openapi-view": PUBLIC,
    "api-v1:api-root": dict.fromkeys(PERSONAS, 404),
    "api-v1:list_programs": PUBLIC,
    "api-v1:create_inquiry": dict.fromkeys(PERSONAS, 405),  # POST only, public
    "api-v1:screen": dict.fromkeys(PERSONAS, 405),  # POST only, public
    "api-v1:list_inquiries": {**DESK, "anonymous": 401, "family": 401},
    "api-v1:read_inquiry": {**DESK, "anonymous": 401, "family": 401},
}
# django-allauth's own pages (sign-in, sign-out, password reset, MFA): public by design;
# each protects itself (a signed-in user, a reset key, or a pending sign-in).
ALLAUTH_MODULE = "allauth."


def walk(patterns: list[Any], ns: str = "") -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = (
                f"{ns}:{pattern.namespace}"
                if ns and pattern.namespace
                else (pattern.namespace or ns)
            )
            yield from walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{ns}:{pattern.name}" if ns else str(pattern.name)
            yield name, pattern.callback.__module__


def test_every_url_has_an_entry_in_the_table() -> None:
    missing = [
        name
        for name, module in walk(get_resolver().url_patterns)
        if not module.startswith(ALLAUTH_MODULE) and name not in TABLE
    ]
    assert missing == [], f"declare who may open these URLs in {__file__}: {missing}"


@pytest.fixture
def world(db: None, sign_in) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cellclinic.inquiries.services import Upload
    from cellclinic.lib.uploads import check_upload

    program = program_get(slug="stroke")
    assert program is not None
    pdf = b"%PDF-1.4\n%%EOF\n"
    upload = SimpleUploadedFile("scan.pdf", pdf)
    checked = check_upload("scan.pdf", upload, len(pdf), 10_000)
    inquiry, _ = inquiry_submit(
        program=program,
        answers=build_answers("stroke"),
        language="en",
        uploads=[Upload(file=upload, checked=checked)],
    )
    inquiry_screen(inquiry=inquiry)
    from datetime import date

    from cellclinic.care.models import Patient
    from cellclinic.care.services import plan_from_template

    doctor, _ = staff_user_create(
        username="planner", role="physician", password="a-long-password-1"
    )
    patient = Patient.objects.create(
        inquiry=inquiry,
        program_id=inquiry.program_id,
        program_version=inquiry.program_version,
        accepted_by=doctor,
        consultation_note="x",
    )
    plan_from_template(patient=patient, start=date(2027, 3, 1), physician=doctor)
    clients = {
        role: sign_in(role) for role in ("coordinator", "physician", "nurse", "analyst", "admin")
    }
    clients["anonymous"] = Client()
    clients["family"] = Client()
    return {"inquiry": inquiry, "clients": clients}


def url_for(name: str, inquiry: Inquiry) -> str:
    document = inquiry.documents.get()
    patient = inquiry.patient
    urls = {
        "home": "/",
        "program_detail": "/programs/stroke/",
        "inquiry_form": "/programs/stroke/inquire/",
        "inquiry_sent": "/programs/stroke/inquire/sent/",
        "healthz": "/healthz",
        "set_language": "/i18n/setlang/",
        "family_inquiry": f"/family/{family_token(inquiry)}/",
        "staff_home": "/staff/",
        "staff_queue": "/staff/inquiries/",
        "staff_inquiry": f"/staff/inquiries/{inquiry.reference}/",
        "staff_document": f"/staff/inquiries/{inquiry.reference}/documents/{document.uuid}/",
        "inquiry_screening": f"/staff/inquiries/{inquiry.reference}/screening/",
        "screening_impact": "/staff/screening/impact/",
        "access_log": "/staff/audit/",
        "plan_page": f"/staff/patients/{patient.uuid}/plan/",
        "plan_ics": f"/staff/patients/{patient.uuid}/plan.ics",
        "api-v1:openapi-json": "/api/v1/openapi.json",
        "api-v1:openapi-view": "/api/v1/docs",
        "api-v1:api-root": "/api/v1/",
        "api-v1:list_programs": "/api/v1/programs",
        "api-v1:create_inquiry": "/api/v1/inquiries",
        "api-v1:screen": "/api/v1/screenings",
        "api-v1:list_inquiries": "/api/v1/staff/inquiries",
        "api-v1:read_inquiry": f"/api/v1/staff/inquiries/{inquiry.reference}",
    }
    return urls[name]


@pytest.mark.parametrize("name", sorted(TABLE))
def test_each_persona_gets_what_the_table_declares(world: dict[str, Any], name: str) -> None:
    inquiry = world["inquiry"]
    for persona in PERSONAS:
        url = url_for(name, inquiry)
        if name == "family_inquiry" and persona != "family":
            url = url[:-12] + "tampered000/"  # anyone else holds no valid link
        response = world["clients"][persona].get(url)
        expected = TABLE[name][persona]
        if expected == "login":
            assert response.status_code == 302, (name, persona, response.status_code)
            assert response["Location"].startswith("/accounts/login/"), (name, persona)
        else:
            assert response.status_code == expected, (name, persona, response.status_code)


STAFF_URLS = sorted(
    name
    for name in TABLE
    if name.startswith(
        (
            "staff_",
            "inquiry_screening",
            "screening_",
            "access_log",
            "plan_",
            "api-v1:list_inq",
            "api-v1:read_inq",
        )
    )
)


def test_a_staff_user_without_mfa_sees_no_patient_data_anywhere(world: dict[str, Any]) -> None:
    from django.contrib.auth.models import Group, User

    inquiry = world["inquiry"]
    user = User.objects.create_user("nomfa", password="a-long-password-1")
    for role in ("coordinator", "physician", "admin"):
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    client = Client()
    assert (
        client.post(
            "/accounts/login/", {"login": "nomfa", "password": "a-long-password-1"}
        ).status_code
        == 302
    )
    assert client.session.get("_auth_user_id") == str(user.pk)  # signed in, but without MFA
    for name in STAFF_URLS:
        response = client.get(url_for(name, inquiry))
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code in (401, 403), (name, response.status_code)
        # (the reference may be echoed from the URL the user typed; the data must not be)
        for secret in (inquiry.patient_name, inquiry.contact_email, "stroke.mrs"):
            assert secret.encode() not in body, (name, secret)
