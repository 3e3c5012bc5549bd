"""Production mode passes Django's deployment check: HTTPS only, HSTS with subdomains and
preload, secure cookies."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

PRODUCTION = {
    "CELLCLINIC_MODE": "production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "clinic.example",
    "SITE_URL": "https://clinic.example",
    "MEDICAL_DIRECTOR_EMAIL": "director@clinic.example",
    "FIELD_ENCRYPTION_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
}


def check_deploy(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    # The browser tests' conftest allows async-unsafe calls for Playwright; a deployment does not.
    unset = ("SECURE_", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    full = {k: v for k, v in os.environ.items() if not k.startswith(unset)}
    full.update({"CELLCLINIC_DATA_DIR": str(tmp_path), **PRODUCTION, **env})
    return subprocess.run(
        [sys.executable, "-m", "cellclinic.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_mode_passes_the_deployment_check(tmp_path: Path) -> None:
    result = check_deploy(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_each_https_setting_can_still_be_turned_off_and_the_check_says_so(tmp_path: Path) -> None:
    result = check_deploy(
        tmp_path,
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
        SECURE_HSTS_PRELOAD="false",
    )
    assert result.returncode != 0
    for warning in ("security.W008", "security.W005", "security.W021"):
        assert warning in result.stderr


@pytest.mark.django_db
def test_plain_http_is_redirected_except_the_health_check(settings) -> None:
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    page = client.get("/")
    assert page.status_code == 301 and page["Location"] == "https://testserver/"
    assert client.get("/healthz").status_code == 200
