"""A database that does not answer gives 503 with Retry-After, never a 500: pages in the
visitor's language, the API in JSON. Served for real, with a PostgreSQL address where
nothing listens."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from cellclinic.tests.test_commands import free_port

NOBODY_LISTENS = "postgres://cellclinic@127.0.0.1:1/cellclinic"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "CELLCLINIC_DATA_DIR": str(tmp_path_factory.mktemp("data")),
        "DATABASE_URL": NOBODY_LISTENS,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "cellclinic.cli", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while fetch(base + "/healthz")[0] == 0:
            assert time.time() < deadline, "the server did not start"
            time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def fetch(url: str, **request: object) -> tuple[int, dict[str, str], str]:
    """Status, headers and body; status 0 when nothing answers."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, **request), timeout=10) as r:  # type: ignore[arg-type]  # noqa: S310
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()
    except OSError:
        return 0, {}, ""


def test_healthz_says_the_database_is_down(site: str) -> None:
    status, headers, body = fetch(site + "/healthz")
    assert status == 503 and headers["Retry-After"] == "30"
    assert json.loads(body) == {"status": "unavailable", "database": "down"}


@pytest.mark.parametrize("path", ["/", "/programs/cerebral-palsy/", "/programs/stroke/inquire/"])
def test_a_page_says_to_come_back_in_the_visitors_language(site: str, path: str) -> None:
    status, headers, body = fetch(site + path, headers={"Accept-Language": "ru"})
    assert status == 503 and headers["Retry-After"] == "30"
    assert 'lang="ru"' in body and "Сейчас мы не можем ответить" in body


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("GET", "/api/v1/programs", {}),
        ("POST", "/api/v1/inquiries", {"Content-Type": "application/json"}),
        ("GET", "/api/v1/staff/inquiries", {"Authorization": "Bearer some-token"}),
    ],
)
def test_the_api_answers_503_in_json(
    site: str, method: str, path: str, headers: dict[str, str]
) -> None:
    body = json.dumps({"program": "stroke", "answers": {}}).encode() if method == "POST" else None
    status, got, text = fetch(site + path, method=method, data=body, headers=headers)
    assert status == 503 and got["Retry-After"] == "30"
    assert json.loads(text) == {
        "errors": [
            {
                "field": "",
                "message": "The service is briefly unavailable; please try again in a few minutes.",
            }
        ]
    }
