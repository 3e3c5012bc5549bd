"""A backup as docs/deployment.md lists it (the database, SECRET_KEY, FIELD_ENCRYPTION_KEY),
restored into a fresh database and data directory, opens a family link sent before the
backup and lets a staff member sign in with their authenticator. Without the keys it does
neither: the database alone is not a backup, and gives nobody a sign-in code.

Run as an operator would, with the `cellclinic` command in separate processes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import STROKE_ANSWERS

DATABASE = "cellclinic.sqlite3"
KEY_VARIABLES = ("SECRET_KEY", "FIELD_ENCRYPTION_KEY", "DATABASE_URL", "CELLCLINIC_MODE")

BEFORE = """
import json
from datetime import date

import django

django.setup()
from cellclinic.accounts.services import staff_user_create
from cellclinic.inquiries.family import family_url
from cellclinic.inquiries.services import inquiry_submit
from cellclinic.programs.answers import AnswersForm
from cellclinic.programs.selectors import program_get

program = program_get(slug="stroke")
form = AnswersForm(program.definition, json.loads(ANSWERS), as_of=date.today())
inquiry, _ = inquiry_submit(program=program, answers=form.answers, language="en")
_user, secret = staff_user_create(username="nina", role="coordinator", password="a-long-password-1")
print(json.dumps({"link": family_url(inquiry), "reference": inquiry.reference, "secret": secret}))
"""

AFTER = """
import json
import sys
import time
from urllib.parse import urlsplit

import django

django.setup()
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client

before = json.loads(sys.argv[1])
family = Client().get(urlsplit(before["link"]).path)
staff = Client(raise_request_exception=False)
step = staff.post("/accounts/login/", {"login": "nina", "password": "a-long-password-1"})
code = format_hotp_value(hotp_value(before["secret"], int(time.time()) // 30))
done = staff.post(step["Location"], {"code": code})
print(json.dumps({
    "family_status": family.status_code,
    "family_page_names_the_inquiry": before["reference"] in family.content.decode(),
    "sign_in_status": done.status_code,
    "signed_in": "_auth_user_id" in staff.session,
}))
"""


def environment(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in KEY_VARIABLES}
    return {**env, "CELLCLINIC_DATA_DIR": str(data_dir), **extra}


def run(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def restore(backup: Path, data_dir: Path, before: dict[str, str], **keys: str) -> dict:
    """A fresh data directory with the database copy in it, the keys given, migrated."""
    data_dir.mkdir()
    shutil.copy(backup, data_dir / DATABASE)
    env = environment(data_dir, **keys)
    run(env, "-m", "cellclinic.cli", "migrate", "--verbosity", "0")
    return json.loads(run(env, "-c", AFTER, json.dumps(before)).strip().splitlines()[-1])


@pytest.fixture(scope="module")
def backup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], dict]:
    """A site in use (development mode, keys kept in its data directory), then backed up
    as docs/deployment.md says: an online copy of the database, and the two keys."""
    site = tmp_path_factory.mktemp("site")
    env = environment(site)
    run(env, "-m", "cellclinic.cli", "migrate", "--verbosity", "0")
    script = f"ANSWERS = {json.dumps(json.dumps(STROKE_ANSWERS))}\n" + BEFORE
    before = json.loads(run(env, "-c", script).strip().splitlines()[-1])
    copy = tmp_path_factory.mktemp("backup") / "cellclinic-backup.sqlite3"
    online_copy = (
        "import sqlite3, sys; sqlite3.connect(sys.argv[1]).backup(sqlite3.connect(sys.argv[2]))"
    )
    run(env, "-c", online_copy, str(site / DATABASE), str(copy))
    keys = {
        "SECRET_KEY": (site / "secret_key").read_text(),
        "FIELD_ENCRYPTION_KEY": (site / "field_encryption_key").read_text(),
    }
    return copy, keys, before


def test_a_restore_with_both_keys_opens_an_old_family_link_and_signs_staff_in(
    backup, tmp_path: Path
) -> None:
    copy, keys, before = backup
    after = restore(copy, tmp_path / "restored", before, **keys)
    assert after == {
        "family_status": 200,
        "family_page_names_the_inquiry": True,
        "sign_in_status": 302,
        "signed_in": True,
    }


def test_the_database_alone_opens_no_family_link_and_signs_nobody_in(
    backup, tmp_path: Path
) -> None:
    copy, _keys, before = backup
    after = restore(copy, tmp_path / "database-only", before)  # new keys are made
    assert after["family_status"] == 404 and not after["family_page_names_the_inquiry"]
    assert after["sign_in_status"] == 500 and not after["signed_in"]
