"""The consent's signer comes from what the family told us in its inquiry: a parent signs
as a parent under the contact's name, and nothing is chosen for a relation that does not
say how its holder signs."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from cellclinic.care.consent import consent_signer_default
from cellclinic.care.tests.builders import create_patient, today
from cellclinic.inquiries.family import family_token
from cellclinic.inquiries.models import Inquiry

pytestmark = pytest.mark.django_db


def with_relationship(relationship: str):
    patient = create_patient(plan_start=today() + timedelta(days=3))
    answers = {**patient.inquiry.answers, "contact.relationship": relationship}
    Inquiry.objects.filter(pk=patient.inquiry.pk).update(answers=answers)
    patient.inquiry.refresh_from_db()
    return patient


def test_it_chooses_parent_and_the_contacts_name_for_a_parent(client) -> None:
    patient = with_relationship("parent")
    page = client.get(f"/family/{family_token(patient.inquiry)}/consent/").content.decode()
    select = re.search(r'<select id="f-signer-role".*?</select>', page, re.S)
    assert select and '<option value="parent" selected>' in select.group(0)
    assert select.group(0).count(" selected") == 1
    assert f'id="f-signer-name" name="signer_name" value="{patient.inquiry.contact_name}"' in page


@pytest.mark.parametrize(
    ("relationship", "role"), [("self", "patient"), ("guardian", "guardian"), ("parent", "parent")]
)
def test_it_maps_each_relation_that_signs_itself(relationship: str, role: str) -> None:
    patient = with_relationship(relationship)
    assert consent_signer_default(patient=patient) == {
        "signer_role": role,
        "signer_name": patient.inquiry.contact_name,
    }


@pytest.mark.parametrize("relationship", ["spouse", "child", "physician", "other", ""])
def test_it_chooses_nothing_for_anyone_else(client, relationship: str) -> None:
    patient = with_relationship(relationship)
    assert consent_signer_default(patient=patient) == {"signer_role": "", "signer_name": ""}
    page = client.get(f"/family/{family_token(patient.inquiry)}/consent/").content.decode()
    select = re.search(r'<select id="f-signer-role".*?</select>', page, re.S)
    assert select and " selected" not in select.group(0)


def test_the_clinic_page_chooses_nothing_for_the_signer_in_front_of_it(sign_in) -> None:
    patient = with_relationship("parent")
    page = sign_in("physician").get(f"/staff/patients/{patient.uuid}/consent/").content.decode()
    select = re.search(r'<select id="f-signer-role".*?</select>', page, re.S)
    assert select and " selected" not in select.group(0)
