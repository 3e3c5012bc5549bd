"""Behind a proxy, allauth's sign-in limits count each client by the address the proxy
passes on (`CLIENT_IP_HEADER`), as every other limit does: failures from many addresses
never lock out a staff member signing in from another."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cellclinic.accounts.services import staff_user_create

pytestmark = pytest.mark.django_db


def sign_in(username: str, password: str, address: str) -> Any:
    return Client().post(
        "/accounts/login/",
        {"login": username, "password": password},
        HTTP_X_FORWARDED_FOR=f"198.51.100.200, {address}",  # the first part is the client's
    )


def test_failures_from_many_addresses_do_not_lock_out_another(settings: Any) -> None:
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    staff_user_create(username="analyst1", role="analyst", password="a-long-password-1")
    for n in range(12):  # past allauth's 10 failed sign-ins a minute from one address
        response = sign_in(f"nobody{n}", "wrong", f"203.0.113.{n}")
        assert b"Too many" not in response.content
    response = sign_in("analyst1", "a-long-password-1", "192.0.2.7")
    assert response.status_code == 302 and "/2fa/" in response["Location"]


def test_failures_from_one_address_are_still_counted_there(settings: Any) -> None:
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    for n in range(12):
        response = sign_in(f"nobody{n}", "wrong", "203.0.113.1")
    assert b"Too many" in response.content
    assert b"Too many" not in sign_in("nobody", "wrong", "203.0.113.2").content
