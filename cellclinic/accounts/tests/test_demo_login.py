"""The logins `cellclinic demo` prints work: password, then a TOTP code."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from cellclinic.accounts.services import staff_user_create, staff_user_has_mfa
from conftest import totp_now

pytestmark = pytest.mark.django_db


def current_code(secret: str) -> str:
    return totp_now(secret)


def test_a_staff_user_signs_in_with_password_and_totp(client: Client) -> None:
    user, secret = staff_user_create(
        username="coordinator1", role="coordinator", password="a-long-password-1"
    )
    assert staff_user_has_mfa(user) and user.groups.get().name == "coordinator"
    response = client.post(
        "/accounts/login/", {"login": "coordinator1", "password": "a-long-password-1"}
    )
    assert response.status_code == 302 and "/2fa/" in response["Location"]
    assert "_auth_user_id" not in client.session  # not signed in before the code
    assert client.post(response["Location"], {"code": "000000"}).status_code == 200
    assert "_auth_user_id" not in client.session
    done = client.post(response["Location"], {"code": current_code(secret)})
    assert done.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_nobody_can_sign_up(client: Client) -> None:
    client.post(
        "/accounts/signup/",
        {"username": "x", "password1": "a-long-password-1", "password2": "a-long-password-1"},
    )
    assert not User.objects.filter(username="x").exists()


def test_an_unknown_role_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown role"):
        staff_user_create(username="x", role="janitor", password="a-long-password-1")


def test_repeated_failed_sign_ins_are_rate_limited(client: Client) -> None:
    """After repeated failures even the right password is refused for a while."""
    staff_user_create(username="target", role="coordinator", password="a-long-password-1")
    for i in range(12):
        client.post("/accounts/login/", {"login": "target", "password": f"wrong-{i}"})
    right = client.post("/accounts/login/", {"login": "target", "password": "a-long-password-1"})
    assert right.status_code in (200, 429)
    assert "Too many" in right.content.decode() or right.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "account_authentication_methods" not in client.session


def test_a_recovery_code_signs_in_once(client: Client) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    user, _secret = staff_user_create(
        username="lost-phone", role="physician", password="a-long-password-1"
    )
    codes = RecoveryCodes(
        Authenticator.objects.get(user=user, type="recovery_codes")
    ).get_unused_codes()
    assert len(codes) >= 10
    step = client.post("/accounts/login/", {"login": "lost-phone", "password": "a-long-password-1"})
    assert client.post(step["Location"], {"code": codes[0]}).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    again = Client()
    step = again.post("/accounts/login/", {"login": "lost-phone", "password": "a-long-password-1"})
    again.post(step["Location"], {"code": codes[0]})
    assert "_auth_user_id" not in again.session  # used codes do not work twice


def test_the_code_of_the_previous_window_is_accepted_but_not_older(client: Client) -> None:
    _user, secret = staff_user_create(username="drift", role="nurse", password="a-long-password-1")
    stale = totp_now(secret, windows_back=3)
    previous = totp_now(secret, windows_back=1)
    step = client.post("/accounts/login/", {"login": "drift", "password": "a-long-password-1"})
    client.post(step["Location"], {"code": stale})
    assert "_auth_user_id" not in client.session
    assert client.post(step["Location"], {"code": previous}).status_code == 302
    assert "_auth_user_id" in client.session
