"""The family hears of the physician's decision, in its language, by e-mail and on its
page: accepted (then the plan's dates once set) or declined, kindly, the reason kept
internal."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.test import Client
from django.utils import translation
from django.utils.formats import date_format

from cellclinic.care.tests.builders import create_patient, staff, today
from cellclinic.core.models import OutboundEmail
from cellclinic.inquiries.family import family_token, inquiry_from_token
from cellclinic.inquiries.models import Inquiry, Message
from cellclinic.inquiries.services import decline_default_text, inquiry_decline
from conftest import build_answers

pytestmark = pytest.mark.django_db


def page_text(client: Client, inquiry: Inquiry) -> str:
    response = client.get(f"/family/{family_token(inquiry)}/")
    assert response.status_code == 200
    return unescape(response.content.decode())


def assert_shown(body: str, html: str) -> None:
    """Every line of the text is on the page (its line breaks are <br> there)."""
    for line in filter(None, (line.strip() for line in body.splitlines())):
        assert line in html, line


def test_an_accepted_family_gets_a_message_and_an_email_in_its_language(client: Client) -> None:
    patient = create_patient()  # its inquiry asks for replies in Russian
    inquiry = patient.inquiry
    assert inquiry.reply_language == "ru"
    message = Message.objects.get(inquiry=inquiry)
    assert message.direction == "out" and message.author == patient.accepted_by
    assert "Anna Ivanova" in message.body and "Dear" not in message.body  # in Russian
    email = OutboundEmail.objects.get(kind="inquiry_accepted", inquiries=inquiry)
    assert email.language == "ru" and email.to == inquiry.contact_email
    assert message.body in email.body  # the same words in the e-mail and on the page
    link = re.search(r"/family/([^/\s]+)/", email.body)  # where the plan will be
    assert link and inquiry_from_token(link.group(1)) == inquiry
    assert inquiry.reference in email.subject
    assert "Suitable." not in email.body  # the consultation note stays internal
    assert_shown(message.body, page_text(client, inquiry))


def test_the_family_is_told_the_dates_once_the_plan_is_made(client: Client) -> None:
    start = today() + timedelta(days=20)
    patient = create_patient(plan_start=start)
    inquiry = patient.inquiry
    email = OutboundEmail.objects.get(kind="plan_ready", inquiries=inquiry)
    message = Message.objects.filter(inquiry=inquiry).order_by("pk").last()
    assert message is not None and message.body in email.body
    with translation.override("ru"):  # the family's language, its own date format
        first = date_format(start, "DATE_FORMAT")
        last = date_format(start + timedelta(days=18), "DATE_FORMAT")  # four, six days apart
    assert first in message.body and last in message.body
    assert_shown(message.body, page_text(client, inquiry))


def test_a_decline_is_kind_on_the_page_and_the_reason_stays_internal(client: Client) -> None:
    physician = staff("physician")
    inquiry = Inquiry.objects.create(
        reference="AB12-CD34",
        program=create_patient().program,
        program_version=create_patient().program_version,
        answers=build_answers(),
        language="en",
        reply_language="ar",
        contact_name="Fatima",
        contact_email="f@example.org",
        patient_name="Omar",
        country="SA",
        source="web",
        status="consultation",
    )
    words = decline_default_text(inquiry)
    assert re.search(r"[\u0600-\u06ff]", words)  # in Arabic, the family's language
    inquiry_decline(
        inquiry=inquiry, physician=physician, reason="uncontrolled seizures", message=words
    )
    html = page_text(client, inquiry)
    assert_shown(words, html)
    assert "uncontrolled seizures" not in html
    email = OutboundEmail.objects.get(kind="inquiry_message", inquiries=inquiry)
    assert email.language == "ar" and "uncontrolled seizures" not in email.body
