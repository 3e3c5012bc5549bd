"""Configuration from the environment; production mode refuses unsafe defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

STRONG_KEY = "k" * 20 + "-random-enough-for-the-test-0123456789"


def start(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DATABASE_URL",
            "SITE_URL",
            "FIELD_ENCRYPTION_KEY",
        )
    }
    full.update(
        {"CELLCLINIC_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "cellclinic.settings"}
    )
    full.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"ALLOWED_HOSTS": "clinic.example"}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "short", "ALLOWED_HOSTS": "clinic.example"}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": STRONG_KEY}, "ALLOWED_HOSTS must name"),
        ({"SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "clinic.example"}, "SITE_URL must be"),
        (
            {"SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "clinic.example", "DEBUG": "true"},
            "DEBUG must be off",
        ),
        (
            {
                "SECRET_KEY": STRONG_KEY,
                "ALLOWED_HOSTS": "clinic.example",
                "SITE_URL": "https://clinic.example",
            },
            "MEDICAL_DIRECTOR_EMAIL must name",
        ),
        (
            {
                "SECRET_KEY": STRONG_KEY,
                "ALLOWED_HOSTS": "clinic.example",
                "SITE_URL": "https://clinic.example",
                "MEDICAL_DIRECTOR_EMAIL": "director@clinic.example",
            },
            "FIELD_ENCRYPTION_KEY must be set",
        ),
        (
            {
                "SECRET_KEY": STRONG_KEY,
                "ALLOWED_HOSTS": "clinic.example",
                "SITE_URL": "https://clinic.example",
                "MEDICAL_DIRECTOR_EMAIL": "director@clinic.example",
                "FIELD_ENCRYPTION_KEY": STRONG_KEY + ",short",
            },
            "FIELD_ENCRYPTION_KEY must be set",
        ),
    ],
)
def test_production_mode_refuses_to_start_with_unsafe_settings(
    tmp_path: Path, env: dict[str, str], complaint: str
) -> None:
    result = start(tmp_path, CELLCLINIC_MODE="production", **env)
    assert result.returncode != 0
    assert "refuses to start in production mode" in result.stderr and complaint in result.stderr


def test_production_mode_starts_when_configured(tmp_path: Path) -> None:
    result = start(
        tmp_path,
        CELLCLINIC_MODE="production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="clinic.example",
        SITE_URL="https://clinic.example",
        MEDICAL_DIRECTOR_EMAIL="director@clinic.example",
        FIELD_ENCRYPTION_KEY="e" * 20 + "-another-random-enough-value",
    )
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "secret_key").exists()
    assert not (tmp_path / "field_encryption_key").exists()


def test_a_clinic_time_zone_that_does_not_exist_stops_start_up(tmp_path: Path) -> None:
    result = start(tmp_path, CLINIC_TIME_ZONE="Mars/Olympus")
    assert result.returncode != 0 and "CLINIC_TIME_ZONE must be an IANA time zone" in result.stderr


def test_development_mode_keeps_a_random_key_outside_the_repository(tmp_path: Path) -> None:
    assert start(tmp_path).returncode == 0
    for name in ("secret_key", "field_encryption_key"):
        key = (tmp_path / name).read_text()
        assert len(key) >= 50 and oct((tmp_path / name).stat().st_mode)[-3:] == "600"
    assert (tmp_path / "secret_key").read_text() != (tmp_path / "field_encryption_key").read_text()


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be one of"),
        ({"INQUIRY_RATE_LIMIT": "many"}, "INQUIRY_RATE_LIMIT must be a whole number"),
        ({"CELLCLINIC_MODE": "staging"}, "CELLCLINIC_MODE must be one of"),
        ({"STAFF_IDLE_MINUTES": "0"}, "STAFF_IDLE_MINUTES must be at least 1"),
        ({"STAFF_SESSION_MAX_HOURS": "half a day"}, "STAFF_SESSION_MAX_HOURS must be a whole"),
        ({"DATABASE_URL": "nonsense://x"}, "DATABASE_URL"),
        ({"EMAIL_TIMEOUT": "0"}, "EMAIL_TIMEOUT must be at least 1"),
    ],
)
def test_a_bad_setting_stops_start_up_naming_the_variable(
    tmp_path: Path, env: dict[str, str], complaint: str
) -> None:
    result = start(tmp_path, **env)
    assert result.returncode != 0 and complaint in result.stderr


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_immediate_transactions(settings) -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in settings.DATABASES["default"]["OPTIONS"]["init_command"]


@pytest.mark.django_db
def test_security_headers_and_csp_are_sent(client) -> None:
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert (
        "default-src 'self'" in csp
        and "script-src 'self'" in csp
        and "frame-ancestors 'none'" in csp
    )
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_pages_are_compressed_for_slow_connections(client) -> None:
    response = client.get("/programs/stroke/inquire/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
