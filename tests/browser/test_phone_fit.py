"""Every public and family page fits a 390 px phone and a desktop in all five languages,
shows the clinic's name and how to reach it, and axe-core finds nothing on it."""

from __future__ import annotations

import io
import os
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from cellclinic.care.models import Patient
from cellclinic.care.tests.builders import (
    create_patient,
    record_every_administration,
    sign_consent,
    today,
)
from cellclinic.core.clinic import clinic
from cellclinic.followup.links import followup_url
from cellclinic.followup.models import FollowUp
from cellclinic.inquiries.family import family_url
from cellclinic.inquiries.models import Inquiry
from tests.browser import test_followup_journey as journey
from tests.browser import test_inquiry_in_chinese_and_arabic as chinese_arabic
from tests.browser.test_staff_sign_in_and_nav import AXE, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["en", "es", "ru", "zh-hans", "ar"]
SIZES = [(390, 844), (1280, 900)]
SHOTS = Path(os.environ.get("SHOTS_DIR", Path(tempfile.gettempdir()) / "shots"))
# Looked at by a person before a release (SHOTS_DIR): the family's pages on a phone.
SHOT = {
    "programs/cerebral-palsy",
    "inquiry form",
    "family link",
    "family consent",
    "family link, accepted",
    "family plan",
    "follow-up",
    "contact us",
}


def treated_patients_followup() -> FollowUp:
    """A stroke patient whose four administrations are done: follow-up is due at 1 month."""
    start = today() - timedelta(days=60)
    patient = create_patient(program="stroke", plan_start=start)
    sign_consent(patient)
    record_every_administration(patient=patient, start=start, operator="demo-physician")
    return FollowUp.objects.filter(patient=patient).order_by("due_date").first()


def pages(base: str) -> dict[str, str]:
    """Each public and family page, filled with the demo's data."""
    call_command("demo", stdout=io.StringIO(), stderr=io.StringIO())
    journey.registry_of_stroke_patients(12)  # a results table with figures in it
    unsigned = Patient.objects.exclude(consents__isnull=False).get()
    followup = treated_patients_followup()

    def local(url: str) -> str:
        return url.replace(settings.SITE_URL, base)

    return {
        "home": f"{base}/",
        "programs/cerebral-palsy": f"{base}/programs/cerebral-palsy/",
        "programs/stroke": f"{base}/programs/stroke/",
        "inquiry form": f"{base}/programs/cerebral-palsy/inquire/",
        "inquiry sent": f"{base}/programs/cerebral-palsy/inquire/sent/",
        "family link": local(family_url(Inquiry.objects.order_by("created_at").first())),
        "family consent": local(family_url(unsigned.inquiry)) + "consent/",
        "family link, accepted": local(family_url(unsigned.inquiry)),
        "family plan": local(family_url(unsigned.inquiry)) + "plan/",
        "follow-up": local(followup_url(followup)),
        "contact us": f"{base}/contact/",
        "not found": f"{base}/no-such-page/",
        "broken family link": f"{base}/family/not-a-token/",
        "broken follow-up link": f"{base}/followup/not-a-token/",
    }


def send_an_inquiry(page, base: str) -> None:
    """The sent page shows only after a send, in the same session."""
    page.goto(f"{base}/programs/cerebral-palsy/inquire/")
    chinese_arabic.fill_form(page, email="wang.fang@example.net")
    with page.expect_navigation():
        page.click("#inquiry-form button[type=submit]")
    assert page.url.endswith("/inquire/sent/")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_fits_a_phone_and_shows_the_clinic(live_server, browser, language) -> None:
    base = live_server.url
    urls = pages(base)
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm install axe-core, as .ci/run does)")
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    send_an_inquiry(page, base)
    too_wide, inaccessible = [], []
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        for name, url in urls.items():
            page.goto(url)
            assert page.locator("html").get_attribute("lang") == language, name
            scroll, inner = page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            if scroll > inner:
                too_wide.append(f"{name} at {width}: {scroll} px")
            inaccessible += [(name, width, v) for v in axe_violations(page)]
            footer = page.locator("footer.site address")
            assert settings.CLINIC_NAME in footer.inner_text(), name
            assert settings.CLINIC_ADDRESS in footer.inner_text(), name
            phone = footer.locator("a.clinic-phone")
            assert phone.inner_text() == settings.CLINIC_PHONE, name
            assert phone.get_attribute("href") == clinic().phone_link, name
            assert settings.CLINIC_NAME in page.locator("header.site .brand").inner_text(), name
            if name.startswith("broken"):  # the page itself says how to reach the clinic
                assert page.locator("main a.clinic-phone").count() == 1, name
            if width == 390 and name in SHOT and language in {"ar", "zh-hans"}:
                SHOTS.mkdir(exist_ok=True)
                slug = name.replace("/", "-").replace(" ", "-").replace(",", "")
                page.screenshot(path=str(SHOTS / f"{slug}-{language}-390.png"), full_page=True)
    assert too_wide == []
    assert inaccessible == []
    context.close()
