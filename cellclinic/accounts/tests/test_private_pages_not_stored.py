"""Pages and API answers with personal data carry `Cache-Control: no-store`; public pages
keep their caching."""

from __future__ import annotations

import pytest
from django.test import Client

from cellclinic.accounts.services import api_token_create, staff_user_create
from cellclinic.inquiries.family import family_token
from cellclinic.inquiries.models import Inquiry
from conftest import as_form, build_answers

pytestmark = pytest.mark.django_db


def stored(response) -> bool:  # type: ignore[no-untyped-def]
    """True unless the answer forbids every cache to keep it."""
    return "no-store" not in response.get("Cache-Control", "")


def test_public_pages_and_the_public_api_may_be_cached(client: Client) -> None:
    for url in ("/", "/programs/stroke/", "/programs/stroke/inquire/", "/api/v1/programs"):
        response = client.get(url)
        assert response.status_code == 200 and stored(response), url


def test_the_familys_pages_are_not_stored(client: Client) -> None:
    assert (
        client.post("/programs/stroke/inquire/", as_form(build_answers("stroke"))).status_code
        == 302
    )
    inquiry = Inquiry.objects.get()
    page = client.get(f"/family/{family_token(inquiry)}/")
    assert page.status_code == 200 and inquiry.reference in page.content.decode()
    assert not stored(page) and "private" in page["Cache-Control"]
    assert not stored(client.get("/family/not-a-link/"))
    assert not stored(client.get("/followup/not-a-link/"))


def test_sign_in_pages_and_every_page_seen_signed_in_are_not_stored(sign_in) -> None:
    assert not stored(Client().get("/accounts/login/"))
    desk: Client = sign_in("coordinator")
    for url in ("/staff/inquiries/", "/staff/", "/staff/audit/", "/", "/programs/stroke/"):
        response = desk.get(url)
        assert not stored(response), url


def test_the_staff_api_is_not_stored_with_a_session_a_token_or_nothing(sign_in) -> None:
    desk: Client = sign_in("coordinator")
    assert not stored(desk.get("/api/v1/staff/inquiries"))
    user, _secret = staff_user_create(
        username="robot", role="physician", password="a-long-password-1"
    )
    token = api_token_create(user=user, name="test")
    by_token = Client().get("/api/v1/staff/inquiries", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert by_token.status_code == 200 and not stored(by_token)
    refused = Client().get("/api/v1/staff/inquiries")
    assert refused.status_code == 401 and not stored(refused)
