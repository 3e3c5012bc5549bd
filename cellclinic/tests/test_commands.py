"""The `cellclinic` command line, run as a user would run it."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import build_answers

COMMANDS = [
    "migrate",
    "serve",
    "worker",
    "demo",
    "screen",
    "screening",
    "mfa_secrets_reencrypt",
    "token",
]


def cellclinic(tmp_path: Path, *args: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CELLCLINIC_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "cellclinic.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_prints_help(tmp_path: Path, command: str) -> None:
    result = cellclinic(tmp_path, command, "--help")
    assert result.returncode == 0 and "usage: cellclinic" in result.stdout


def test_demo_prints_one_working_login_per_role(tmp_path: Path) -> None:
    assert cellclinic(tmp_path, "migrate").returncode == 0
    result = cellclinic(tmp_path, "demo")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    pattern = r"role=(\w+) username=(\S+) password=(\S{12,}) totp_secret=([A-Z2-7]{16,})"
    roles = [re.fullmatch(pattern, line).group(1) for line in lines]  # type: ignore[union-attr]
    assert roles == ["coordinator", "physician", "nurse", "analyst", "admin"]
    again = cellclinic(tmp_path, "demo")
    assert again.returncode == 0 and len(again.stdout.strip().splitlines()) == 5
    assert again.stdout != result.stdout  # fresh credentials each run


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, deadline: float) -> None:
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer")


def test_serve_runs_gunicorn_with_static_files_and_the_worker_sends_the_email(
    tmp_path: Path,
) -> None:
    """End to end on the embedded default: gunicorn, whitenoise, the task worker, e-mail."""
    assert cellclinic(tmp_path, "migrate").returncode == 0
    port = free_port()
    env = {**os.environ, "CELLCLINIC_DATA_DIR": str(tmp_path), "EMAIL_URL": "filemail://"}
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "cellclinic.cli", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/healthz", time.time() + 60)
        with urllib.request.urlopen(f"{base}/static/cellclinic/site.css") as response:  # noqa: S310
            assert response.status == 200 and b"--accent" in response.read()
        with urllib.request.urlopen(f"{base}/programs/stroke/") as response:  # noqa: S310
            assert response.status == 200
        body = json.dumps({"program": "stroke", "answers": build_answers("stroke")}).encode()
        request = urllib.request.Request(
            f"{base}/api/v1/inquiries", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request) as response:  # noqa: S310
            reference = json.loads(response.read())["reference"]
        deadline = time.time() + 30
        mail_dir = tmp_path / "mail"
        while time.time() < deadline:
            sent = [p.read_text() for p in mail_dir.glob("*.log")] if mail_dir.exists() else []
            if any(reference in text for text in sent):
                break
            time.sleep(0.5)
        else:
            raise AssertionError("the worker did not send the confirmation e-mail")
    finally:
        server.terminate()
        server.wait(timeout=30)
