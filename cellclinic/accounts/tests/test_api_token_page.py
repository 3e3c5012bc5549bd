"""/staff/tokens/: a staff member makes, sees and revokes their own tokens; an admin
also sees and revokes everyone's; nobody else can revoke another's token."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import User
from django.test import Client

from cellclinic.accounts.models import ApiToken
from cellclinic.accounts.services import api_token_create, staff_user_create

pytestmark = pytest.mark.django_db

PAGE = "/staff/tokens/"


def works(token: str) -> bool:
    response = Client().get("/api/v1/staff/patients/x", HTTP_AUTHORIZATION=f"Bearer {token}")
    return response.status_code != 401


def revoke_url(token: ApiToken) -> str:
    return f"/staff/tokens/{token.uuid}/revoke/"


def test_a_nurse_makes_a_token_seen_once_that_works(sign_in) -> None:
    client = sign_in("nurse")
    response = client.post(PAGE, {"name": "ward tablet", "days": "30"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    secret = re.search(r"cc_[\w-]{43}", page)
    assert secret and works(secret.group())
    made = ApiToken.objects.get()
    assert made.user.username == "nurse1" and made.name == "ward tablet"
    assert (made.expires_at - made.created_at).days == 30
    later = client.get(PAGE).content.decode()
    assert secret.group() not in later
    assert "ward tablet" in later and "active" in later


def test_the_start_page_links_to_it(sign_in) -> None:
    page = sign_in("analyst").get("/staff/").content.decode()
    assert f'href="{PAGE}"' in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "days": "30"}, "name", "This field is required."),
        ({"name": "x" * 101, "days": "30"}, "name", "at most 100 characters"),
        ({"name": "cron", "days": "0"}, "days", "greater than or equal to 1"),
        ({"name": "cron", "days": "91"}, "days", "less than or equal to 90"),
        ({"name": "cron", "days": "soon"}, "days", "Enter a whole number."),
        ({"name": "cron"}, "days", "This field is required."),
    ],
)
def test_bad_input_is_named_and_makes_nothing(sign_in, data, field, message) -> None:
    response = sign_in("physician").post(PAGE, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="error-summary"' in page and message in page
    assert f'id="id_{field}" ' in page and 'aria-invalid="true"' in page
    assert not ApiToken.objects.exists()


def test_a_user_whose_authenticator_was_turned_off_gets_no_token(sign_in) -> None:
    client = sign_in("coordinator")
    Authenticator.objects.filter(user__username="coordinator1").delete()
    response = client.post(PAGE, {"name": "cron", "days": "5"})
    # the session no longer counts as signed in with a second factor: the page asks for one
    assert response.status_code == 403
    assert not ApiToken.objects.exists()


@pytest.fixture
def others_token() -> tuple[ApiToken, str]:
    other, _ = staff_user_create(username="olga", role="nurse", password="a-long-password-1")
    secret = api_token_create(user=other, name="olga's script")
    return ApiToken.objects.get(user=other), secret


def test_a_staff_member_sees_and_revokes_only_their_own(sign_in, others_token) -> None:
    client = sign_in("physician")
    mine = api_token_create(user=User.objects.get(username="physician1"), name="my laptop")
    page = client.get(PAGE).content.decode()
    assert "my laptop" in page and "olga" not in page
    theirs, their_secret = others_token
    assert client.post(revoke_url(theirs)).status_code == 404
    assert works(their_secret)
    own = ApiToken.objects.get(name="my laptop")
    done = client.post(revoke_url(own), follow=True)
    assert done.redirect_chain == [(PAGE, 302)]
    assert "is revoked" in done.content.decode() and "revoked: revoked" in done.content.decode()
    assert not works(mine)
    again = client.post(revoke_url(own), follow=True).content.decode()
    assert "revoked already" in again


def test_an_admin_sees_and_revokes_anyones_token(sign_in, others_token) -> None:
    client = sign_in("admin")
    theirs, their_secret = others_token
    page = client.get(PAGE).content.decode()
    assert "olga" in page and "olga&#x27;s script" in page
    assert revoke_url(theirs) in page
    done = client.post(revoke_url(theirs), follow=True).content.decode()
    assert "The token “olga&#x27;s script” is revoked." in done
    assert not works(their_secret)
    assert "olga" not in client.get(PAGE).content.decode()  # only tokens in use are listed


def test_revoking_needs_a_post_with_the_csrf_token_and_a_real_token(sign_in) -> None:
    client = sign_in("admin")
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    secret = api_token_create(user=User.objects.get(username="admin1"), name="x")
    token = ApiToken.objects.get()
    assert client.get(revoke_url(token)).status_code == 405
    assert strict.post(revoke_url(token)).status_code == 403  # no CSRF token
    assert works(secret)
    page = strict.get(PAGE).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert (
        csrf
        and strict.post(revoke_url(token), {"csrfmiddlewaretoken": csrf.group(1)}).status_code
        == 302
    )
    assert not works(secret)
    assert client.post("/staff/tokens/not-a-uuid/revoke/").status_code == 404
    unknown = "/staff/tokens/0b7c4a52-9d2e-4f5e-8a61-3c2d1e0f9a87/revoke/"
    assert client.post(unknown).status_code == 404
