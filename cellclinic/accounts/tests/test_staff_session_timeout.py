"""A staff session ends after STAFF_IDLE_MINUTES without a request and STAFF_SESSION_MAX_HOURS
after sign-in, whatever the activity; the cookie expires with it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

pytestmark = pytest.mark.django_db
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_half_an_hour_without_a_request_signs_the_desk_out(clock, sign_in) -> None:
    desk: Client = sign_in("coordinator")
    clock.shift(timedelta(minutes=29))
    assert desk.get("/staff/inquiries/").status_code == 200
    clock.shift(timedelta(minutes=29))  # active 29 minutes ago: still in
    assert desk.get("/staff/inquiries/").status_code == 200
    clock.shift(timedelta(minutes=31))
    response = desk.get("/staff/inquiries/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not signed_in(desk)


def test_the_login_page_says_why_the_session_ended(clock, sign_in, settings) -> None:
    """The idle limit comes from STAFF_IDLE_MINUTES; the server ends the session even when
    the stored session itself would still be valid."""
    desk: Client = sign_in("physician")
    settings.STAFF_IDLE_MINUTES = 5
    clock.shift(timedelta(minutes=6))
    page = desk.get("/staff/inquiries/", follow=True)
    assert page.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "You were signed out" in page.content.decode() and "5 minutes" in page.content.decode()
    assert not signed_in(desk)


def test_twelve_hours_after_sign_in_the_session_ends_however_active(clock, sign_in) -> None:
    desk: Client = sign_in("coordinator")
    for _ in range(35):  # a request every 20 minutes: 11 h 40 min
        clock.shift(timedelta(minutes=20))
        assert desk.get("/staff/inquiries/").status_code == 200
    clock.shift(timedelta(minutes=19))
    assert desk.get("/staff/inquiries/").status_code == 200  # 11 h 59 min
    clock.shift(timedelta(minutes=2))
    assert desk.get("/staff/inquiries/").status_code == 302
    assert not signed_in(desk)


def test_the_staff_api_answers_401_once_the_session_has_ended(clock, sign_in) -> None:
    desk: Client = sign_in("coordinator")
    assert desk.get("/api/v1/staff/inquiries").status_code == 200
    clock.shift(timedelta(minutes=31))
    assert desk.get("/api/v1/staff/inquiries").status_code == 401


def test_the_session_cookie_expires_with_the_session(clock, sign_in) -> None:
    desk: Client = sign_in("nurse")
    assert 0 < int(desk.cookies["sessionid"]["max-age"]) <= 30 * 60
    for _ in range(35):  # active every 20 minutes, to 11 h 40 min after sign-in
        clock.shift(timedelta(minutes=20))
        assert desk.get("/staff/").status_code == 200
    # the cookie outlives neither 30 idle minutes nor the 12-hour limit, 20 minutes away
    assert 0 < int(desk.cookies["sessionid"]["max-age"]) <= 20 * 60


def test_an_anonymous_visitor_and_a_public_page_are_untouched(clock, client: Client) -> None:
    assert client.get("/").status_code == 200
    clock.shift(timedelta(hours=13))
    assert client.get("/").status_code == 200
