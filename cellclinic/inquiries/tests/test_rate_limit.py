from __future__ import annotations

import pytest
from django.test import Client

from cellclinic.inquiries.models import Inquiry
from conftest import as_form, build_answers

pytestmark = pytest.mark.django_db
URL = "/programs/stroke/inquire/"


def test_it_refuses_submissions_past_the_limit_with_a_clear_page(client: Client, settings) -> None:
    settings.INQUIRY_RATE_LIMIT = 2
    for _ in range(2):
        assert client.post(URL, as_form(build_answers("stroke"))).status_code == 302
    response = client.post(URL, as_form(build_answers("stroke")))
    assert response.status_code == 429
    assert "try again later" in response.content.decode().lower()
    assert response["Retry-After"] == str(settings.INQUIRY_RATE_WINDOW)
    assert Inquiry.objects.count() == 2


def test_the_limit_is_per_address(client: Client, settings) -> None:
    settings.INQUIRY_RATE_LIMIT = 1
    assert (
        client.post(URL, as_form(build_answers("stroke")), REMOTE_ADDR="10.0.0.1").status_code
        == 302
    )
    assert (
        client.post(URL, as_form(build_answers("stroke")), REMOTE_ADDR="10.0.0.1").status_code
        == 429
    )
    assert (
        client.post(URL, as_form(build_answers("stroke")), REMOTE_ADDR="10.0.0.2").status_code
        == 302
    )


def test_a_form_with_errors_does_not_use_up_the_limit(client: Client, settings) -> None:
    settings.INQUIRY_RATE_LIMIT = 1
    for _ in range(3):
        assert (
            client.post(URL, as_form(build_answers("stroke", contact__email="x"))).status_code
            == 400
        )
    assert client.post(URL, as_form(build_answers("stroke"))).status_code == 302
