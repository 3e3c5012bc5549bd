"""The default cache is a table in the database that every process shares (sign-in
lockouts live there); CACHE_URL or REDIS_URL selects another, such as Redis."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import in_a_process

CACHE = """
import sys

from django.conf import settings
from django.core.cache import cache

if sys.argv[1] == "set":
    cache.set("shared", "set by another process", 60)
if sys.argv[1] != "backend":
    print(cache.get("shared"))
print(settings.CACHES["default"]["BACKEND"])
"""


def cache_in_a_process(env: dict[str, str], step: str, **extra: str) -> list[str]:
    configured = {k: v for k, v in env.items() if k not in ("CACHE_URL", "REDIS_URL")}
    return in_a_process({**configured, **extra}, CACHE, step)


def test_a_value_cached_by_one_process_is_read_by_another(
    shared_database: dict[str, str],
) -> None:
    database_cache = "django.core.cache.backends.db.DatabaseCache"
    assert cache_in_a_process(shared_database, "set") == ["set by another process", database_cache]
    assert cache_in_a_process(shared_database, "get") == ["set by another process", database_cache]


def test_redis_url_selects_the_redis_cache(tmp_path: Path) -> None:
    env = {**os.environ, "CELLCLINIC_DATA_DIR": str(tmp_path)}
    assert cache_in_a_process(env, "backend", REDIS_URL="redis://127.0.0.1:6379/6") == [
        "django.core.cache.backends.redis.RedisCache"
    ]
