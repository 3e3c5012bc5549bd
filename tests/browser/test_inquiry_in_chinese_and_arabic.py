"""A family fills the inquiry form in a real browser, in Chinese and in Arabic."""

from __future__ import annotations

import re

import pytest

from cellclinic.inquiries.models import Inquiry
from cellclinic.programs.selectors import program_get

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_form(page, email: str) -> None:
    page.fill("#f-contact-name", "王芳")
    page.fill("#f-contact-email", email)
    page.select_option("#f-contact-country", "CN")
    page.fill("#f-patient-name", "李伟")
    page.fill("#f-patient-birth-date", "2019-05-04")
    page.check('input[name="cp.diagnosis"][value="confirmed"]')
    page.check('input[name="cp.goals"][value="motor"]')
    page.check("#f-consent-data-processing")


def submit_as_family(
    live_server, browser, *, locale: str, switch_to: str | None
) -> tuple[object, str]:
    context = browser.new_context(locale=locale)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/programs/cerebral-palsy/")
    if switch_to:
        with page.expect_navigation():  # one button per language: nothing changes before
            page.click(f'form.language button[value="{switch_to}"]')
    expected = program_get(slug="cerebral-palsy").definition.name.get(switch_to or "zh-hans")
    assert page.locator("h1").inner_text() == expected
    page.click("a.button")
    assert page.url.endswith("/programs/cerebral-palsy/inquire/")

    # The seizure-free question appears only when epilepsy is controlled, without a reload.
    months = page.locator("#wrap-f-cp-seizure-free-months")
    assert months.is_hidden()
    page.check('input[name="cp.epilepsy"][value="controlled"]')
    assert months.is_visible()
    page.fill("#f-cp-seizure-free-months", "9")

    fill_form(page, email="wang.fang-at-example.org")
    page.click("#inquiry-form button[type=submit]")
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert page.locator("#f-contact-email").get_attribute("aria-invalid") == "true"
    assert page.locator('#error-summary a[href="#f-contact-email"]').count() == 1
    assert Inquiry.objects.count() == 0
    # What the family typed is still there; only the e-mail needs correcting.
    assert page.input_value("#f-contact-name") == "王芳"
    page.fill("#f-contact-email", "wang.fang@example.org")
    page.check("#f-consent-data-processing")
    page.click("#inquiry-form button[type=submit]")

    reference = page.locator("#reference").inner_text()
    inquiry = Inquiry.objects.get(reference=reference)
    assert inquiry.answers["cp.seizure_free_months"] == 9
    assert inquiry.contact_email == "wang.fang@example.org"
    return page, reference


def test_a_family_sends_an_inquiry_in_chinese(live_server, browser) -> None:
    page, _reference = submit_as_family(live_server, browser, locale="zh-CN", switch_to=None)
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert Inquiry.objects.get().language == "zh-hans"
    assert re.search("[\u4e00-\u9fff]", page.locator("h1").inner_text())


def test_a_family_sends_an_inquiry_in_arabic_right_to_left(live_server, browser) -> None:
    page, _reference = submit_as_family(live_server, browser, locale="en-GB", switch_to="ar")
    html = page.locator("html")
    assert html.get_attribute("dir") == "rtl" and html.get_attribute("lang") == "ar"
    assert Inquiry.objects.get().language == "ar"
    assert re.search("[\u0600-\u06ff]", page.locator("h1").inner_text())


def test_switching_language_keeps_what_was_typed(live_server, browser) -> None:
    page = browser.new_context(locale="en-GB").new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/programs/cerebral-palsy/inquire/")
    page.fill("#f-contact-name", "Amira Haddad")
    page.check('input[name="cp.epilepsy"][value="controlled"]')
    page.fill("#f-cp-seizure-free-months", "9")
    page.focus('form.language button[value="es"]')
    page.keyboard.press("ArrowRight")  # a key alone never switches
    assert page.locator("html").get_attribute("lang") == "en"
    with page.expect_navigation():
        page.click('form.language button[value="ar"]')
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.input_value("#f-contact-name") == "Amira Haddad"
    assert page.is_checked('input[name="cp.epilepsy"][value="controlled"]')
    assert page.locator("#wrap-f-cp-seizure-free-months").is_visible()
    assert page.input_value("#f-cp-seizure-free-months") == "9"
    page.reload()  # restored once: a later visit starts empty
    assert page.input_value("#f-contact-name") == ""


def test_the_api_docs_render_under_the_content_security_policy(live_server, browser) -> None:
    page = browser.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector('[data-path="/api/v1/inquiries"]', timeout=10_000)
    assert violations == []


def test_the_country_list_is_searched_in_arabic_or_in_english(live_server, browser) -> None:
    context = browser.new_context(locale="ar")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/programs/stroke/inquire/")
    search = page.get_by_label("اكتب بضعة أحرف للعثور عليه في القائمة")
    shown = "Array.from(document.querySelector('#f-contact-country').options).map(o => o.value)"
    search.fill("السعود")  # the Arabic name
    assert page.evaluate(shown) == ["", "SA"] and page.input_value("#f-contact-country") == "SA"
    search.fill("")
    assert len(page.evaluate(shown)) > 240  # the whole list is back
    page.select_option("#f-contact-country", "")
    search.fill("germ")  # the English name, any case
    assert page.evaluate(shown) == ["", "DE"]
    search.fill("qqq")
    assert page.evaluate(shown) == ["", "DE"]  # what is chosen stays
    assert page.locator("#f-contact-country ~ p[role=status]").inner_text() != ""
    context.close()
