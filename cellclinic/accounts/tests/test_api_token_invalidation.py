"""A token stops working at once when its user's credentials or role change, by any path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group, User
from django.test import Client

from cellclinic.accounts.models import ApiToken
from cellclinic.accounts.services import (
    api_token_create,
    staff_user_create,
    staff_user_reset_credentials,
)
from conftest import totp_now

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-password-1"


def works(token: str) -> bool:
    response = Client().get("/api/v1/staff/inquiries", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code in (200, 401), response.status_code
    return response.status_code == 200


def revoked_for(token: str) -> str:
    return ApiToken.objects.get(digest=ApiToken.hash(token)).revoked_reason


@pytest.fixture
def staff() -> Callable[..., tuple[User, str, str]]:
    """A staff user with a working token: (user, token, TOTP secret)."""

    def make(role: str = "coordinator", username: str = "tess") -> tuple[User, str, str]:
        user, secret = staff_user_create(username=username, role=role, password=PASSWORD)
        token = api_token_create(user=user, name="laptop")
        assert works(token)
        return user, token, secret

    return make


def signed_in(username: str, secret: str) -> Client:
    client = Client()
    step = client.post("/accounts/login/", {"login": username, "password": PASSWORD})
    assert step.status_code == 302
    assert client.post(step["Location"], {"code": totp_now(secret)}).status_code == 302
    return client


def test_turning_off_totp_in_the_account_pages_ends_the_token(staff: Any) -> None:
    user, token, secret = staff()
    client = signed_in("tess", secret)
    # allauth asks for the password again before the authenticator can be turned off
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
    response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert not Authenticator.objects.filter(user=user, type="totp").exists()
    assert not works(token)
    assert revoked_for(token) == "mfa_changed"


def test_a_totp_reset_by_an_admin_ends_the_token(staff: Any) -> None:
    user, token, _secret = staff()
    staff_user_reset_credentials(user=user, password="another-long-password-2")
    assert not works(token)
    # both changed; the first change names the revocation
    assert revoked_for(token) in ("password_changed", "mfa_changed")


def test_a_replaced_authenticator_ends_the_token_even_when_nothing_else_changed(
    staff: Any,
) -> None:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user, token, _secret = staff()
    Authenticator.objects.filter(user=user, type="totp").delete()
    TOTP.activate(user, generate_totp_secret())
    assert not works(token)
    assert revoked_for(token) == "mfa_changed"


def test_a_totp_secret_changed_in_place_ends_the_token(staff: Any) -> None:
    user, token, _secret = staff()
    totp = Authenticator.objects.get(user=user, type="totp")
    totp.data = {**totp.data, "secret": "JBSWY3DPEHPK3PXP"}
    totp.save()
    assert not works(token)
    assert revoked_for(token) == "mfa_changed"


def test_changes_that_skip_signals_still_end_the_token_when_it_is_used(staff: Any) -> None:
    from django.utils import timezone

    user, token, _secret = staff()
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert not works(token)
    assert revoked_for(token) == "deactivated"
    other, other_token, _ = staff(username="pat")
    User.groups.through.objects.filter(user=other).delete()
    assert not works(other_token)
    assert revoked_for(other_token) == "role_changed"
    third, third_token, _ = staff(username="sam")
    later = timezone.now() + timezone.timedelta(seconds=1)
    Authenticator.objects.filter(user=third, type="totp").update(created_at=later)
    assert not works(third_token)
    assert revoked_for(third_token) == "mfa_changed"


def test_using_a_recovery_code_or_a_totp_code_leaves_the_token_working(staff: Any) -> None:
    user, token, secret = staff()
    signed_in("tess", secret)  # the TOTP authenticator records its use
    assert works(token)


def test_a_password_changed_in_the_account_pages_ends_the_token(staff: Any) -> None:
    _user, token, secret = staff()
    client = signed_in("tess", secret)
    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "b-new-long-password",
            "password2": "b-new-long-password",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert not works(token)
    assert revoked_for(token) == "password_changed"


def test_a_password_set_in_code_ends_the_token(staff: Any) -> None:
    user, token, _secret = staff()
    user.set_password("b-new-long-password")
    user.save()
    assert not works(token)
    assert revoked_for(token) == "password_changed"


def test_signing_in_leaves_the_token_working(staff: Any) -> None:
    _user, token, secret = staff()
    signed_in("tess", secret)  # last_login is saved
    assert works(token)


def test_a_deactivated_account_ends_the_token_and_reactivating_does_not_revive_it(
    staff: Any,
) -> None:
    user, token, _secret = staff()
    user.is_active = False
    user.save()
    assert not works(token)
    user.is_active = True
    user.save()
    assert not works(token)
    assert revoked_for(token) == "deactivated"


def test_a_changed_role_ends_the_token(staff: Any) -> None:
    user, token, _secret = staff()
    user.groups.set([Group.objects.get(name="physician")])  # physicians read inquiries too
    assert not works(token)
    assert revoked_for(token) == "role_changed"


def test_a_removed_role_ends_the_token_while_another_role_remains(staff: Any) -> None:
    user, token, _secret = staff()
    physician = Group.objects.get(name="physician")
    user.groups.add(physician)
    assert not works(token)  # a role added is a change too
    fresh = api_token_create(user=user, name="again")
    user.groups.remove(physician)
    assert not works(fresh)


def test_roles_changed_from_the_group_side_end_the_token(staff: Any) -> None:
    user, token, _secret = staff()
    other, other_token, _ = staff(role="physician", username="pat")
    Group.objects.get(name="nurse").user_set.add(user)
    assert not works(token)
    Group.objects.get(name="physician").user_set.clear()
    assert not works(other_token)
    assert revoked_for(other_token) == "role_changed"


def test_a_deleted_or_renamed_group_ends_its_members_tokens(staff: Any) -> None:
    _user, token, _secret = staff()
    _other, other_token, _ = staff(role="physician", username="pat")
    Group.objects.get(name="coordinator").delete()
    assert not works(token)
    physician = Group.objects.get(name="physician")
    physician.name = "doctor"
    physician.save()
    assert not works(other_token)
    assert revoked_for(other_token) == "role_changed"


def test_another_users_change_leaves_the_token_working(staff: Any) -> None:
    _user, token, _secret = staff()
    other, _other_token, _ = staff(role="physician", username="pat")
    other.set_password("b-new-long-password")
    other.is_active = False
    other.save()
    other.groups.clear()
    assert works(token)
