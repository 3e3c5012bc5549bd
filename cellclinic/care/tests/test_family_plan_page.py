"""Once accepted, the family's link shows its plan day by day, what to bring, the consent
and the follow-ups; the plan prints and downloads as a calendar, in the family's language,
through the family's own link only."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation
from django.utils.formats import date_format
from icalendar import Calendar

from cellclinic.care.models import Patient
from cellclinic.care.tests.builders import (
    create_patient,
    create_treated_patient,
    sign_consent,
    today,
)
from cellclinic.followup.models import FollowUp
from cellclinic.inquiries.family import family_token, inquiry_from_token
from cellclinic.inquiries.models import Inquiry

pytestmark = pytest.mark.django_db


def in_arabic(patient: Patient) -> Patient:
    Inquiry.objects.filter(pk=patient.inquiry_id).update(reply_language="ar")
    patient.inquiry.refresh_from_db()
    return patient


def page(client: Client, patient: Patient, suffix: str = "") -> str:
    response = client.get(f"/family/{family_token(patient.inquiry)}/{suffix}")
    assert response.status_code == 200, response.status_code
    return unescape(response.content.decode())


def arabic(day) -> str:
    with translation.override("ar"):
        return date_format(day, "DATE_FORMAT")


def test_before_the_plan_the_family_is_told_to_wait_before_booking(client: Client) -> None:
    html = page(client, create_patient())
    assert 'id="plan-pending"' in html and 'id="family-plan-link"' not in html
    assert 'id="consent-to-sign"' in html


def test_the_plan_in_arabic_shows_each_administration_day_in_arabic(client: Client) -> None:
    start = today() + timedelta(days=20)
    patient = in_arabic(create_patient(plan_start=start))
    html = page(client, patient)
    assert '<html lang="ar" dir="rtl">' in html
    for n in range(4):  # four administrations, six days apart
        assert arabic(start + timedelta(days=6 * n)) in html
    with translation.override("ar"):
        assert str(translation.gettext("What to bring")) in html
        assert str(translation.gettext("Cell administration by lumbar puncture")) in html
    for target in ("plan/", "plan.ics"):  # through the family's own link
        found = re.search(rf'href="/family/([^/"]+)/{re.escape(target)}"', html)
        assert found and inquiry_from_token(found.group(1)) == patient.inquiry, target
    assert "/staff/" not in html  # nothing of the staff's pages


def test_the_printable_plan_lists_every_session_in_the_family_language(client: Client) -> None:
    start = today() + timedelta(days=20)
    patient = in_arabic(create_patient(plan_start=start))
    html = page(client, patient, "plan/")
    assert '<html lang="ar" dir="rtl">' in html
    sessions = patient.plan.sessions.all()
    zone = ZoneInfo(patient.plan.time_zone)
    for session in sessions:
        assert session.starts_at.astimezone(zone).strftime("%H:%M") in html
    days = {s.starts_at.astimezone(zone).date() for s in sessions}
    assert all(arabic(day) in html for day in days)


def test_the_calendar_names_the_sessions_in_the_family_language(client: Client) -> None:
    patient = in_arabic(create_patient(plan_start=today() + timedelta(days=20)))
    response = client.get(f"/family/{family_token(patient.inquiry)}/plan.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == patient.plan.sessions.count()
    with translation.override("ar"):
        puncture = str(translation.gettext("Cell administration by lumbar puncture"))
    assert puncture != "Cell administration by lumbar puncture"
    assert puncture in {str(e["SUMMARY"]) for e in events}


def test_no_plan_or_a_bad_link_gives_the_broken_link_page(client: Client) -> None:
    patient = create_patient()
    token = family_token(patient.inquiry)
    assert client.get(f"/family/{token}/plan/").status_code == 404
    assert client.get(f"/family/{token}/plan.ics").status_code == 404
    assert client.get(f"/family/{token[:-4]}xxxx/plan.ics").status_code == 404


def test_a_signed_consent_shows_its_date_and_signer(client: Client) -> None:
    patient = create_patient(plan_start=today() + timedelta(days=3))
    signature = sign_consent(patient)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = page(client, patient)
    assert 'id="consent-signed"' in html and 'id="consent-to-sign"' not in html
    with translation.override("en"):
        assert (
            f"Signed by Maria Ivanova on {date_format(signature.signed_at, 'DATE_FORMAT')}" in html
        )


def test_the_follow_ups_show_their_windows_and_the_due_one_its_link(client: Client) -> None:
    patient = create_treated_patient()
    m1 = FollowUp.objects.get(patient=patient, timepoint="m1")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with time_machine.travel(timezone.now() + (m1.due_date - timezone.localdate())):
        html = page(client, patient)
    section = html.split('id="followups"', 1)[1].split("</section>", 1)[0]
    assert section.count("<li") == patient.followups.count()
    with translation.override("en"):
        assert date_format(m1.window_start, "DATE_FORMAT") in section
    assert section.count('href="http') == 1 and "/followup/" in section  # only m1 is due


def test_the_family_pages_follow_the_reply_language_not_the_browser(client: Client) -> None:
    patient = in_arabic(create_patient(plan_start=today() + timedelta(days=3)))
    token = family_token(patient.inquiry)
    for suffix in ("", "consent/", "plan/"):
        response = client.get(f"/family/{token}/{suffix}", HTTP_ACCEPT_LANGUAGE="ru")
        assert response["Content-Language"] == "ar", suffix
        assert '<html lang="ar" dir="rtl">' in response.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"  # chosen with the language menu
    for suffix in ("", "consent/", "plan/"):
        response = client.get(f"/family/{token}/{suffix}", HTTP_ACCEPT_LANGUAGE="ru")
        assert '<html lang="es" dir="ltr">' in response.content.decode(), suffix


def test_the_consent_document_is_the_one_in_the_family_language(client: Client) -> None:
    from cellclinic.care.consent import consent_document_in_force

    patient = in_arabic(create_patient(plan_start=today() + timedelta(days=3)))
    html = page(client, patient, "consent/")
    arabic_document = consent_document_in_force(program=patient.program, language="ar")
    assert arabic_document.title in html
    assert f'value="{arabic_document.uuid}"' in html


def test_a_name_keeps_its_own_direction_in_an_arabic_heading(client: Client) -> None:
    """A Latin name (here one with markup-like text) in the Arabic printable plan and consent
    page is isolated in <bdi>, so the right-to-left heading cannot scramble it."""
    patient = in_arabic(create_patient(plan_start=today() + timedelta(days=3)))
    Inquiry.objects.filter(pk=patient.inquiry_id).update(patient_name="<b>Yusuf</b>")
    token = family_token(patient.inquiry)
    html = client.get(f"/family/{token}/plan/").content.decode()
    heading = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert heading and "<bdi>&lt;b&gt;Yusuf&lt;/b&gt;</bdi>" in heading.group(1)
    from cellclinic.care.consent import consent_document_in_force

    document = consent_document_in_force(program=patient.program, language="ar")
    sign_consent(patient, language="ar")
    consent = client.get(f"/family/{token}/consent/?document={document.uuid}").content.decode()
    assert "<bdi>Maria Ivanova</bdi>" in consent


CLINIC = {
    "CLINIC_NAME": "Harbourside Clinic",
    "CLINIC_ADDRESS": "12 Example Quay, Port Fictional",
    "CLINIC_PHONE": "+44 20 7946 0123",
    "CLINIC_EMAIL": "contact@clinic.example",
}


def test_the_calendar_says_where_the_clinic_is_in_the_family_language(
    client: Client, settings
) -> None:
    for name, value in CLINIC.items():
        setattr(settings, name, value)
    patient = in_arabic(create_patient(plan_start=today() + timedelta(days=20)))
    response = client.get(f"/family/{family_token(patient.inquiry)}/plan.ics")
    calendar = Calendar.from_ical(response.content)
    name = str(calendar["X-WR-CALNAME"])
    assert "Harbourside Clinic" in name and patient.inquiry.reference in name
    with translation.override("ar"):
        ask = str(translation.gettext("To change or ask about a session, contact the clinic:"))
        plan_name = str(translation.gettext("Treatment plan %(reference)s"))
    assert ask != "To change or ask about a session, contact the clinic:"
    assert plan_name.split("%")[0].strip() in name  # the calendar's name in Arabic too
    events = calendar.walk("VEVENT")
    assert events
    for event in events:
        assert str(event["LOCATION"]) == "Harbourside Clinic, 12 Example Quay, Port Fictional"
        description = str(event["DESCRIPTION"])
        assert ask in description
        assert "+44 20 7946 0123" in description and "contact@clinic.example" in description


def test_the_staff_calendar_says_where_the_clinic_is(sign_in, settings) -> None:
    for name, value in CLINIC.items():
        setattr(settings, name, value)
    patient = create_patient(plan_start=today() + timedelta(days=20))
    response = sign_in("nurse").get(f"/staff/patients/{patient.uuid}/plan.ics")
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]).startswith("Harbourside Clinic")
    event = calendar.walk("VEVENT")[0]
    assert "12 Example Quay" in str(event["LOCATION"])
    assert "To change or ask about a session, contact the clinic:" in str(event["DESCRIPTION"])
