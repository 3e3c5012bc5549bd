""" "Contact us" in a real browser: in Arabic on a phone, a first try with an error lands on
the summary with focus, the second is sent; the desk's list on a desktop. axe-core finds
nothing, and the phone never scrolls sideways. With SHOTS_DIR set, screenshots go there."""

from __future__ import annotations

import re

import pytest

from cellclinic.accounts.services import staff_user_create
from cellclinic.contact.models import ContactMessage
from conftest import totp_now
from tests.browser.test_staff_sign_in_and_nav import DESK, PHONE, axe_violations, fits, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def axe_ready() -> None:
    from tests.browser.test_staff_sign_in_and_nav import AXE

    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm install axe-core, as .ci/run does)")


def test_a_message_sent_in_arabic_on_a_phone(live_server, browser, axe_ready) -> None:
    context = browser.new_context(locale="ar", viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/")
    page.click("footer.site a[href='/contact/']")
    page.wait_for_url(re.compile(r".*/contact/$"))
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.input_value("#f-language") == "ar"  # the page's language
    assert axe_violations(page) == []
    assert fits(page)
    shot(page, "contact-ar-390")

    page.fill("#f-name", "ليلى حسن")
    page.fill("#f-email", "layla@example")
    page.fill("#f-message", "هل تعالجون البالغين بعد السكتة الدماغية؟")
    page.click("#contact-form button[type=submit]")
    page.wait_for_selector("#error-summary")
    page.wait_for_function("document.activeElement && document.activeElement.id")
    focused = page.evaluate(
        "(() => { const e = document.activeElement;"
        " return {id: e.id, top: e.getBoundingClientRect().top, h: innerHeight}; })()"
    )
    assert focused["id"] == "error-summary" and 0 <= focused["top"] < focused["h"], focused
    assert page.locator('#error-summary a[href="#f-email"]').count() == 1
    assert page.locator("#f-email").get_attribute("aria-invalid") == "true"
    assert page.input_value("#f-message") == "هل تعالجون البالغين بعد السكتة الدماغية؟"
    assert not ContactMessage.objects.exists()
    assert axe_violations(page) == []
    assert fits(page)
    shot(page, "contact-ar-error-390")
    page.click('#error-summary a[href="#f-email"]')
    assert page.evaluate("document.activeElement.id") == "f-email"

    page.fill("#f-email", "layla@example.org")
    with page.expect_navigation(url=re.compile(r".*/contact/sent/$")):
        page.click("#contact-form button[type=submit]")
    message = ContactMessage.objects.get()
    assert (message.language, message.email) == ("ar", "layla@example.org")
    assert page.locator("h1").inner_text() == "شكرًا لك: لقد استلمنا رسالتك"
    assert axe_violations(page) == []
    assert fits(page)
    shot(page, "contact-ar-sent-390")
    context.close()


def test_the_desk_list_on_a_desktop(live_server, browser, axe_ready) -> None:
    from cellclinic.contact.services import contact_submit

    for name, language, body in [
        ("ليلى حسن", "ar", "هل تعالجون البالغين؟"),
        ("王芳", "zh-hans", "请问费用是多少？"),
        ("Carlos Ruiz", "es", "¿Cuánto dura la estancia?"),
    ]:
        contact_submit(
            name=name, email="x@example.org", language=language, body=body, page_language=language
        )
    _user, secret = staff_user_create(
        username="carmen", role="coordinator", password="a-long-password-1"
    )
    context = browser.new_context(locale="en-GB", viewport=DESK, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/staff/contact/")
    page.fill("input[name=login]", "carmen")
    page.fill("input[name=password]", "a-long-password-1")
    page.click("main form button[type=submit]")
    page.wait_for_selector("input[name=code]")
    page.fill("input[name=code]", totp_now(secret))
    page.click("main form button[type=submit]:not([form])")
    page.wait_for_url(re.compile(r".*/staff/contact/$"))
    assert page.locator("nav.staff-nav a[aria-current=page]").inner_text() == "Contact messages"
    assert page.locator("table.queue tbody tr").count() == 3
    assert axe_violations(page) == []
    assert fits(page)
    shot(page, "contact-desk-1280")
    page.click("table.queue tbody tr:first-child a")
    page.wait_for_selector("#f-reply-body")
    assert axe_violations(page) == []
    shot(page, "contact-desk-message-1280")
    page.set_viewport_size(PHONE)
    assert fits(page)
    context.close()
