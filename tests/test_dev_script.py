"""dev.py, the README's two commands: the demo prints and e-mails the address it serves."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SPEC = importlib.util.spec_from_file_location("dev", Path(__file__).parents[1] / "dev.py")
assert SPEC is not None and SPEC.loader is not None
dev = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(dev)


@pytest.mark.parametrize(
    ("args", "url"),
    [
        ([], "http://127.0.0.1:8000"),
        (["--port", "8080"], "http://127.0.0.1:8080"),
        (["--port=9001", "--workers", "1"], "http://127.0.0.1:9001"),
        (["--host", "0.0.0.0", "--port", "8001"], "http://127.0.0.1:8001"),  # noqa: S104
        (["--host=localhost"], "http://localhost:8000"),
    ],
)
def test_the_demo_names_the_port_it_serves(args: list[str], url: str) -> None:
    assert dev._served_at(args) == url


def test_the_demo_command_prints_the_configured_address(settings, capsys, db) -> None:
    from django.core.management import call_command

    settings.SITE_URL = "http://127.0.0.1:8123"
    call_command("demo", "--no-inquiries")
    assert "http://127.0.0.1:8123/accounts/login/" in capsys.readouterr().err
