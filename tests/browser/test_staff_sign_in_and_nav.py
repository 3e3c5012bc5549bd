"""The staff desk in a real browser: the styled sign-in with TOTP, the navigation bar, sign-out.

axe-core (npm, installed by .ci/run) finds nothing on the sign-in, second-factor and queue
pages; at 390 px the page never scrolls sideways. With SHOTS_DIR set, screenshots of the
sign-in page and the queue at 390 and 1280 px, in English and Arabic, are written there.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from cellclinic.accounts.services import staff_user_create
from cellclinic.inquiries.services import inquiry_submit
from cellclinic.programs.selectors import program_get
from cellclinic.screening.services import inquiry_screen
from conftest import build_answers, totp_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = os.environ.get("SHOTS_DIR", "")
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is, each with the nodes it names."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate("async () => JSON.stringify((await axe.run(document)).violations)")
    return [
        {"id": v["id"], "nodes": [n["html"][:200] for n in v["nodes"]]} for v in json.loads(result)
    ]


def fits(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def axe_ready() -> None:
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm install axe-core, as .ci/run does)")


def test_a_coordinator_signs_in_with_totp_sees_the_desk_and_signs_out(
    live_server, browser, axe_ready
) -> None:
    program = program_get(slug="stroke")
    assert program is not None
    inquiry, _ = inquiry_submit(program=program, answers=build_answers("stroke"), language="es")
    inquiry_screen(inquiry=inquiry)
    _user, secret = staff_user_create(
        username="carmen", role="coordinator", password="a-long-password-1"
    )
    context = browser.new_context(locale="en-GB", viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)

    page.goto(f"{live_server.url}/staff/")  # signed out: the sign-in page
    assert page.locator("h1").inner_text() == "Staff sign-in"
    assert "Sign Up" not in page.content() and "/accounts/signup/" not in page.content()
    assert axe_violations(page) == []
    assert fits(page)
    shot(page, "signin-390")

    page.fill("input[name=login]", "carmen")
    page.fill("input[name=password]", "a-long-password-1")
    page.click("main form button[type=submit]")
    page.wait_for_selector("input[name=code]")
    assert axe_violations(page) == []
    assert fits(page)
    page.fill("input[name=code]", totp_now(secret))
    page.click("main form button[type=submit]:not([form])")
    page.wait_for_url(re.compile(r".*/staff/inquiries/$"))

    nav = page.locator("nav.staff-nav")
    assert nav.is_visible()
    assert nav.locator("a[aria-current=page]").inner_text() == "Queue"
    assert nav.locator("a").all_inner_texts() == [
        "Queue",
        "Waiting for me (0)",
        "Contact messages",
        "Patients",
        "Follow-up",
        "Outcomes",
        "API tokens",
        "My settings",
    ]
    assert "carmen" in nav.inner_text()
    assert axe_violations(page) == []
    assert page.evaluate(
        "(() => { const n = document.querySelector('nav.staff-nav');"
        " return n.scrollWidth <= n.clientWidth && n.getBoundingClientRect().right <= innerWidth; })()"
    ), "the navigation bar is wider than the phone"
    shot(page, "queue-390")
    page.click("nav.staff-nav >> text=Patients")
    page.wait_for_url(re.compile(r".*/staff/patients/$"))
    assert nav.locator("a[aria-current=page]").inner_text() == "Patients"
    assert axe_violations(page) == []
    assert fits(page)  # a wide table scrolls inside its own box, never the page
    page.click("nav.staff-nav >> text=API tokens")
    page.wait_for_url(re.compile(r".*/staff/tokens/$"))
    assert fits(page)

    for url in ("/accounts/2fa/", "/accounts/2fa/recovery-codes/"):  # settings, reauthentication
        page.goto(f"{live_server.url}{url}")
        assert page.locator("nav.staff-nav").count() <= 1
        assert axe_violations(page) == [], url
        assert fits(page), url

    page.set_viewport_size(DESK)
    page.goto(f"{live_server.url}/staff/inquiries/")
    assert fits(page)
    shot(page, "queue-1280")

    context.add_cookies([{"name": "django_language", "value": "ar", "url": live_server.url}])
    page.goto(f"{live_server.url}/staff/inquiries/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert axe_violations(page) == []
    shot(page, "queue-ar-1280")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/staff/tokens/")
    assert fits(page)
    page.goto(f"{live_server.url}/staff/inquiries/")
    assert fits(page), "the queue is wider than the phone"
    shot(page, "queue-ar-390")

    page.click("nav.staff-nav button[type=submit]")  # تسجيل الخروج: sign out
    page.wait_for_url(re.compile(r".*/accounts/login/$"))
    assert page.locator("p.notice").count() == 1  # "you have signed out", in Arabic
    assert axe_violations(page) == []
    assert fits(page)
    shot(page, "signin-ar-390")
    page.set_viewport_size(DESK)
    shot(page, "signin-ar-1280")
    page.goto(f"{live_server.url}/staff/inquiries/")
    assert "/accounts/login/" in page.url
    page.goto(f"{live_server.url}/accounts/password/reset/")
    assert axe_violations(page) == []
    assert page.goto(f"{live_server.url}/accounts/signup/").status == 404
    context.close()
