"""A family can send an inquiry in each site language and hears back in it."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from cellclinic.inquiries.models import Inquiry
from conftest import as_form, build_answers

LANGUAGES = ["en", "zh-hans", "ru", "es", "ar"]
ENGLISH_SUBJECT = "has been received"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_family_submits_and_is_answered_in_its_language(
    client: Client, run_tasks, mailoutbox, language: str
) -> None:
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    form = client.get("/programs/stroke/inquire/", **headers).content.decode()
    assert f'<html lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}">' in form
    answers = build_answers("stroke", contact__email="bad")
    answers.pop("contact.language", None)
    refused = client.post("/programs/stroke/inquire/", as_form(answers), **headers)
    english_error = "Enter a valid e-mail address."
    assert (english_error in refused.content.decode()) == (language == "en")

    answers["contact.email"] = "family@example.org"
    sent = client.post("/programs/stroke/inquire/", as_form(answers), follow=True, **headers)
    inquiry = Inquiry.objects.get()
    assert inquiry.language == inquiry.reply_language == language
    assert re.search(rf'id="reference"[^>]*>{inquiry.reference}<', sent.content.decode())
    run_tasks()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert inquiry.reference in message.subject and inquiry.reference in message.body
    assert (ENGLISH_SUBJECT in message.subject) == (language == "en")


@pytest.mark.django_db
def test_the_language_can_be_switched_and_is_remembered(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/programs/stroke/"})
    assert response.status_code == 302 and response["Location"] == "/programs/stroke/"
    page = client.get("/programs/stroke/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="ru"' in page
