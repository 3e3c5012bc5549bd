"""The desk in a real browser: TOTP sign-in, queue, message, the family's answer, acceptance."""

from __future__ import annotations

import re

import pytest

from cellclinic.accounts.services import staff_user_create
from cellclinic.care.models import Patient
from cellclinic.core.models import OutboundEmail
from cellclinic.inquiries.models import Inquiry, Message
from cellclinic.inquiries.services import inquiry_submit
from cellclinic.programs.selectors import program_get
from cellclinic.screening.services import inquiry_screen
from conftest import build_answers, totp_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def totp(secret: str) -> str:
    return totp_now(secret)


def sign_in(browser, live_server, username: str, secret: str):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/staff/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", "a-long-password-1")
    page.click("main form button[type=submit]")
    page.fill("input[name=code]", totp(secret))
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/staff/inquiries/$"))  # the desk opens on the queue
    return page


def test_coordinator_family_and_physician_take_an_inquiry_to_accepted(live_server, browser) -> None:
    program = program_get(slug="stroke")
    assert program is not None
    inquiry, _ = inquiry_submit(
        program=program, answers=build_answers("stroke", contact__country="MX"), language="es"
    )
    inquiry_screen(inquiry=inquiry)
    _c, coordinator_secret = staff_user_create(
        username="carmen", role="coordinator", password="a-long-password-1"
    )
    _p, physician_secret = staff_user_create(
        username="pavel", role="physician", password="a-long-password-1"
    )

    desk = sign_in(browser, live_server, "carmen", coordinator_secret)
    desk.fill("#f-country-search", "mexi")  # the country list's search box picks Mexico
    assert desk.input_value("#f-country") == "MX"
    desk.click("form.filters button[type=submit]")
    desk.click(f"text={inquiry.reference}")
    assert "stroke.mrs" in desk.content()
    desk.select_option("#f-status", "contacted")
    desk.click("text=Change status")
    desk.fill("#f-message", "Could you send the latest MRI report?")
    desk.click("text=Send message")
    assert "Could you send the latest MRI report?" in desk.content()

    email = OutboundEmail.objects.get(kind="inquiry_message")
    link = re.search(r"https?://[^/\s]+(/family/\S+/)", email.body)
    assert link and email.language == inquiry.reply_language
    family = browser.new_context(locale="es-MX").new_page()
    family.set_default_timeout(10_000)
    family.goto(f"{live_server.url}{link.group(1)}")
    assert family.locator("html").get_attribute("lang") == "es"
    assert "Could you send the latest MRI report?" in family.content()
    family.fill("#f-body", "Adjunto el informe.")
    family.click("#reply-form button[type=submit]")
    assert Message.objects.filter(direction="in", body="Adjunto el informe.").exists()

    for status in ("screening", "consultation"):
        desk.select_option("#f-status", status)
        desk.click("text=Change status")
    physician = sign_in(browser, live_server, "pavel", physician_secret)
    physician.goto(f"{live_server.url}/staff/inquiries/{inquiry.reference}/")
    assert "Adjunto el informe." in physician.content()
    physician.fill("#f-accept-note", "Suitable for the program.")
    physician.click("text=Accept: make this a patient of the program")
    assert Patient.objects.filter(inquiry=inquiry).exists()
    assert Inquiry.objects.get(pk=inquiry.pk).status == "accepted"
