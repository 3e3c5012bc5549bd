"""Consent: the default document covers the ISSCR elements in every language; signing
needs every statement ticked and keeps a snapshot; admins publish new versions."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import yaml

from cellclinic.care.consent import (
    DEFAULT_FILE,
    consent_current,
    consent_document_in_force,
)
from cellclinic.care.models import ConsentDocument, ConsentSignature
from cellclinic.care.tests.builders import (
    create_patient,
    publish,
    sign_consent,
    sign_with,
    staff,
    ticked,
    today,
)
from cellclinic.inquiries.family import family_token
from cellclinic.lib.invalid import Invalid
from cellclinic.programs.schema import LANGUAGE_CODES

pytestmark = pytest.mark.django_db

# The elements of the ISSCR standard for informed consent, found by a word in each section.
ISSCR_ELEMENTS = {
    "investigational and unproven": "investigational",
    "risks of the cells": "Risks of the cells",
    "risks of each procedure": "Risks of the procedures",
    "lumbar puncture": "lumbar puncture",
    "infusion": "infusion",
    "stereotactic surgery": "stereotactic",
    "alternatives": "Alternatives",
    "costs": "Costs",
    "the right to withdraw": "withdraw",
    "how adverse events are reported": "Reporting health problems",
}


def test_the_default_text_covers_each_isscr_element() -> None:
    english = yaml.safe_load(DEFAULT_FILE.read_text())["en"]
    text = english["body"] + " ".join(english["statements"])
    missing = [name for name, word in ISSCR_ELEMENTS.items() if word not in text]
    assert missing == []


def test_every_language_has_the_same_sections_and_statements() -> None:
    defaults = yaml.safe_load(DEFAULT_FILE.read_text())
    assert set(defaults) == set(LANGUAGE_CODES)
    shape = {
        code: (len(text["statements"]), text["body"].count("\n# ") + 1)
        for code, text in defaults.items()
    }
    assert len(set(shape.values())) == 1, shape
    for text in defaults.values():
        rest = (text["title"] + text["body"]).replace("{program}", "")
        assert "{" not in rest and "}" not in rest


def test_the_first_version_is_made_from_the_default_with_the_program_name() -> None:
    patient = create_patient()
    document = consent_document_in_force(program=patient.program, language="ru")
    assert document.version == 1 and document.created_by is None
    assert "{program}" not in document.title and "церебральный паралич" in document.title.lower()
    assert [kind for kind, _ in document.blocks()][0] == "heading"


def test_signing_needs_every_statement_ticked_a_name_and_a_role() -> None:
    patient = create_patient()
    document = consent_document_in_force(program=patient.program, language="en")
    count = len(document.statements)
    data = {**ticked(count), "signer_name": "", "signer_role": "neighbour"}
    del data[f"statement-{count}"]
    with pytest.raises(Invalid) as refused:
        sign_with(patient=patient, document=document, data=data, method="family_link", address="x")
    assert set(refused.value.errors) == {"signer_name", "signer_role", f"statement-{count}"}
    assert not ConsentSignature.objects.exists()


def test_a_signature_keeps_a_snapshot_of_exactly_what_was_signed() -> None:
    patient = create_patient()
    signature = sign_consent(patient)
    document = signature.document
    assert signature.address == "192.0.2.10" and signature.signed_at is not None
    assert signature.snapshot_sha256 == hashlib.sha256(signature.snapshot.encode()).hexdigest()
    for statement in document.statements:
        assert (
            statement.replace("'", "&#x27;") in signature.snapshot
            or statement in signature.snapshot
        )
    assert "Maria Ivanova" in signature.snapshot and document.title in signature.snapshot


def test_an_admin_edit_is_a_new_version_in_force_and_old_signatures_no_longer_count() -> None:
    patient = create_patient()
    signature = sign_consent(patient)
    assert consent_current(patient=patient) == signature
    with pytest.raises(Invalid):
        publish(
            program=patient.program,
            language="en",
            data={"title": "T", "body": "B", "statements": "S"},
            by=staff("physician"),
        )
    made = publish(
        program=patient.program,
        language="en",
        data={"title": "T", "body": "# H\nB", "statements": "S one\nS two"},
        by=staff("admin"),
    )
    assert made.version == 2 and made.statements == ["S one", "S two"]
    assert consent_current(patient=patient) is None
    assert ConsentDocument.objects.filter(program=patient.program, language="en").count() == 2
    signature.refresh_from_db()
    assert signature.document.version == 1  # what was signed stays what was signed


def test_publishing_refuses_bad_input_naming_each_field() -> None:
    patient = create_patient()
    with pytest.raises(Invalid) as refused:
        publish(
            program=patient.program,
            language="en",
            data={"title": "", "body": "x\x00", "statements": ""},
            by=staff("admin"),
        )
    assert set(refused.value.errors) == {"title", "body", "statements"}


def test_the_family_signs_through_its_link_in_its_language(client) -> None:
    patient = create_patient(plan_start=today() + timedelta(days=3))
    token = family_token(patient.inquiry)
    family = client.get(f"/family/{token}/", HTTP_ACCEPT_LANGUAGE="ru")
    assert f"/family/{token}/consent/" in family.content.decode()
    url = f"/family/{token}/consent/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="ru")
    document = consent_document_in_force(program=patient.program, language="ru")
    assert page.status_code == 200 and document.title in page.content.decode()
    refused = client.post(
        url,
        {"document": str(document.uuid), "signer_name": "Мария Иванова", "signer_role": "parent"},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert refused.status_code == 400 and not ConsentSignature.objects.exists()
    assert 'id="f-statement-1-error"' in refused.content.decode()
    done = client.post(
        url,
        {
            "document": str(document.uuid),
            "signer_name": "Мария Иванова",
            "signer_role": "parent",
            **ticked(len(document.statements)),
        },
        HTTP_ACCEPT_LANGUAGE="ru",
        REMOTE_ADDR="203.0.113.7",
    )
    assert done.status_code == 302
    signature = ConsentSignature.objects.get()
    assert signature.method == "family_link" and signature.address == "203.0.113.7"
    assert signature.document.language == "ru" and consent_current(patient=patient) == signature


def test_a_document_that_is_no_longer_in_force_cannot_be_signed() -> None:
    patient = create_patient()
    old = consent_document_in_force(program=patient.program, language="en")
    publish(
        program=patient.program,
        language="en",
        data={"title": "T", "body": "B", "statements": "S"},
        by=staff("admin"),
    )
    with pytest.raises(Invalid) as refused:
        sign_with(
            patient=patient,
            document=old,
            data={"signer_name": "A", "signer_role": "parent", **ticked(len(old.statements))},
            method="family_link",
            address="x",
        )
    assert list(refused.value.errors) == ["document"]


def test_in_person_signing_records_the_witness(sign_in) -> None:
    patient = create_patient()
    client = sign_in("nurse")
    url = f"/staff/patients/{patient.uuid}/consent/?language=es"
    page = client.get(url)
    document = consent_document_in_force(program=patient.program, language="es")
    assert document.title in page.content.decode()
    done = client.post(
        url,
        {
            "document": str(document.uuid),
            "signer_name": "Carlos Ruiz",
            "signer_role": "patient",
            **ticked(len(document.statements)),
        },
    )
    assert done.status_code == 302
    signature = ConsentSignature.objects.get()
    assert signature.method == "in_person" and signature.witnessed_by.username == "nurse1"
    snapshot = client.get(f"/staff/patients/{patient.uuid}/consent/{signature.uuid}/")
    assert snapshot.content.decode() == signature.snapshot
    assert "default-src 'none'" in snapshot["Content-Security-Policy"]
