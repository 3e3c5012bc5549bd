"""On a phone, a family form with an error lands on its error summary: in view, focused,
and nothing is recorded. Screenshots of each case go to /tmp/shots/ for a person to look."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

import pytest

from cellclinic.care.models import ConsentSignature
from cellclinic.care.tests.builders import create_patient, today
from cellclinic.inquiries.family import family_token
from cellclinic.inquiries.models import Inquiry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
SHOTS = Path(tempfile.gettempdir()) / "shots"  # /tmp/shots: where the team looks


def phone(browser, locale: str):
    page = browser.new_context(locale=locale, viewport=PHONE).new_page()
    page.set_default_timeout(10_000)
    return page


def assert_lands_on_summary(page) -> None:
    """The focused element is the summary, and its top is inside the viewport."""
    page.wait_for_function("document.activeElement && document.activeElement.id")
    focused = page.evaluate(
        """() => {
          const el = document.activeElement;
          const top = el.getBoundingClientRect().top;
          return {id: el.id, top: top, height: window.innerHeight};
        }"""
    )
    assert focused["id"] == "error-summary", focused
    assert 0 <= focused["top"] < focused["height"], focused


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"familyforms-{name}.png"))


@pytest.mark.parametrize("locale", ["ar", "zh-CN"])
def test_an_unfinished_consent_lands_on_its_errors(live_server, browser, locale: str) -> None:
    patient = create_patient(plan_start=today() + timedelta(days=3))
    page = phone(browser, locale)
    page.goto(f"{live_server.url}/family/{family_token(patient.inquiry)}/consent/")
    # The inquiry said "parent": the signer is chosen already; the family unchooses it.
    assert page.input_value("#f-signer-role") == "parent"
    page.select_option("#f-signer-role", "")
    page.click("#consent-form button[type=submit]")
    page.wait_for_selector("#error-summary")
    assert_lands_on_summary(page)
    assert page.locator('#error-summary a[href="#f-signer-role"]').count() == 1
    assert page.locator('#error-summary a[href="#f-statement-1"]').count() == 1
    assert page.locator("#f-signer-role").get_attribute("aria-invalid") == "true"
    assert not ConsentSignature.objects.exists()
    shoot(page, f"consent-error-{locale}")
    page.click('#error-summary a[href="#f-signer-role"]')
    assert page.evaluate("document.activeElement.id") == "f-signer-role"


@pytest.mark.parametrize("locale", ["ar", "zh-CN"])
def test_an_inquiry_with_errors_lands_on_them(live_server, browser, locale: str) -> None:
    page = phone(browser, locale)
    page.goto(f"{live_server.url}/programs/cerebral-palsy/inquire/")
    page.fill("#f-contact-email", "not-an-address")
    page.click("#inquiry-form button[type=submit]")
    page.wait_for_selector("#error-summary")
    assert_lands_on_summary(page)
    assert page.locator('#error-summary a[href="#f-contact-email"]').count() == 1
    assert Inquiry.objects.count() == 0
    shoot(page, f"inquiry-error-{locale}")
