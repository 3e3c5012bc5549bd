"""Migration 0005 moves each client's recent inquiry times from the table of hits into its
key row, so an upgrade does not hand every client a fresh limit: whether the database comes
from 0004 (a key row for every client that posted since) or from before it (hits only)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

AFTER = [("cellclinic", "0005_ratelimit_recent_in_the_key_row")]
CLIENT = "c" * 64


@pytest.mark.parametrize("before", ["0003_cache_table", "0004_ratelimit_key_lock"])
def test_an_upgrade_keeps_the_times_still_inside_the_window(before: str) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([("cellclinic", before)])
    old = executor.loader.project_state([("cellclinic", before)]).apps
    hit = old.get_model("cellclinic", "RateLimitHit")
    now = timezone.now()
    window = settings.INQUIRY_RATE_WINDOW
    inside = [now - timedelta(seconds=window * f) for f in (0.75, 0.5, 0.25)]
    for at in [now - timedelta(seconds=window * 2), *inside]:
        hit.objects.create(scope="inquiry", client=CLIENT, at=at)
    if before.startswith("0004"):  # the 0004 code wrote a key row with every hit
        old.get_model("cellclinic", "RateLimitKey").objects.create(
            scope="inquiry", client=CLIENT, last_at=inside[-1]
        )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    key = executor.loader.project_state(AFTER).apps.get_model("cellclinic", "RateLimitKey")
    rows = list(key.objects.values_list("scope", "client", "recent"))
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    expected = [t.timestamp() for t in inside][-settings.INQUIRY_RATE_LIMIT :]
    assert rows == [("inquiry", CLIENT, expected)]
