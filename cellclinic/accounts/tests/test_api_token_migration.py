"""Tokens made before expiry existed get one, API_TOKEN_DAYS after they were made."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("accounts", "0002_encrypt_mfa_secrets")]
AFTER = [("accounts", "0003_api_token_expiry_uuid_and_revoked_reason")]


def test_old_tokens_get_an_expiry_a_uuid_and_a_reason_if_revoked() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("auth", "User").objects.create(username="early")
    token = old.get_model("accounts", "ApiToken")
    made = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    for n, revoked in enumerate((None, made)):
        row = token.objects.create(user=user, name=f"t{n}", digest=f"{n:064}", revoked_at=revoked)
        token.objects.filter(pk=row.pk).update(created_at=made)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("accounts", "ApiToken")
    rows = list(new.objects.order_by("name"))
    assert [r.expires_at for r in rows] == [made + timedelta(days=90)] * 2
    assert [r.revoked_reason for r in rows] == ["", "revoked"]
    assert len({r.uuid for r in rows}) == 2
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
