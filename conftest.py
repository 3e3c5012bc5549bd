"""Shared test fixtures: private upload storage, task running and answer builders."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from django.utils import timezone
from django_tasks import default_task_backend
from django_tasks.base import TaskResultStatus

CP_ANSWERS: dict[str, Any] = {
    "contact.name": "Maria Ivanova",
    "contact.relationship": "parent",
    "contact.email": "maria@example.org",
    "contact.country": "RU",
    "contact.language": "ru",
    "patient.name": "Anna Ivanova",
    "patient.sex": "female",
    "patient.birth_date": "2019-05-04",
    "cp.diagnosis": "confirmed",
    "cp.type": "spastic",
    "cp.gmfcs_level": "3",
    "cp.epilepsy": "none",
    "cp.hydrocephalus": "no",
    "cp.goals": ["motor", "speech_language"],
    "cp.rehabilitation": True,
    "consent.data_processing": True,
}
STROKE_ANSWERS: dict[str, Any] = {
    "contact.name": "Carlos Ruiz",
    "contact.email": "carlos@example.org",
    "contact.country": "ES",
    "patient.name": "Carlos Ruiz",
    "patient.birth_date": "1960-01-15",
    "stroke.type": "ischemic",
    "stroke.onset_date": "2026-02-01",
    "stroke.mrs": "3",
    "consent.data_processing": True,
}


@pytest.fixture(autouse=True)
def _private_uploads(settings: Any, tmp_path: Any) -> None:
    """Every test writes uploads to its own directory, never to ./var."""
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "uploads"), "base_url": None},
        },
    }


@pytest.fixture(autouse=True)
def _clear_cache(request: pytest.FixtureRequest) -> None:
    """Rate limits (allauth's sign-in limits among them) live in the cache: start clean.

    The cache is a table in the database, so only a test with database access (as
    pytest-django decides it) can reach it, and only such a test needs it emptied.
    """
    from django.core.cache import cache

    uses_database = request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    )
    if not uses_database:
        return
    request.getfixturevalue("django_db_setup")
    with request.getfixturevalue("django_db_blocker").unblock():
        cache.clear()


def access_log_emptied() -> None:
    """Empty the append-only access log, its triggers lifted for this one transaction.

    For the test harness only: nothing in the application may do this, and the database
    refuses it to anyone who is not the table's owner (PostgreSQL) or does not drop the
    triggers (SQLite). The triggers are put back from the database's own definition."""
    from django.db import connection, transaction

    from cellclinic.audit.models import AccessEvent

    if not AccessEvent.objects.exists():
        return
    table = AccessEvent._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (the model's table name)
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            return
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
            [table],
        )
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (the model's table name)
        for _name, sql in triggers:
            cursor.execute(sql)


@pytest.fixture(autouse=True)
def _access_log_emptied_before_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """A transactional test (and every browser test) ends with Django's flush: DELETE on
    SQLite, TRUNCATE on PostgreSQL, which the access log's append-only triggers refuse
    while the log holds a row. The harness empties the log first (`access_log_emptied`);
    the flush then finds it empty, which the triggers let pass (nothing is lost)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if not transactional:
        yield
        return
    # requested from here, the database fixture is torn down (and flushed) after this one
    request.getfixturevalue("transactional_db")
    yield
    access_log_emptied()


@pytest.fixture(autouse=True)
def _clear_tasks() -> Iterator[None]:
    default_task_backend.clear()  # type: ignore[attr-defined]
    yield
    default_task_backend.clear()  # type: ignore[attr-defined]


@pytest.fixture
def run_tasks() -> Callable[..., int]:
    """Run the queued tasks (the test backend only stores them), including new ones.

    With `due_only`, a task deferred to a later time is left for later, as a worker would.
    """

    def run(*, due_only: bool = False) -> int:
        ran = 0
        progress = True
        while progress:
            progress = False
            for result in list(default_task_backend.results):  # type: ignore[attr-defined]
                if result.status != TaskResultStatus.READY:
                    continue
                if due_only and result.task.run_after and result.task.run_after > timezone.now():
                    continue
                object.__setattr__(result, "status", TaskResultStatus.SUCCESSFUL)
                result.task.call(*result.args, **result.kwargs)
                ran += 1
                progress = True
        return ran

    return run


SAMPLES = {"cerebral-palsy": CP_ANSWERS, "stroke": STROKE_ANSWERS}


def with_changes(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A copy of answers; `cp__epilepsy="controlled"` sets `cp.epilepsy`, None removes it."""
    answers = dict(base)
    for key, value in changes.items():
        item = key.replace("__", ".")
        if value is None:
            answers.pop(item, None)
        else:
            answers[item] = value
    return answers


def build_answers(program: str = "cerebral-palsy", /, **overrides: Any) -> dict[str, Any]:
    """Valid answers for a program, with changes as `with_changes` takes them."""
    return with_changes(SAMPLES[program], overrides)


@pytest.fixture
def definitions(tmp_path: Any) -> Any:
    """A copy of the shipped definition files that a test may edit."""
    import shutil

    from cellclinic.programs.loader import DEFINITIONS_DIR

    target = tmp_path / "definitions"
    shutil.copytree(DEFINITIONS_DIR, target)
    return target


def as_form(answers: dict[str, Any]) -> dict[str, Any]:
    """JSON answers as the HTML form posts them."""
    form: dict[str, Any] = {}
    for key, value in answers.items():
        if value is True:
            form[key] = "yes"
        elif value is False:
            form[key] = "no"
        elif isinstance(value, date):
            form[key] = value.isoformat()
        else:
            form[key] = value if isinstance(value, list) else str(value)
    return form


def totp_now(secret: str, *, windows_back: int = 0) -> str:
    """The TOTP code of the current 30-second window (or an earlier one)."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    counter = int(time.time()) // 30 - windows_back
    return format_hotp_value(hotp_value(secret, counter))


@pytest.fixture
def sign_in(db: None) -> Callable[..., Any]:
    """A client signed in as a new staff user of a role, through password and TOTP."""
    from django.test import Client

    from cellclinic.accounts.services import staff_user_create

    made: dict[str, int] = {}

    def sign(role: str, *, client: Client | None = None) -> Client:
        made[role] = made.get(role, 0) + 1
        username = f"{role}{made[role]}"
        _user, secret = staff_user_create(
            username=username, role=role, password="a-long-password-1"
        )
        client = client or Client()
        step = client.post("/accounts/login/", {"login": username, "password": "a-long-password-1"})
        assert step.status_code == 302, step.content.decode()[-3000:]
        done = client.post(step["Location"], {"code": totp_now(secret)})
        assert done.status_code == 302, "the TOTP sign-in failed"
        return client

    return sign


@pytest.fixture(scope="session")
def _migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A SQLite database file as `cellclinic migrate` leaves it, made once per session."""
    import os
    import subprocess
    import sys

    data_dir = tmp_path_factory.mktemp("migrated")
    env = {**os.environ, "CELLCLINIC_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "cellclinic.cli", "migrate"],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return data_dir / "cellclinic.sqlite3"


@pytest.fixture
def shared_database(transactional_db: None, tmp_path: Any, request: Any) -> dict[str, str]:
    """The environment for `cellclinic` processes that share one database, as the workers
    and app servers of a deployment do: the tests' own PostgreSQL database (emptied after
    the test), or else a fresh copy of a migrated SQLite file (the tests' own SQLite lives
    in memory, out of other processes' reach)."""
    import os
    import shutil
    from urllib.parse import quote

    from django.db import connection

    env = {**os.environ, "CELLCLINIC_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        user = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
        host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        env["DATABASE_URL"] = f"postgres://{user}@{host}/{db['NAME']}"
    else:
        shutil.copy(request.getfixturevalue("_migrated_sqlite"), tmp_path / "cellclinic.sqlite3")
    return env


def in_a_process(env: dict[str, str], code: str, *args: str) -> list[str]:
    """Run Python `code` (Django set up, `args` in sys.argv[1:]) in a process of its own, as
    another worker would; returns the lines it printed."""
    import subprocess
    import sys

    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", f"import django\ndjango.setup()\n{code}", *args],
        env={**env, "DJANGO_SETTINGS_MODULE": "cellclinic.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.splitlines()
