"""The public "Contact us" form: each field checked and named, stored before anything else,
acknowledged once in the sender's language, rate-limited like the inquiry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from cellclinic.contact.models import ContactMessage
from cellclinic.core.models import OutboundEmail

pytestmark = pytest.mark.django_db
URL = "/contact/"
GOOD = {
    "name": "Layla Hassan",
    "email": "Layla@Example.ORG",
    "language": "ar",
    "message": "Do you treat adults after a stroke?",
}


def post(client: Client, **changes: Any) -> Any:
    data = {**GOOD, **changes}
    return client.post(URL, {k: v for k, v in data.items() if v is not None})


def test_it_shows_the_form_with_the_page_language_chosen(client: Client) -> None:
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<option value="es" lang="es" selected>' in body
    assert 'name="website"' in body  # the honeypot


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required."),
        ("name", "x" * 201, "Write at most 200 characters."),
        ("name", "Layla\x07", "Remove the invisible control characters."),
        ("email", "", "This field is required."),
        ("email", "not-an-address", "Enter a valid e-mail address."),
        ("email", "a@" + "b" * 250 + ".org", "Enter a valid e-mail address."),
        ("language", "fr", "Choose one of the values offered."),
        ("language", None, "Choose one of the values offered."),
        ("message", "   ", "This field is required."),
        ("message", "x" * 5001, "Write at most 5000 characters."),
    ],
)
def test_each_bad_field_is_named_in_the_summary_and_nothing_is_stored(
    client: Client, field: str, value: str | None, message: str
) -> None:
    response = post(client, **{field: value})
    assert response.status_code == 400
    summary = response.context["summary"]
    assert [item.html_id for item in summary] == [f"f-{field}"]
    label = str(response.context["form"].fields[field].label)
    assert summary[0].text == f"{label}: {message}"
    body = response.content.decode()
    assert f'<a href="#f-{field}">' in body and 'id="error-summary"' in body
    assert f'id="f-{field}-error"' in body
    assert not ContactMessage.objects.exists()


def test_what_was_typed_is_shown_again_after_an_error(client: Client) -> None:
    body = post(client, email="nope").content.decode()
    assert 'value="Layla Hassan"' in body
    assert "Do you treat adults after a stroke?</textarea>" in body
    assert '<option value="ar" lang="ar" selected>' in body


def test_the_errors_are_in_the_page_language(client: Client) -> None:
    response = client.post(URL, {**GOOD, "email": "nope"}, HTTP_ACCEPT_LANGUAGE="ar")
    with translation.override("ar"):
        expected = gettext("Enter a valid e-mail address.")
    assert expected != "Enter a valid e-mail address."
    assert expected in response.content.decode()


def test_a_filled_honeypot_is_refused(client: Client) -> None:
    response = post(client, website="http://spam.example")
    assert response.status_code == 400
    assert response.context["summary"][0].html_id == ""
    assert not ContactMessage.objects.exists()


def test_the_message_is_stored_before_any_email(
    client: Client, run_tasks, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client)
    assert response.status_code == 302 and response["Location"] == "/contact/sent/"
    message = ContactMessage.objects.get()
    assert (message.name, message.email, message.language) == (
        "Layla Hassan",
        "Layla@example.org",
        "ar",
    )
    assert message.status == "new" and message.page_language == "en"
    assert not OutboundEmail.objects.exists()  # the acknowledgement is a task, after the commit
    assert run_tasks() >= 1
    email = OutboundEmail.objects.get()
    assert (email.kind, email.to, email.language) == (
        "contact_acknowledgement",
        "Layla@example.org",
        "ar",
    )
    assert list(message.emails.all()) == [email]


def test_the_acknowledgement_is_in_the_senders_language_and_queued_once(
    client: Client, run_tasks, settings, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        post(client)
    assert run_tasks() >= 1
    from cellclinic.contact.emails import contact_acknowledgement_queue

    assert contact_acknowledgement_queue(message=ContactMessage.objects.get()) is False
    email = OutboundEmail.objects.get()
    with translation.override("ar"):
        greeting = gettext("Dear %(name)s,") % {"name": "Layla Hassan"}
    assert greeting != "Dear Layla Hassan,"
    assert email.body.startswith(greeting)
    assert "Do you treat adults after a stroke?" in email.body
    assert settings.CLINIC_NAME in email.subject and settings.CLINIC_NAME in email.body


def test_the_sent_page_says_what_happens_next_in_which_language(client: Client) -> None:
    assert client.get("/contact/sent/").status_code == 302  # nothing sent yet
    post(client)
    body = client.get("/contact/sent/").content.decode()
    assert "answers by e-mail in Arabic, usually within two working days" in body


def test_it_refuses_messages_past_the_inquiry_limit(client: Client, settings) -> None:
    settings.INQUIRY_RATE_LIMIT = 2
    for _ in range(2):
        assert post(client).status_code == 302
    refused = post(client)
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(settings.INQUIRY_RATE_WINDOW)
    assert "try again later" in refused.content.decode().lower()
    assert ContactMessage.objects.count() == 2
    other = client.post(URL, GOOD, REMOTE_ADDR="10.0.0.9")  # per address
    assert other.status_code == 302


def test_inquiries_and_contact_messages_are_counted_apart(client: Client, settings) -> None:
    from conftest import as_form, build_answers

    settings.INQUIRY_RATE_LIMIT = 1
    assert (
        client.post("/programs/stroke/inquire/", as_form(build_answers("stroke"))).status_code
        == 302
    )
    assert post(client).status_code == 302


def test_every_public_page_links_to_the_form(client: Client) -> None:
    for url in ("/", "/programs/stroke/", "/programs/stroke/inquire/"):
        assert 'href="/contact/"' in client.get(url).content.decode(), url


def test_a_lost_acknowledgement_is_queued_by_the_workers_sweep(client: Client) -> None:
    import time_machine
    from django.utils import timezone

    from cellclinic.contact.emails import acknowledgements_pending

    post(client)  # its task never runs
    message = ContactMessage.objects.get()
    assert acknowledgements_pending() == 0  # two minutes for its own task first
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        assert acknowledgements_pending() == 1
        assert acknowledgements_pending() == 0
    assert message.emails.get().kind == "contact_acknowledgement"
