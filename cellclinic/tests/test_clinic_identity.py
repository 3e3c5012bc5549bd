"""The clinic's name and how to reach it, from settings, on every public and family page,
the broken-link pages, and the signature of every e-mail to a family."""

from __future__ import annotations

import pytest
from django.test import Client

from cellclinic.care.tests.builders import create_patient, sign_consent
from cellclinic.core.clinic import clinic
from cellclinic.core.models import OutboundEmail
from cellclinic.inquiries.models import Inquiry
from cellclinic.inquiries.tasks import inquiry_received
from conftest import as_form, build_answers

pytestmark = pytest.mark.django_db

CLINIC = {
    "CLINIC_NAME": "Clínica Ejemplo & Co",
    "CLINIC_ADDRESS": "1 Example Street, Example City",
    "CLINIC_PHONE": "+7 (495) 000-00-00",
    "CLINIC_EMAIL": "hello@clinic.example",
    "CLINIC_LICENCE": "TEST-123",
    "CLINIC_LOGO_URL": "/static/logo.svg",
}


@pytest.fixture(autouse=True)
def _clinic(settings) -> None:
    for name, value in CLINIC.items():
        setattr(settings, name, value)


def test_it_makes_a_tel_link_of_digits_only() -> None:
    assert clinic().phone_link == "tel:+74950000000"


@pytest.mark.parametrize(
    "path", ["/", "/programs/stroke/", "/programs/stroke/inquire/", "/no-such-page/"]
)
def test_it_shows_the_clinic_in_the_header_and_footer(client: Client, path: str) -> None:
    html = client.get(path).content.decode()
    assert "<span>Clínica Ejemplo &amp; Co</span>" in html  # the header
    assert 'src="/static/logo.svg"' in html
    footer = html[html.index('<footer class="site">') :]
    assert "1 Example Street, Example City" in footer
    assert '<a class="clinic-phone" href="tel:+74950000000"><bdi dir="ltr">' in footer
    assert 'href="mailto:hello@clinic.example"' in footer
    assert "TEST-123" in footer


@pytest.mark.parametrize("path", ["/family/not-a-token/", "/followup/not-a-token/"])
def test_a_broken_link_page_says_how_to_reach_the_clinic(client: Client, path: str) -> None:
    client.cookies["django_language"] = "ar"
    html = client.get(path).content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    assert "كيفية التواصل مع العيادة" in main
    assert 'href="tel:+74950000000"' in main and "mailto:hello@clinic.example" in main


@pytest.mark.django_db(transaction=True)
def test_the_confirmation_is_signed_with_the_clinic(client: Client) -> None:
    answers = build_answers("stroke", **{"contact.language": "es"})
    assert client.post("/programs/stroke/inquire/", as_form(answers)).status_code == 302
    inquiry = Inquiry.objects.get()
    inquiry_received.call(inquiry_id=inquiry.pk)
    body = OutboundEmail.objects.get(inquiries=inquiry).body
    assert body.rstrip().endswith(
        "-- \nClínica Ejemplo & Co\n1 Example Street, Example City\n"
        "Teléfono: +7 (495) 000-00-00\nCorreo electrónico: hello@clinic.example\n"
        "Licencia sanitaria: TEST-123"
    ), body


def test_the_signed_consent_keeps_the_clinic_it_was_signed_with() -> None:
    signature = sign_consent(create_patient(), language="ar")
    assert "<strong>Clínica Ejemplo &amp; Co</strong></header>" in signature.snapshot
    assert '<a class="clinic-phone" href="tel:+74950000000">' in signature.snapshot
    assert "الهاتف:" in signature.snapshot


@pytest.mark.parametrize("page", ["plan", "summary"])
def test_a_printable_shows_the_clinic(sign_in, page: str) -> None:
    patient = create_patient()
    html = sign_in("physician").get(f"/staff/patients/{patient.uuid}/{page}/").content.decode()
    assert "1 Example Street, Example City" in html and "TEST-123" in html
