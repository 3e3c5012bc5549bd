"""The inquiry rate limit holds when many posts from one address arrive at once at
several server processes that share one database (SQLite or PostgreSQL, as the suite runs)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from cellclinic.tests.test_commands import free_port, wait_for
from conftest import build_answers

PARALLEL = 20
LIMIT = 5


def test_twenty_parallel_inquiries_from_one_address_let_exactly_the_limit_through(
    shared_database: dict[str, str],
) -> None:
    port = free_port()
    log = Path(shared_database["CELLCLINIC_DATA_DIR"]) / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "cellclinic.cli", "serve", "--port", str(port)]
            + ["--workers", "4", "--no-with-worker"],
            env={**shared_database, "INQUIRY_RATE_LIMIT": str(LIMIT)},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    body = json.dumps({"program": "stroke", "answers": build_answers("stroke")}).encode()
    together = threading.Barrier(PARALLEL)

    def post(_: int) -> tuple[int, str | None]:
        request = urllib.request.Request(
            f"{base}/api/v1/inquiries", data=body, headers={"Content-Type": "application/json"}
        )
        together.wait()
        try:
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
                return response.status, None
        except urllib.error.HTTPError as refused:
            return refused.code, refused.headers.get("Retry-After")

    try:
        wait_for(f"{base}/healthz", time.time() + 120)
        with ThreadPoolExecutor(PARALLEL) as pool:
            answers = list(pool.map(post, range(PARALLEL)))
    finally:
        server.terminate()
        server.wait(timeout=30)
    statuses = [status for status, _ in answers]
    assert (statuses.count(201), statuses.count(429)) == (LIMIT, PARALLEL - LIMIT), (
        statuses,
        log.read_text()[-4000:],
    )
    assert all(int(wait or 0) > 0 for status, wait in answers if status == 429)
