"""`cellclinic serve` without a proxy in front: clients that trickle their headers one byte
at a time do not take the server away from everyone else."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from cellclinic.tests.test_commands import free_port, wait_for

SLOW_CLIENTS = 20


def trickle(port: int, stop: threading.Event, opened: list[socket.socket]) -> None:
    """Send a request's headers one byte a second until told to stop."""
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"x" * 200
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    opened.append(sock)
    for byte in request:
        if stop.wait(1.0):
            return
        try:
            sock.sendall(bytes([byte]))
        except OSError:
            return


def test_healthz_answers_while_twenty_clients_trickle_their_headers(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "CELLCLINIC_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "cellclinic.cli", "serve", "--port", str(port)]
        + ["--no-with-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    stop = threading.Event()
    opened: list[socket.socket] = []
    try:
        url = f"http://127.0.0.1:{port}/healthz"
        wait_for(url, time.time() + 60)
        threads = [
            threading.Thread(target=trickle, args=(port, stop, opened), daemon=True)
            for _ in range(SLOW_CLIENTS)
        ]
        for thread in threads:
            thread.start()
        stop.wait(3.0)  # every slow client has sent a few bytes and holds its connection
        assert len(opened) == SLOW_CLIENTS
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
            status = response.status
        print(
            f"/healthz with {SLOW_CLIENTS} trickling clients: {time.perf_counter() - started:.3f} s"
        )
        assert status == 200
    finally:
        stop.set()
        for sock in opened:
            sock.close()
        server.terminate()
        server.wait(timeout=30)
