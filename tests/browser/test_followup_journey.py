"""Follow-up in a real browser: a family opens its 6-month link in Russian and submits its
report; the staff outcome report counts it, and the public program page says that fewer than
10 families have answered instead of showing one family's answer."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest

from cellclinic.accounts.services import staff_user_create
from cellclinic.care.tests.builders import (
    create_treated_patient,
    today,
)
from cellclinic.followup.links import followup_url
from cellclinic.followup.models import FollowUp
from cellclinic.inquiries.models import Inquiry
from cellclinic.outcomes.registry import registry_import
from conftest import totp_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def registry_of_stroke_patients(count: int) -> None:
    first = today() - timedelta(days=400)
    patients = [
        "patient_id,program,subtype,sex,birth_date,onset_date,first_treatment,last_treatment"
    ]
    assessments = ["patient_id,timepoint,date,instrument,item,value"]
    for n in range(count):
        pid = f"r{n:02d}"
        patients.append(
            f"{pid},stroke,ischemic,female,1955-01-01,{first - timedelta(days=100)},{first},{first + timedelta(days=18)}"
        )
        assessments.append(f"{pid},baseline,{first},mrs,,4")
        assessments.append(f"{pid},m6,{first + timedelta(days=200)},mrs,,{3 if n % 2 else 4}")
    result = registry_import(
        patients=io.StringIO("\n".join(patients) + "\n"),
        assessments=io.StringIO("\n".join(assessments) + "\n"),
    )
    assert result.ok, result.errors


def test_a_family_reports_at_six_months_in_russian(live_server, browser) -> None:
    registry_of_stroke_patients(12)
    patient = create_treated_patient(program="stroke", days_ago=200)
    # A Russian family: its pages follow the language it chose for replies.
    Inquiry.objects.filter(pk=patient.inquiry_id).update(reply_language="ru")
    m6 = FollowUp.objects.get(patient=patient, timepoint="m6")
    _a, secret = staff_user_create(username="ana", role="analyst", password="a-long-password-1")

    visitor = browser.new_context(locale="en-GB").new_page()
    visitor.set_default_timeout(10_000)
    visitor.goto(f"{live_server.url}/programs/stroke/")
    before_public = visitor.locator('tr[data-timepoint="m6"] td.family-reported').inner_text()
    assert before_public == "—"  # no family has answered at 6 months yet
    assert "13" in visitor.locator('tr[data-timepoint="m6"]').inner_text()  # 12 + our patient

    family = browser.new_context(locale="ru-RU").new_page()
    family.set_default_timeout(10_000)
    family.goto(followup_url(m6).replace("http://127.0.0.1:8000", live_server.url))
    assert family.locator("html").get_attribute("lang") == "ru"
    assert "6" in family.locator("h1").inner_text()
    family.check("input[name=domain-strength][value=improved]")
    family.check("input[name=domain-leg_movement][value=same]")
    family.click("#followup-form button[type=submit]")
    family.wait_for_selector("#followup-thanks")

    analyst = browser.new_context(locale="en-GB").new_page()
    analyst.set_default_timeout(10_000)
    analyst.goto(f"{live_server.url}/staff/outcomes/?program=stroke")
    analyst.fill("input[name=login]", "ana")
    analyst.fill("input[name=password]", "a-long-password-1")
    analyst.click("main form button[type=submit]")
    analyst.fill("input[name=code]", totp_now(secret))
    analyst.click("main form button[type=submit]")
    analyst.wait_for_url(re.compile(r".*/staff/.*"))
    analyst.goto(f"{live_server.url}/staff/outcomes/?program=stroke")
    row = analyst.locator("#family-table tr", has_text="6 months after").inner_text()
    assert re.search(r"6 months after · all\s+1\s+1\s+1", row), row  # one family answered, improved

    visitor.reload()
    after_public = visitor.locator('tr[data-timepoint="m6"] td.family-reported').inner_text()
    # One family's answer is not a public figure: it waits for 10 answers (docs/outcomes.md).
    assert after_public == "Fewer than 10 families answered: not shown yet."
