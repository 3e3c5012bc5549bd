"""A serious adverse-event notice is never behind more than one other send.

It goes to its own queue with the highest priority, so the worker takes it before any
backlog (fresh messages or retries that are due), and `cellclinic worker` runs a lane for
that queue alone, so a send hanging on a silent SMTP server does not hold it.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from cellclinic.core.outbox import send_email
from cellclinic.tests.smtp import SmtpServer, queue_email
from cellclinic.tests.test_commands import cellclinic

DIRECTOR = "director@clinic.example"


@pytest.mark.django_db(transaction=True)
def test_the_worker_takes_the_notice_before_a_backlog_of_messages_and_retries(
    settings: Any, mailoutbox: list[Any]
) -> None:
    settings.TASKS = {
        "default": {**settings.TASKS["default"], "BACKEND": "django_tasks_db.DatabaseBackend"}
    }
    for n in range(3):
        queue_email(to=f"family{n}@example.org")
    for n in range(2):  # retries that fell due a while ago
        email_id = queue_email(to=f"retry{n}@example.org")
        send_email.using(run_after=timezone.now() - timedelta(minutes=5)).enqueue(email_id=email_id)
    queue_email(to=DIRECTOR, urgent=True)

    call_command("worker", batch=True, verbosity=0)

    assert [m.to for m in mailoutbox][0] == [DIRECTOR]
    assert len(mailoutbox) == 6


def test_the_worker_sends_the_notice_while_another_send_hangs(tmp_path: Path) -> None:
    """The real `cellclinic worker` on SQLite, with an SMTP server that never answers the
    first connection: the notice queued after that send began is the next one attempted,
    and it is sent while the first send still waits."""
    assert cellclinic(tmp_path, "migrate").returncode == 0
    with SmtpServer(silent=1, give_up_after=60) as server:
        env = {
            **os.environ,
            "CELLCLINIC_DATA_DIR": str(tmp_path),
            "EMAIL_URL": server.url,
            "EMAIL_TIMEOUT": "120",  # the first send stays stuck for the whole test
        }
        env.pop("DATABASE_URL", None)

        def shell(code: str) -> None:
            script = "from cellclinic.tests.smtp import queue_email\n" + code
            result = subprocess.run(
                [sys.executable, "-m", "cellclinic.cli", "shell", "-c", script],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert result.returncode == 0, result.stderr

        shell("for n in range(3): queue_email(to=f'family{n}@example.org')")
        worker = subprocess.Popen(
            [sys.executable, "-m", "cellclinic.cli", "worker", "--interval", "0.2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert server.wait_for(lambda c: len(c) >= 1), "the worker attempted nothing"
            shell(f"queue_email(to={DIRECTOR!r}, urgent=True)")
            assert server.wait_for(lambda c: any(DIRECTOR in r for r in c)), (
                f"the notice was not sent; connections: {server.connections}"
            )
            assert server.connections[:2] == [[], [DIRECTOR]]
            # The recipient is seen before the message is done (DATA, QUIT, then the row is
            # marked sent): the fake server stays up until then, or closing it cuts the send.
            deadline = time.monotonic() + 60  # a guard, not a measure
            while _director_sent(tmp_path) != (1,) and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            server.__exit__(None, None, None)  # the stuck send ends, so the worker can stop
            worker.terminate()
            worker.wait(timeout=60)
    assert _director_sent(tmp_path) == (1,)


def _director_sent(tmp_path: Path) -> tuple[int] | None:
    with sqlite3.connect(tmp_path / "cellclinic.sqlite3") as db:
        return db.execute(
            'SELECT sent_at IS NOT NULL FROM cellclinic_outboundemail WHERE "to" = ?', [DIRECTOR]
        ).fetchone()
