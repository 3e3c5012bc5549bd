"""The e-mail digest: only to those who switched it on, in their language, only when the
family wrote since the last one, with references and links and no patient detail."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from cellclinic.accounts.models import StaffPreference
from cellclinic.accounts.services import staff_preference_set, staff_user_create
from cellclinic.core.models import OutboundEmail
from cellclinic.inquiries.digest import KIND, digests_send
from cellclinic.inquiries.models import Inquiry
from cellclinic.inquiries.services import family_reply, inquiry_assign, inquiry_submit
from cellclinic.programs.selectors import program_get
from conftest import build_answers

pytestmark = pytest.mark.django_db


def coordinator(name: str, email: str = "") -> User:
    return staff_user_create(
        username=name, role="coordinator", password="a-long-password-1", email=email
    )[0]


def assigned_with_reply(to: User, body: str = "The MRI shows a lesion.") -> Inquiry:
    program = program_get(slug="stroke")
    assert program is not None
    inquiry, _ = inquiry_submit(program=program, answers=build_answers("stroke"), language="en")
    inquiry_assign(inquiry=inquiry, assignee=to, by=to)
    family_reply(inquiry=inquiry, body=body, uploads=[])
    return inquiry


def digests() -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(kind=KIND).order_by("pk"))


def test_it_goes_only_to_those_who_switched_it_on() -> None:
    on, off = coordinator("on", "on@clinic.test"), coordinator("off", "off@clinic.test")
    staff_preference_set(user=on, digest=True, language="en")
    staff_preference_set(user=off, digest=False, language="en")
    mine = assigned_with_reply(on)
    assigned_with_reply(off)
    assert digests_send() == 1
    [email] = digests()
    assert email.to == "on@clinic.test"
    assert mine.reference in email.body and f"/staff/inquiries/{mine.reference}/" in email.body


def test_it_holds_no_patient_detail() -> None:
    user = coordinator("carmen", "carmen@clinic.test")
    staff_preference_set(user=user, digest=True, language="en")
    inquiry = assigned_with_reply(user, body="Seizures got worse last week.")
    digests_send()
    [email] = digests()
    text = email.subject + email.body
    for detail in (inquiry.patient_name, inquiry.contact_name, inquiry.contact_email, "Seizures"):
        assert detail not in text


def test_it_is_in_the_staff_members_language() -> None:
    user = coordinator("irina", "irina@clinic.test")
    staff_preference_set(user=user, digest=True, language="ru")
    assigned_with_reply(user)
    digests_send()
    [email] = digests()
    assert email.language == "ru"
    assert "waiting for you" not in email.subject and "assigned to you" not in email.body


def test_it_is_not_repeated_until_the_family_writes_again() -> None:
    user = coordinator("carmen", "carmen@clinic.test")
    staff_preference_set(user=user, digest=True, language="en")
    inquiry = assigned_with_reply(user)
    assert digests_send() == 1
    assert digests_send() == 0
    with time_machine.travel(timezone.now() + timedelta(days=1), tick=False):
        assert digests_send() == 0  # still unread, but nothing new
        family_reply(inquiry=inquiry, body="One more thing", uploads=[])
        assert digests_send() == 1
    assert len(digests()) == 2


def test_nothing_unread_or_no_address_sends_nothing() -> None:
    quiet = coordinator("quiet", "quiet@clinic.test")
    staff_preference_set(user=quiet, digest=True, language="en")
    nomail = coordinator("nomail")
    staff_preference_set(user=nomail, digest=True, language="en")
    assigned_with_reply(nomail)
    assert digests_send() == 0 and digests() == []


def test_the_command_queues_them(run_tasks) -> None:
    user = coordinator("carmen", "carmen@clinic.test")
    staff_preference_set(user=user, digest=True, language="es")
    assigned_with_reply(user)
    out = StringIO()
    call_command("digest", stdout=out)
    assert "queued 1 digest" in out.getvalue()
    assert len(digests()) == 1


def test_the_settings_page_switches_it_on_in_a_language(sign_in) -> None:
    desk: Client = sign_in("coordinator")
    page = desk.get("/staff/settings/")
    assert page.status_code == 200 and 'name="digest"' in page.content.decode()
    response = desk.post("/staff/settings/", {"digest": "on", "language": "ar"})
    assert response.status_code == 302
    preference = StaffPreference.objects.get(user__username="coordinator1")
    assert preference.digest and preference.language == "ar"
    desk.post("/staff/settings/", {"language": "ar"})
    assert not StaffPreference.objects.get(pk=preference.pk).digest


def test_the_settings_page_names_a_bad_language(sign_in) -> None:
    desk: Client = sign_in("nurse")
    response = desk.post("/staff/settings/", {"digest": "on", "language": "xx"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_language"' in html and "Choose one of the languages offered." in html
    assert not StaffPreference.objects.exists()
