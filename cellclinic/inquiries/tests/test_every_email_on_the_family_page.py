"""Everything the family was sent by e-mail is on its page too: the confirmation, staff
messages, the acceptance, the plan's dates, the consent request, follow-up reminders."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
import time_machine
from django.test import Client

from cellclinic.care.consent import consent_request
from cellclinic.care.tests.builders import create_treated_patient, staff
from cellclinic.followup.models import Reminder
from cellclinic.followup.reminders import reminder_send
from cellclinic.inquiries.emails import inquiry_confirmation_queue
from cellclinic.inquiries.family import SIGNATURE, THREAD_KINDS, family_token
from cellclinic.inquiries.models import Inquiry
from cellclinic.inquiries.services import message_send

pytestmark = pytest.mark.django_db


def test_every_email_to_the_family_is_shown_on_its_page(client: Client) -> None:
    patient = create_treated_patient()
    Inquiry.objects.filter(pk=patient.inquiry_id).update(contact_name="Anne O'Neill")
    inquiry = Inquiry.objects.get(pk=patient.inquiry_id)
    coordinator = staff("coordinator")
    assert inquiry_confirmation_queue(inquiry=inquiry)
    message_send(inquiry=inquiry, author=coordinator, body="Please bring the MRI discs.")
    consent_request(patient=patient, by=coordinator)
    reminder = Reminder.objects.filter(followup__patient=patient).order_by("due_at").first()
    assert reminder is not None
    with time_machine.travel(reminder.due_at + timedelta(minutes=1)):
        assert reminder_send(reminder_id=reminder.pk)
    kinds = set(inquiry.emails.values_list("kind", flat=True))
    assert kinds == {
        "inquiry_confirmation",
        "inquiry_accepted",
        "plan_ready",
        "inquiry_message",
        "followup_reminder",
    }
    html = unescape(client.get(f"/family/{family_token(inquiry)}/").content.decode())
    for email in inquiry.emails.all():
        text = email.body.split(SIGNATURE, 1)[0]
        if email.kind in THREAD_KINDS:  # the message, then how to answer it (this page)
            text = text.split("\n---\n", 1)[0]
        for line in filter(None, (line.strip() for line in text.splitlines())):
            if "/family/" in line:  # the link to this very page, made afresh each time
                continue
            assert line in html, (email.kind, line)
    reminder_email = inquiry.emails.get(kind="followup_reminder")
    assert "O'Neill" in reminder_email.body and "&#x27;" not in reminder_email.body  # plain text


def test_an_email_without_a_message_is_marked_as_an_email_with_its_subject(
    client: Client,
) -> None:
    patient = create_treated_patient()
    inquiry = patient.inquiry
    inquiry_confirmation_queue(inquiry=inquiry)
    confirmation = inquiry.emails.get(kind="inquiry_confirmation")
    html = unescape(client.get(f"/family/{family_token(inquiry)}/").content.decode())
    assert confirmation.subject in html
    assert "-- " not in html.split('class="thread"', 1)[1].split("</ol>", 1)[0]  # no signature
