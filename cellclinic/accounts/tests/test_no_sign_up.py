"""There is no sign-up: staff accounts are made by an admin, families use signed links."""

from __future__ import annotations

import pytest
from allauth.account.adapter import get_adapter
from django.test import Client, RequestFactory

pytestmark = pytest.mark.django_db


def test_it_answers_404_at_the_sign_up_address() -> None:
    client = Client()
    assert client.get("/accounts/signup/").status_code == 404
    assert client.post("/accounts/signup/", {"username": "x"}).status_code == 404


def test_the_adapter_refuses_sign_up() -> None:
    assert get_adapter().is_open_for_signup(RequestFactory().get("/")) is False


def test_no_sign_in_or_staff_page_offers_it(sign_in) -> None:
    from cellclinic.accounts.services import staff_user_create

    client = Client()
    pages = [client.get(url) for url in ("/accounts/login/", "/accounts/password/reset/")]
    _user, _secret = staff_user_create(username="sam", role="admin", password="a-long-password-1")
    step = client.post("/accounts/login/", {"login": "sam", "password": "a-long-password-1"})
    pages.append(client.get(step["Location"]))  # the second-factor page
    staff = sign_in("admin")
    pages += [
        staff.get(url, follow=True) for url in ("/staff/", "/accounts/2fa/", "/accounts/logout/")
    ]
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert "/accounts/signup/" not in html and "Sign Up" not in html and "sign up" not in html
        assert '<html lang="en"' in html and 'class="site"' in html  # the site's own layout
