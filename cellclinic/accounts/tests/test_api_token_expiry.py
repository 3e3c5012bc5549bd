"""A token works for API_TOKEN_DAYS (or fewer days, if asked), then answers 401."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from cellclinic.accounts.models import ApiToken
from cellclinic.accounts.services import api_token_create, staff_user_create

pytestmark = pytest.mark.django_db

MADE = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def status(token: str) -> int:
    response = Client().get("/api/v1/staff/inquiries", HTTP_AUTHORIZATION=f"Bearer {token}")
    return response.status_code


def made(days: int | None = None) -> str:
    with time_machine.travel(MADE, tick=False):
        user, _secret = staff_user_create(
            username=f"ed{ApiToken.objects.count()}", role="physician", password="a-long-pass-1"
        )
        return api_token_create(user=user, name="script", days=days)


def test_a_token_works_for_ninety_days_by_default_then_answers_401() -> None:
    token = made()
    assert ApiToken.objects.get().expires_at == datetime(2027, 1, 30, 9, 0, tzinfo=UTC)
    with time_machine.travel(datetime(2027, 1, 30, 8, 59, 59, tzinfo=UTC), tick=False):
        assert status(token) == 200
    with time_machine.travel(datetime(2027, 1, 30, 9, 0, tzinfo=UTC), tick=False):
        response = Client().get("/api/v1/staff/inquiries", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 401
        assert response.json() == {"errors": [{"field": "", "message": "Authentication required."}]}
        assert ApiToken.objects.get().status(datetime.now(UTC)) == "expired"


def test_the_setting_and_the_days_asked_for_shorten_it(settings) -> None:
    settings.API_TOKEN_DAYS = 7
    week = made()
    three = made(days=3)
    assert ApiToken.objects.get(digest=ApiToken.hash(week)).expires_at == MADE + timedelta(days=7)
    with time_machine.travel(MADE + timedelta(days=3), tick=False):
        assert status(week) == 200 and status(three) == 401


@pytest.mark.parametrize("days", [0, -1, 8])
def test_a_life_outside_one_to_api_token_days_is_refused(settings, days: int) -> None:
    settings.API_TOKEN_DAYS = 7
    with pytest.raises(ValueError, match="from 1 to 7 days"):
        made(days=days)
    assert not ApiToken.objects.exists()


def test_the_time_of_use_is_kept_to_the_minute_without_a_write_per_request() -> None:
    token = made()
    with time_machine.travel(MADE + timedelta(hours=1), tick=False):
        status(token)
    assert ApiToken.objects.get().last_used_at == MADE + timedelta(hours=1)
    with time_machine.travel(MADE + timedelta(hours=1, seconds=59), tick=False):
        status(token)
    assert ApiToken.objects.get().last_used_at == MADE + timedelta(hours=1)
    with time_machine.travel(MADE + timedelta(hours=1, minutes=1), tick=False):
        status(token)
    assert ApiToken.objects.get().last_used_at == MADE + timedelta(hours=1, minutes=1)
