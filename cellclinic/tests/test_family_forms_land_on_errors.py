"""Every family form with an error opens with one summary at its top that links to each
bad field by its id and names it by its label, in the reader's language."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from cellclinic.care.consent import consent_document_in_force
from cellclinic.care.models import ConsentSignature
from cellclinic.care.tests.builders import (
    create_patient,
    create_treated_patient,
    today,
)
from cellclinic.followup.links import followup_token
from cellclinic.followup.models import FollowUp
from cellclinic.inquiries.family import family_token
from cellclinic.inquiries.models import Message
from cellclinic.programs.selectors import program_get
from conftest import as_form, build_answers

pytestmark = pytest.mark.django_db
LANGUAGES = ["en", "ar"]


def summary_links(html: str) -> dict[str, str]:
    """The error summary's links: the target id and the text of each."""
    box = re.search(r'<div class="error-summary"[^>]*>.*?</div>', html, re.S)
    assert box, "no error summary"
    opening = box.group(0).split(">", 1)[0]
    assert 'id="error-summary"' in opening and 'tabindex="-1"' in opening
    assert 'role="alert"' in opening
    return {
        target: unescape(text)
        for target, text in re.findall(r'<a href="#([^"]+)">([^<]*)</a>', box.group(0))
    }


def assert_named(html: str, links: dict[str, str], html_id: str, label: str) -> None:
    """The summary links to the field and its text starts with the field's label."""
    assert html_id in links, links
    assert links[html_id].startswith(label) and len(links[html_id]) > len(label) + 2
    assert f'id="{html_id}"' in html
    assert html.index('id="error-summary"') < html.index(f'id="{html_id}"')


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_inquiry_form_names_each_bad_field(client, language: str) -> None:
    answers = build_answers("stroke", **{"contact.email": "bad", "contact.name": ""})
    response = client.post(
        "/programs/stroke/inquire/", as_form(answers), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 400
    html = response.content.decode()
    links = summary_links(html)
    current = program_get(slug="stroke")
    assert current is not None
    for item_id, html_id in (
        ("contact.email", "f-contact-email"),
        ("contact.name", "f-contact-name"),
    ):
        label = current.definition.item(item_id).label.get(language)
        assert_named(html, links, html_id, label)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_family_reply_names_the_message_field(client, language: str) -> None:
    patient = create_patient()
    url = f"/family/{family_token(patient.inquiry)}/"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # chosen with the menu
    response = client.post(url, {"body": ""})
    assert response.status_code == 400
    html = response.content.decode()
    with translation.override(language):
        assert_named(html, summary_links(html), "f-body", gettext("Your message"))
    assert 'aria-invalid="true" aria-describedby="f-body-error"' in html
    assert not Message.objects.filter(direction="in").exists()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_consent_names_each_statement_and_the_signer(client, language: str) -> None:
    patient = create_patient(plan_start=today() + timedelta(days=3))
    url = f"/family/{family_token(patient.inquiry)}/consent/"
    document = consent_document_in_force(program=patient.program, language=language)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # chosen with the menu
    response = client.post(
        url, {"document": str(document.uuid), "signer_role": "", "signer_name": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    links = summary_links(html)
    with translation.override(language):
        assert_named(html, links, "f-signer-role", gettext("I sign as"))
        assert_named(
            html, links, "f-signer-name", gettext("Your full name, typed as your signature")
        )
    for number, text in enumerate(document.statements, start=1):
        assert_named(html, links, f"f-statement-{number}", text[:20])
    assert 'aria-invalid="true" aria-describedby="f-signer-role-error"' in html
    assert not ConsentSignature.objects.exists()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_follow_up_report_names_the_bad_question(client, language: str) -> None:
    patient = create_treated_patient()
    m1 = FollowUp.objects.get(patient=patient, timepoint="m1")
    url = f"/followup/{followup_token(m1)}/"
    due = timezone.now() + (m1.due_date - timezone.localdate())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # chosen with the menu
    with time_machine.travel(due):
        response = client.post(url, {"domain-strength": "stronger"})
    assert response.status_code == 400
    html = response.content.decode()
    current = program_get(slug=patient.program.slug)
    assert current is not None and current.definition.outcomes is not None
    strength = next(d for d in current.definition.outcomes.family_domains if d.id == "strength")
    assert_named(html, summary_links(html), "f-domain-strength", strength.label.get(language))
    m1.refresh_from_db()
    assert m1.answered_at is None
