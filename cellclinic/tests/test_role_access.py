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
from cellclinic.audit.models import AccessEvent
from cellclinic.followup.links import followup_token
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
# the care pages: the desk roles and nurses
CARE = {**DESK, "nurse": 200}
RECORDERS = {**DESK, "coordinator": 403, "admin": 403, "nurse": 200}

TABLE: dict[str, dict[str, Any]] = {
    "home": PUBLIC,
    "program_detail": PUBLIC,
    "inquiry_form": PUBLIC,
    "inquiry_sent": dict.fromkeys(PERSONAS, 302),  # nothing sent in this session
    "contact_form": PUBLIC,
    "contact_sent": dict.fromkeys(PERSONAS, 302),  # nothing sent in this session
    "contact_invitation": dict.fromkeys(PERSONAS, 302),  # the link is the key: to the form
    "staff_contact_list": DESK,
    "staff_contact": DESK,
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
    "plan_page": CARE,
    "plan_ics": CARE,
    "patient_list": CARE,
    "patient_page": CARE,
    "procedure_new": RECORDERS,
    "procedure_page": CARE,
    "adverse_event_new": RECORDERS,
    "adverse_event_page": CARE,
    "consent_in_person": {**CARE, "admin": 403},
    "consent_snapshot": CARE,
    "discharge_summary": CARE,
    "safety_report": {**DESK, "coordinator": 403, "analyst": 200},
    "consent_documents": {**DESK, "coordinator": 403, "physician": 403},
    "consent_document_edit": {**DESK, "coordinator": 403, "physician": 403},
    "family_consent": {**dict.fromkeys(PERSONAS, 404), "family": 200},
    "family_plan": {**dict.fromkeys(PERSONAS, 404), "family": 200},
    "family_plan_ics": {**dict.fromkeys(PERSONAS, 404), "family": 200},
    "family_link_new": dict.fromkeys(PERSONAS, 405),  # POST only, from an expired link
    "followup_family": {**dict.fromkeys(PERSONAS, 404), "family": 200},  # the link is the key
    "followup_desk": CARE,
    "patient_assessments": CARE,
    "outcome_report": {**DESK, "analyst": 200},
    "deidentified_export": {**DESK, "coordinator": 403, "physician": 403, "analyst": 200},
    "api_tokens": {**DESK, "nurse": 200, "analyst": 200},  # each their own; admins all
    "api_token_revoke": {**DESK, **dict.fromkeys(PERSONAS[2:], 405)},  # POST only
    "staff_settings": {**DESK, "nurse": 200, "analyst": 200},  # each their own
    "signup_refused": dict.fromkeys(PERSONAS, 404),  # there is no sign-up
    "api-v1:openapi-json": PUBLIC,
    "api-v1:openapi-view": PUBLIC,
    "api-v1:api-root": dict.fromkeys(PERSONAS, 404),
    "api-v1:list_programs": PUBLIC,
    "api-v1:program_outcomes": PUBLIC,  # aggregates only
    "api-v1:program_flow": PUBLIC,  # aggregates only
    "api-v1:program_harms": PUBLIC,  # aggregates only
    "api-v1:create_inquiry": dict.fromkeys(PERSONAS, 405),  # POST only, public
    "api-v1:screen": dict.fromkeys(PERSONAS, 405),  # POST only, public
    "api-v1:list_inquiries": {**DESK, "anonymous": 401, "family": 401},
    "api-v1:read_inquiry": {**DESK, "anonymous": 401, "family": 401},
    "api-v1:read_patient": {**CARE, "anonymous": 401, "family": 401},
    "api-v1:record_procedure": dict.fromkeys(PERSONAS, 405),  # POST only
    "api-v1:record_adverse_event": dict.fromkeys(PERSONAS, 405),  # POST only
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
    from datetime import timedelta

    from django.utils import timezone

    from cellclinic.care.consent import consent_document_in_force
    from cellclinic.care.tests.builders import record_event, record_procedure, sign_with

    today = timezone.localdate()
    plan_from_template(patient=patient, start=today - timedelta(days=1), physician=doctor)
    document = consent_document_in_force(program=patient.program, language="en")
    signature = sign_with(
        patient=patient,
        document=document,
        data={
            "signer_name": "Carlos Ruiz",
            "signer_role": "patient",
            **{f"statement-{n}": "yes" for n in range(1, len(document.statements) + 1)},
        },
        method="family_link",
        address="192.0.2.1",
    )
    procedure = record_procedure(
        patient=patient,
        data={
            "performed_at": f"{today - timedelta(days=1)} 09:00",
            "route": "lumbar_puncture",
            "cell_type": "umbilical cord mesenchymal cells",
            "dose": "30",
            "dose_unit": "million_cells",
            "operator": "planner",
        },
        by=doctor,
    )
    event = record_event(
        patient=patient,
        data={
            "description": "Headache after the puncture",
            "category": "nervous_system",
            "grade": "1",
            "serious": "no",
            "relation_cells": "unlikely",
            "relation_lumbar_puncture": "probable",
            "action": "treated",
            "outcome": "recovering",
            "onset_date": str(today),
            "procedure": str(procedure.uuid),
        },
        by=doctor,
    )
    clients = {
        role: sign_in(role) for role in ("coordinator", "physician", "nurse", "analyst", "admin")
    }
    clients["anonymous"] = Client()
    clients["family"] = Client()
    from cellclinic.contact.services import contact_invite, contact_submit

    contact = contact_submit(
        name="Layla Hassan",
        email="layla@example.org",
        language="ar",
        body="Do you treat adults?",
        page_language="ar",
    )
    contact_invite(message=contact, author=doctor, program=program)
    from cellclinic.followup.models import FollowUp

    FollowUp.objects.create(
        patient=patient,
        timepoint="m1",
        due_date=today,
        window_start=today - timedelta(days=7),
        window_end=today + timedelta(days=7),
    )
    return {
        "inquiry": inquiry,
        "clients": clients,
        "procedure": procedure,
        "event": event,
        "signature": signature,
    }


def invitation_token() -> str:
    from cellclinic.contact.links import LINK
    from cellclinic.contact.models import ContactEvent

    return LINK.token(ContactEvent.objects.get(kind="invitation").uuid)


def url_for(name: str, inquiry: Inquiry) -> str:
    from cellclinic.contact.models import ContactMessage

    document = inquiry.documents.get()
    patient = inquiry.patient
    procedure = patient.procedures.get()
    event = patient.adverse_events.get()
    signature = patient.consents.get()
    urls = {
        "home": "/",
        "program_detail": "/programs/stroke/",
        "inquiry_form": "/programs/stroke/inquire/",
        "inquiry_sent": "/programs/stroke/inquire/sent/",
        "contact_form": "/contact/",
        "contact_sent": "/contact/sent/",
        "contact_invitation": f"/contact/invitation/{invitation_token()}/",
        "staff_contact_list": "/staff/contact/",
        "staff_contact": f"/staff/contact/{ContactMessage.objects.get().uuid}/",
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
        "patient_list": "/staff/patients/",
        "patient_page": f"/staff/patients/{patient.uuid}/",
        "procedure_new": f"/staff/patients/{patient.uuid}/procedures/new/",
        "procedure_page": f"/staff/patients/{patient.uuid}/procedures/{procedure.uuid}/",
        "adverse_event_new": f"/staff/patients/{patient.uuid}/events/new/",
        "adverse_event_page": f"/staff/patients/{patient.uuid}/events/{event.uuid}/",
        "consent_in_person": f"/staff/patients/{patient.uuid}/consent/",
        "consent_snapshot": f"/staff/patients/{patient.uuid}/consent/{signature.uuid}/",
        "discharge_summary": f"/staff/patients/{patient.uuid}/summary/",
        "safety_report": "/staff/safety/",
        "consent_documents": "/staff/consent-documents/",
        "consent_document_edit": "/staff/consent-documents/stroke/ru/",
        "family_consent": f"/family/{family_token(inquiry)}/consent/",
        "family_plan": f"/family/{family_token(inquiry)}/plan/",
        "family_plan_ics": f"/family/{family_token(inquiry)}/plan.ics",
        "family_link_new": f"/family/{family_token(inquiry)}/new-link/",
        "followup_family": f"/followup/{followup_token(patient.followups.get())}/",
        "followup_desk": "/staff/followup/",
        "patient_assessments": f"/staff/patients/{patient.uuid}/assessments/",
        "outcome_report": "/staff/outcomes/",
        "deidentified_export": "/staff/outcomes/export.zip",
        "api_tokens": "/staff/tokens/",
        "staff_settings": "/staff/settings/",
        "api_token_revoke": "/staff/tokens/0b7c4a52-9d2e-4f5e-8a61-3c2d1e0f9a87/revoke/",
        "signup_refused": "/accounts/signup/",
        "api-v1:openapi-json": "/api/v1/openapi.json",
        "api-v1:openapi-view": "/api/v1/docs",
        "api-v1:api-root": "/api/v1/",
        "api-v1:list_programs": "/api/v1/programs",
        "api-v1:program_outcomes": "/api/v1/programs/stroke/outcomes?timepoint=m6&by=subtype",
        "api-v1:program_flow": "/api/v1/programs/stroke/flow",
        "api-v1:program_harms": "/api/v1/programs/stroke/harms",
        "api-v1:create_inquiry": "/api/v1/inquiries",
        "api-v1:screen": "/api/v1/screenings",
        "api-v1:list_inquiries": "/api/v1/staff/inquiries",
        "api-v1:read_inquiry": f"/api/v1/staff/inquiries/{inquiry.reference}",
        "api-v1:read_patient": f"/api/v1/staff/patients/{patient.uuid}",
        "api-v1:record_procedure": f"/api/v1/staff/patients/{patient.uuid}/procedures",
        "api-v1:record_adverse_event": f"/api/v1/staff/patients/{patient.uuid}/adverse-events",
    }
    return urls[name]


@pytest.mark.parametrize("name", sorted(TABLE))
def test_each_persona_gets_what_the_table_declares(world: dict[str, Any], name: str) -> None:
    inquiry = world["inquiry"]
    for persona in PERSONAS:
        url = url_for(name, inquiry)
        if name.startswith("family_") and persona != "family":
            # the link's own token, tampered (a token made again here may carry a later
            # second in its signature, and would then not be found in the URL to replace)
            parts = url.split("/")  # ["", "family", token, ...]
            parts[2] = parts[2][:-11] + "tampered000"
            url = "/".join(parts)
        if name == "followup_family" and persona != "family":
            url = url[:-12] + "tampered000/"
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
            "patient_",
            "procedure_",
            "adverse_event_",
            "consent_",
            "discharge_",
            "safety_",
            "followup_desk",
            "outcome_",
            "deidentified_",
            "api-v1:list_inq",
            "api-v1:read_inq",
            "api-v1:read_pat",
            "api_token",
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
        # and the attempt is in the access log: who, what, why refused
        refused = AccessEvent.objects.order_by("-pk")[0]
        assert (refused.user, refused.action, refused.outcome, refused.reason) == (
            user,
            name,
            "refused",
            "no_mfa",
        )
    assert AccessEvent.objects.filter(user=user).count() == len(STAFF_URLS)


STAFF_PERSONAS = ("coordinator", "physician", "nurse", "analyst", "admin")


def test_each_staff_page_admits_exactly_the_roles_of_its_capability() -> None:
    """The table above, written by hand, and the permission table agree: a staff page lets
    in (anything but 403) the personas whose role holds the capability the view names."""
    from cellclinic.accounts.permissions import roles_with

    checked = 0
    for name, view in views_by_name(get_resolver().url_patterns):
        capability = getattr(view, "staff_capability", None)
        if capability is None:
            continue
        admitted = {p for p in STAFF_PERSONAS if TABLE[name][p] != 403}
        assert admitted == set(roles_with(capability)), (name, capability)
        checked += 1
    assert checked >= 25  # every staff page names its capability


def views_by_name(patterns: list[Any], ns: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = (
                f"{ns}:{pattern.namespace}" if ns and pattern.namespace else pattern.namespace or ns
            )
            yield from views_by_name(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield (f"{ns}:{pattern.name}" if ns else str(pattern.name)), pattern.callback


def test_docs_print_the_permission_table() -> None:
    from pathlib import Path

    from cellclinic.accounts.permissions import markdown_table

    docs = (Path(__file__).resolve().parents[2] / "docs" / "roles.md").read_text()
    assert markdown_table() in docs, "run `cellclinic permissions` and paste it in docs/roles.md"
