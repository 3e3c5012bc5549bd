"""Signed links: a token opens only what it was made for, for as long as it is allowed."""

from __future__ import annotations

import uuid
from datetime import timedelta

import time_machine
from django.core import signing

from cellclinic.lib.links import SignedLink

FAMILY = SignedLink(salt="test.family", field="inquiry")
FOLLOWUP = SignedLink(salt="test.followup", field="followup")


def test_a_token_carries_its_key() -> None:
    key = uuid.uuid4()
    assert FAMILY.key(FAMILY.token(key)) == key


def test_a_forged_damaged_or_foreign_token_opens_nothing() -> None:
    token = FAMILY.token(uuid.uuid4())
    assert FAMILY.key(token[:-2] + ("AA" if not token.endswith("AA") else "BB")) is None
    assert FAMILY.key("not-a-token") is None
    assert FOLLOWUP.key(token) is None  # another kind of link: another salt


def test_a_signed_payload_without_a_uuid_opens_nothing() -> None:
    assert FAMILY.key(signing.dumps({"inquiry": "not-a-uuid"}, salt="test.family")) is None
    assert FAMILY.key(signing.dumps({"other": str(uuid.uuid4())}, salt="test.family")) is None
    assert FAMILY.key(signing.dumps(["inquiry"], salt="test.family")) is None


def test_an_old_token_expires_only_when_an_age_is_asked() -> None:
    key = uuid.uuid4()
    with time_machine.travel("2026-01-01 12:00Z"):
        token = FAMILY.token(key)
    with time_machine.travel("2026-02-01 12:00Z"):
        assert FAMILY.key(token, max_age=timedelta(days=30)) is None
        assert FAMILY.key(token, max_age=timedelta(days=32)) == key
        assert FAMILY.key(token) == key
