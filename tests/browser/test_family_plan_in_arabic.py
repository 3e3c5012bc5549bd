"""An accepted family opens its link in Arabic on a phone and on a desktop: it sees its
plan's dates, what to bring, its consent to sign and its messages, right to left, with no
sideways scroll, and axe-core finds nothing; the printable plan reads the same."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format

from cellclinic.care.tests.builders import create_patient, today
from cellclinic.inquiries.family import family_url
from cellclinic.inquiries.models import Inquiry
from tests.browser.test_staff_sign_in_and_nav import AXE, axe_violations, fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SHOTS_DIR", "")
SIZES = [(390, 844), (1280, 900)]


@pytest.fixture
def axe_ready() -> None:
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm install axe-core, as .ci/run does)")


def test_an_accepted_family_sees_its_plan_in_arabic(live_server, browser, axe_ready) -> None:
    start = today() + timedelta(days=21)
    patient = create_patient(plan_start=start)
    Inquiry.objects.filter(pk=patient.inquiry_id).update(reply_language="ar")
    link = family_url(Inquiry.objects.get(pk=patient.inquiry_id)).replace(
        settings.SITE_URL, live_server.url
    )
    with translation.override("ar"):
        first = date_format(start, "DATE_FORMAT")
        last = date_format(start + timedelta(days=18), "DATE_FORMAT")
    # No language cookie and an English browser: the family's reply language decides.
    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        for suffix in ("", "plan/"):
            page.goto(link + suffix)
            html = page.locator("html")
            assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl")
            main = page.locator("main").inner_text()
            assert first in main and last in main, suffix
            assert page.locator(".plan-day").count() >= 4
            assert fits(page), (suffix, width)
            assert axe_violations(page) == [], (suffix, width)
            if SHOTS:
                Path(SHOTS).mkdir(parents=True, exist_ok=True)
                name = f"family-plan{'-print' if suffix else ''}-ar-{width}.png"
                page.screenshot(path=str(Path(SHOTS) / name), full_page=True)
                if not suffix:  # the plan's part alone, readable at full size
                    page.locator("#treatment").screenshot(path=str(Path(SHOTS) / f"part-{name}"))
        page.goto(link)
        page.locator("details.plan-all summary").click()  # every session, opened
        assert page.locator("details.plan-all .plan-day").first.is_visible()
        assert fits(page) and axe_violations(page) == []
        assert page.locator("#consent-to-sign a").get_attribute("href").endswith("/consent/")
    context.close()
