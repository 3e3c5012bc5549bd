"""Care in a real browser: a physician builds the plan, the guardian signs the consent
through the family link, a nurse records a procedure and an adverse event."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from cellclinic.accounts.services import staff_user_create
from cellclinic.care.models import AdverseEvent, ConsentSignature, Patient, Procedure
from cellclinic.care.services import inquiry_accept
from cellclinic.core.models import OutboundEmail
from cellclinic.inquiries.models import Inquiry
from cellclinic.inquiries.services import inquiry_submit
from cellclinic.programs.selectors import program_get
from conftest import build_answers, totp_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(browser, live_server, username: str, secret: str):
    page = browser.new_context(locale="en-GB").new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/staff/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", "a-long-password-1")
    page.click("main form button[type=submit]")
    page.fill("input[name=code]", totp_now(secret))
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/staff/.*"))
    return page


def test_plan_consent_procedure_and_adverse_event(live_server, browser) -> None:
    program = program_get(slug="cerebral-palsy")
    assert program is not None
    inquiry, _ = inquiry_submit(program=program, answers=build_answers(), language="ru")
    Inquiry.objects.filter(pk=inquiry.pk).update(status="consultation")
    inquiry.refresh_from_db()
    doctor, doctor_secret = staff_user_create(
        username="pavel", role="physician", password="a-long-password-1"
    )
    _n, nurse_secret = staff_user_create(
        username="nadia", role="nurse", password="a-long-password-1"
    )
    patient = inquiry_accept(inquiry=inquiry, physician=doctor, note="Suitable.")
    yesterday = timezone.localdate() - timedelta(days=1)

    # the physician builds the plan from the template and asks the family to sign
    physician = sign_in(browser, live_server, "pavel", doctor_secret)
    physician.goto(f"{live_server.url}/staff/patients/{patient.uuid}/")
    assert "No signed consent" in physician.content()
    physician.click("text=The plan")
    physician.fill("#f-start", str(yesterday))
    physician.click("text=Make the plan from the program's template")
    assert physician.locator("table.queue tbody tr").count() > 8
    physician.goto(f"{live_server.url}/staff/patients/{patient.uuid}/")
    assert "Scheduled" in physician.locator("#patient-status").inner_text()
    physician.click("#request-consent")
    email = OutboundEmail.objects.filter(kind="inquiry_message").latest("created_at")
    link = re.search(r"https?://[^/\s]+(/family/\S+/)", email.body)
    assert link and email.language == "ru"

    # the guardian reads and signs in Russian through the family's link
    family = browser.new_context(locale="ru-RU").new_page()
    family.set_default_timeout(10_000)
    family.goto(f"{live_server.url}{link.group(1)}")
    family.click("#consent-to-sign a")
    assert family.locator("html").get_attribute("lang") == "ru"
    boxes = family.locator("input[type=checkbox][name^=statement-]")
    count = boxes.count()
    assert count >= 8
    for index in range(count - 1):
        boxes.nth(index).check()
    family.select_option("#f-signer-role", "parent")
    family.fill("#f-signer-name", "Мария Иванова")
    family.click("#consent-form button[type=submit]")
    assert family.locator(f"#f-statement-{count}-error").is_visible()  # one left unticked
    assert not ConsentSignature.objects.exists()
    family.locator(f"input[name=statement-{count}]").check()
    family.click("#consent-form button[type=submit]")
    family.wait_for_selector("p.notice[role=status]")
    signature = ConsentSignature.objects.get()
    assert signature.signer_name == "Мария Иванова" and signature.document.language == "ru"

    # the nurse records a procedure and an adverse event
    nurse = sign_in(browser, live_server, "nadia", nurse_secret)
    nurse.goto(f"{live_server.url}/staff/patients/")
    nurse.click(f"text={inquiry.patient_name}")
    nurse.click("text=Record a procedure")
    nurse.fill("#f-performed_at", f"{yesterday} 09:10")
    nurse.select_option("#f-route", "lumbar_puncture")
    nurse.fill("#f-cell_type", "umbilical cord mesenchymal stromal cells")
    nurse.fill("#f-dose", "0")
    nurse.select_option("#f-dose_unit", "million_cells")
    nurse.select_option("#f-operator", "pavel")
    nurse.click("#record-form button[type=submit]")
    assert nurse.locator("#f-dose-error").is_visible() and not Procedure.objects.exists()
    nurse.fill("#f-dose", "30")
    nurse.click("#record-form button[type=submit]")
    nurse.wait_for_url(re.compile(rf".*/staff/patients/{patient.uuid}/$"))
    assert "In treatment" in nurse.locator("#patient-status").inner_text()
    procedure = Procedure.objects.get()

    nurse.click("text=Record an adverse event")
    nurse.select_option("#f-procedure", str(procedure.uuid))
    nurse.fill("#f-description", "Fever and vomiting the night after the puncture")
    nurse.select_option("#f-category", "general")
    nurse.select_option("#f-grade", "3")
    nurse.check("input[name=serious][value=yes]")
    nurse.check("input[name=seriousness][value=hospitalisation]")
    nurse.select_option("#f-relation_cells", "possible")
    nurse.select_option("#f-relation_lumbar_puncture", "probable")
    nurse.select_option("#f-action", "treated")
    nurse.select_option("#f-outcome", "recovering")
    nurse.fill("#f-onset_date", str(timezone.localdate()))
    nurse.click("#record-form button[type=submit]")
    nurse.wait_for_url(re.compile(rf".*/staff/patients/{patient.uuid}/$"))
    assert "medical director" in nurse.content()
    event = AdverseEvent.objects.get()
    assert event.serious and event.procedure == procedure and event.grade == 3
    assert OutboundEmail.objects.filter(kind="serious_adverse_event").count() == 1
    assert Patient.objects.get(pk=patient.pk).status == "in_treatment"
