"""The public cerebral palsy page in Arabic on a phone shows the flow of patients (diagram
and table) and the harms, right to left, with no sideways scroll, and axe-core finds
nothing on it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from cellclinic.outcomes.tests.flow_data import EventSpec, InquirySpec, build
from cellclinic.outcomes.tests.test_public_figures_disclosure import load
from cellclinic.programs.selectors import program_get
from tests.browser.test_staff_sign_in_and_nav import AXE, axe_violations, fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SHOTS_DIR", "")


def test_the_cerebral_palsy_page_in_arabic_shows_flow_and_harms(live_server, browser) -> None:
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm install axe-core, as .ci/run does)")
    headache = EventSpec(False, "unlikely", "probable", "", "treated")
    program = program_get(slug="cerebral-palsy")
    assert program is not None
    build(
        program,
        [InquirySpec("eligible_for_consultation", "accepted", True, 2, (headache,))] * 12
        + [InquirySpec("eligible_for_consultation", "accepted", True, 1)] * 14
        + [InquirySpec("not_eligible", "declined_early")] * 11
        + [InquirySpec("specialist_review", "withdrawn_early")] * 3,
    )
    load({"spastic": (26, 20, 12, 10)})
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    base = live_server.url
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": base}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base}/programs/cerebral-palsy/")
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl")
    diagram = page.locator("#flow svg.flow-diagram")
    assert diagram.count() == 1 and diagram.get_attribute("role") == "img"
    assert "الاستفسارات الواردة" in (diagram.text_content() or "")
    page.locator("#flow details summary").click()
    received = page.locator('#public-flow-table tr[data-box="received"] td').inner_text()
    assert received == "40"
    withdrawn = page.locator('#public-flow-table tr[data-box="withdrawn"] td').inner_text()
    assert withdrawn == "أقل من 10"
    harms = page.locator("#harms-table").inner_text()
    assert "12 من 26 مريض" in harms  # any adverse event: 12 of 26 patients
    assert "هذا البرنامج غير مسجّل كتجربة سريرية." in page.locator("#registration").inner_text()
    assert fits(page)
    assert axe_violations(page) == []
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / "flow-harms-ar-390.png"), full_page=True)
    context.close()
