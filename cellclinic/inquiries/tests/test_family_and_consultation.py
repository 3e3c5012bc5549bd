"""Messages with the family through its link, and the physician's consultation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from cellclinic.care.models import Patient
from cellclinic.core.models import OutboundEmail
from cellclinic.inquiries.family import family_token
from cellclinic.inquiries.models import Inquiry, Message
from conftest import as_form, build_answers

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def submit(client: Client, **overrides) -> Inquiry:
    data = as_form(build_answers("stroke", **overrides))
    assert client.post("/programs/stroke/inquire/", data).status_code == 302
    inquiry = Inquiry.objects.order_by("-pk").first()
    assert inquiry is not None
    return inquiry


def link_in(email: OutboundEmail) -> str:
    match = re.search(r"http://127\.0\.0\.1:8000(/family/[^\s]+/)", email.body)
    assert match, email.body
    return match.group(1)


def test_a_message_is_emailed_in_the_familys_language_with_its_link(
    client: Client, sign_in
) -> None:
    inquiry = submit(client, contact__language="ru")
    desk = sign_in("coordinator")
    url = f"/staff/inquiries/{inquiry.reference}/"
    assert (
        desk.post(url, {"action": "message", "body": "Please send the MRI report."}).status_code
        == 302
    )
    email = OutboundEmail.objects.get(kind="inquiry_message")
    assert email.language == "ru" and email.to == inquiry.contact_email
    assert "Please send the MRI report." in email.body
    assert "To answer, or to send documents" not in email.body  # the wrapper is in Russian
    inquiry.refresh_from_db()
    assert inquiry.first_contact_at is not None


def test_the_family_answers_through_its_link_with_a_document(client: Client, sign_in) -> None:
    inquiry = submit(client)
    sign_in("coordinator").post(
        f"/staff/inquiries/{inquiry.reference}/", {"action": "message", "body": "Any records?"}
    )
    link = link_in(OutboundEmail.objects.get(kind="inquiry_message"))
    family = Client()
    page = family.get(link)
    assert page.status_code == 200 and "Any records?" in page.content.decode()
    sent = family.post(
        link, {"body": "Here is the report.", "documents": [SimpleUploadedFile("mri.pdf", PDF)]}
    )
    assert sent.status_code == 302
    reply = Message.objects.get(direction="in")
    assert reply.body == "Here is the report." and reply.documents.get().original_name == "mri.pdf"
    staff_page = sign_in("physician").get(f"/staff/inquiries/{inquiry.reference}/").content.decode()
    assert "Here is the report." in staff_page and "mri.pdf" in staff_page


def test_a_bad_family_reply_is_named_and_nothing_is_stored(client: Client) -> None:
    inquiry = submit(client)
    link = f"/family/{family_token(inquiry)}/"
    empty = client.post(link, {"body": "  "})
    assert empty.status_code == 400 and 'id="f-body-error"' in empty.content.decode()
    bad_file = client.post(
        link, {"body": "x", "documents": [SimpleUploadedFile("a.exe", b"MZ" * 50)]}
    )
    assert bad_file.status_code == 400
    assert not Message.objects.exists()


def test_a_link_works_for_its_own_inquiry_only_and_expires(client: Client, settings) -> None:
    mine = submit(client)
    submit(client, contact__name="Someone Else", patient__name="Other Patient")
    link = f"/family/{family_token(mine)}/"
    page = client.get(link).content.decode()
    assert mine.reference in page and "Other Patient" not in page
    tampered = link[:-3] + ("A" if link[-3] != "A" else "B") + link[-2:]
    assert client.get(tampered).status_code == 404
    with time_machine.travel(timezone.now() + timedelta(days=settings.FAMILY_LINK_DAYS + 1)):
        expired = client.get(link)
    assert expired.status_code == 404 and "does not work" in expired.content.decode()


def move_to_consultation(desk: Client, inquiry: Inquiry) -> None:
    url = f"/staff/inquiries/{inquiry.reference}/"
    for status in ("contacted", "screening", "consultation"):
        assert desk.post(url, {"action": "status", "status": status}).status_code == 302


def test_a_physician_accepts_and_the_inquiry_becomes_a_patient(client: Client, sign_in) -> None:
    inquiry = submit(client)
    physician = sign_in("physician")
    move_to_consultation(physician, inquiry)
    url = f"/staff/inquiries/{inquiry.reference}/"
    refused = physician.post(url, {"action": "accept", "note": ""})
    assert refused.status_code == 400 and 'id="f-accept-note-error"' in refused.content.decode()
    assert (
        physician.post(url, {"action": "accept", "note": "Suitable; plan four LPs."}).status_code
        == 302
    )
    patient = Patient.objects.get(inquiry=inquiry)
    assert patient.status == "accepted" and patient.consultation_note == "Suitable; plan four LPs."
    inquiry.refresh_from_db()
    assert inquiry.status == "accepted"


def test_a_coordinator_cannot_accept(client: Client, sign_in) -> None:
    inquiry = submit(client)
    coordinator = sign_in("coordinator")
    move_to_consultation(coordinator, inquiry)
    response = coordinator.post(
        f"/staff/inquiries/{inquiry.reference}/", {"action": "accept", "note": "x"}
    )
    assert response.status_code == 400 and not Patient.objects.exists()


def test_a_physician_declines_and_the_family_is_told_in_its_language(
    client: Client, sign_in
) -> None:
    inquiry = submit(client, contact__language="es")
    physician = sign_in("physician")
    move_to_consultation(physician, inquiry)
    url = f"/staff/inquiries/{inquiry.reference}/"
    page = physician.get(url).content.decode()
    default = re.search(r'name="message" rows="8" dir="auto">([^<]+)</textarea>', page)
    assert default and "Dear" not in default.group(1)  # the default words are in Spanish
    no_reason = physician.post(url, {"action": "decline", "reason": "", "message": "Lo sentimos."})
    assert (
        no_reason.status_code == 400 and 'id="f-decline-reason-error"' in no_reason.content.decode()
    )
    edited = "Estimada familia: lo sentimos, no podemos ofrecer una consulta."
    assert (
        physician.post(
            url, {"action": "decline", "reason": "hydrocephalus on MRI", "message": edited}
        ).status_code
        == 302
    )
    inquiry.refresh_from_db()
    assert inquiry.status == "declined"
    email = OutboundEmail.objects.get(kind="inquiry_message")
    assert email.language == "es" and edited in email.body
    assert "hydrocephalus on MRI" not in email.body  # the reason stays internal


def test_a_message_to_a_new_inquiry_moves_it_to_contacted_recorded_once(
    client: Client, sign_in
) -> None:
    inquiry = submit(client)
    desk = sign_in("coordinator")
    url = f"/staff/inquiries/{inquiry.reference}/"
    desk.post(url, {"action": "message", "body": "We have your inquiry."})
    inquiry.refresh_from_db()
    assert inquiry.status == "contacted"
    moves = list(inquiry.status_changes.values_list("to_status", "reason"))
    assert moves == [("new", "submitted"), ("contacted", "message sent")]
    desk.post(url, {"action": "message", "body": "And a second one."})  # no second move
    assert inquiry.status_changes.count() == 2
