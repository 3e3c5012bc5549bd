"""A desk session signed in with a second factor stops counting as such once that factor
is turned off or reset, as the user's API tokens stop working: the patient pages and the
staff API then refuse it, and a sign-in with the new factor opens them again."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import User

from cellclinic.accounts.services import staff_user_reset_credentials

pytestmark = pytest.mark.django_db

PAGE = "/staff/inquiries/"
API = "/api/v1/staff/inquiries"


def test_turning_totp_off_ends_the_sessions_second_factor(sign_in) -> None:
    desk = sign_in("coordinator")
    assert desk.get(PAGE).status_code == 200 and desk.get(API).status_code == 200
    Authenticator.objects.filter(user__username="coordinator1").delete()
    assert desk.get(PAGE).status_code == 403  # the page that asks for a second factor
    assert desk.get(API).status_code == 401


def test_a_new_authenticator_in_place_of_the_old_ends_it_too(sign_in) -> None:
    """A TOTP reset that keeps the password (a lost phone): the session signed in with the
    old authenticator no longer counts."""
    desk = sign_in("physician")
    assert desk.get(PAGE).status_code == 200
    user = User.objects.get(username="physician1")
    Authenticator.objects.filter(user=user).delete()
    TOTP.activate(user, generate_totp_secret())
    assert desk.get(PAGE).status_code == 403


def test_a_reset_of_the_credentials_signs_the_session_out(sign_in) -> None:
    desk = sign_in("physician")
    staff_user_reset_credentials(
        user=User.objects.get(username="physician1"), password="another-long-password-2"
    )
    assert desk.get(PAGE)["Location"].startswith("/accounts/login/")


def test_another_users_change_leaves_the_session_alone(sign_in) -> None:
    desk = sign_in("coordinator")
    sign_in("nurse")
    Authenticator.objects.filter(user__username="nurse1").delete()
    assert desk.get(PAGE).status_code == 200
