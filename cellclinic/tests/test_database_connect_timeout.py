"""A PostgreSQL server that accepts the connection and never answers does not hold a
process forever: the connection attempt gives up after 10 s (libpq would wait forever)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cellclinic.tests.smtp import SmtpServer

CONNECT = (
    "import django; django.setup()\n"
    "from django.db import connection\n"
    "print(connection.settings_dict['OPTIONS'])\n"
    "connection.ensure_connection()\n"
)


def test_a_silent_database_server_stops_the_connection_attempt(tmp_path: Path) -> None:
    with SmtpServer(silent=1, give_up_after=60) as silent:  # any TCP server that never answers
        env = {
            **os.environ,
            "CELLCLINIC_DATA_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "cellclinic.settings",
            "DATABASE_URL": f"postgres://clinic@127.0.0.1:{silent.port}/clinic",
        }
        result = subprocess.run(
            [sys.executable, "-c", CONNECT], env=env, capture_output=True, text=True, timeout=120
        )
    assert "'connect_timeout': 10" in result.stdout
    assert result.returncode != 0 and "timeout expired" in result.stderr, result.stderr[-2000:]
