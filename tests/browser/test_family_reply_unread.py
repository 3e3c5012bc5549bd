"""A family's reply reaches the coordinator it is assigned to: in a real browser, the family
answers on its link; the assignee sees it unread in the queue ("Family replied", and in
"Waiting for me" with its count), opens it, and the marker is gone. axe-core finds nothing on
the queue and the inquiry page at 390x844 and 1280x900."""

from __future__ import annotations

import re

import pytest

from cellclinic.accounts.services import staff_user_create
from cellclinic.inquiries.family import family_token
from cellclinic.inquiries.models import Inquiry
from cellclinic.inquiries.services import inquiry_assign, inquiry_submit
from cellclinic.programs.selectors import program_get
from cellclinic.screening.services import inquiry_screen
from conftest import build_answers, totp_now
from tests.browser.test_staff_sign_in_and_nav import AXE, DESK, PHONE, axe_violations, fits, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def axe_ready() -> None:
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm install axe-core, as .ci/run does)")


def test_a_family_reply_is_unread_for_the_assignee_until_opened(
    live_server, browser, axe_ready
) -> None:
    program = program_get(slug="cerebral-palsy")
    assert program is not None
    inquiry, _ = inquiry_submit(
        program=program,
        answers=build_answers("cerebral-palsy", contact__country="SA", contact__language="ar"),
        language="ar",
    )
    inquiry_screen(inquiry=inquiry)
    carmen, secret = staff_user_create(
        username="carmen", role="coordinator", password="a-long-password-1"
    )
    inquiry_assign(inquiry=inquiry, assignee=carmen, by=carmen)

    family = browser.new_context(locale="ar-SA", viewport=PHONE).new_page()
    family.set_default_timeout(10_000)
    family.goto(f"{live_server.url}/family/{family_token(inquiry)}/")
    family.fill("#f-body", "أرسلت تقرير الرنين المغناطيسي.")
    family.click("#reply-form button[type=submit]")
    family.wait_for_load_state()
    assert Inquiry.objects.get(pk=inquiry.pk).is_unread

    context = browser.new_context(locale="en-GB", viewport=PHONE, bypass_csp=True)
    desk = context.new_page()
    desk.set_default_timeout(10_000)
    desk.goto(f"{live_server.url}/staff/")
    desk.fill("input[name=login]", "carmen")
    desk.fill("input[name=password]", "a-long-password-1")
    desk.click("main form button[type=submit]")
    desk.fill("input[name=code]", totp_now(secret))
    desk.click("main form button[type=submit]:not([form])")
    desk.wait_for_url(re.compile(r".*/staff/inquiries/$"))

    row = desk.locator("table.queue tbody tr", has_text=inquiry.reference)
    assert "Family replied" in row.inner_text()
    assert "Saudi Arabia" in row.inner_text() and "Cerebral palsy" in row.inner_text()
    waiting = desk.locator("nav.staff-nav a", has_text="Waiting for me")
    assert waiting.inner_text() == "Waiting for me (1)"
    assert axe_violations(desk) == []
    assert fits(desk)
    shot(desk, "unread-queue-390")

    waiting.click()
    desk.wait_for_url(re.compile(r".*/staff/inquiries/\?waiting=me$"))
    assert desk.locator("table.queue tbody tr").all_inner_texts()[0].startswith(inquiry.reference)
    desk.set_viewport_size(DESK)
    assert axe_violations(desk) == []
    assert fits(desk)
    shot(desk, "unread-waiting-1280")

    desk.click(f"table.queue >> text={inquiry.reference}")
    desk.wait_for_url(re.compile(rf".*/staff/inquiries/{inquiry.reference}/$"))
    notice = desk.locator("p.unread-notice")
    assert "Family replied" in notice.inner_text()
    assert "Marked as read now that you opened it." in notice.inner_text()
    assert "أرسلت تقرير الرنين المغناطيسي." in desk.content()
    assert axe_violations(desk) == []
    assert fits(desk)
    shot(desk, "unread-inquiry-1280")
    desk.set_viewport_size(PHONE)
    desk.reload()
    assert desk.locator("p.unread-notice").count() == 0  # read now
    assert axe_violations(desk) == []
    assert fits(desk)
    shot(desk, "read-inquiry-390")

    desk.goto(f"{live_server.url}/staff/inquiries/")
    row = desk.locator("table.queue tbody tr", has_text=inquiry.reference)
    assert "Family replied" not in row.inner_text()
    assert desk.locator("nav.staff-nav a", has_text="Waiting for me").inner_text() == (
        "Waiting for me (0)"
    )
