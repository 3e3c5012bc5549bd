"""An inquiry is stored in one transaction with everything that follows from it: with the
database task backend, the one task that queues its e-mail and screens it commits with it,
or not at all."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django_tasks_db.models import DBTaskResult

from cellclinic.core.models import OutboundEmail
from cellclinic.inquiries.models import Inquiry
from cellclinic.inquiries.services import inquiry_submit
from cellclinic.programs.selectors import program_get
from conftest import build_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_tasks(settings: Any) -> None:
    settings.TASKS = {
        "default": {**settings.TASKS["default"], "BACKEND": "django_tasks_db.DatabaseBackend"}
    }


class Rollback(Exception):
    pass


def test_the_tasks_roll_back_with_the_inquiry(database_tasks: None) -> None:
    program = program_get(slug="cerebral-palsy")
    assert program is not None
    with pytest.raises(Rollback), transaction.atomic():
        inquiry_submit(program=program, answers=build_answers(), language="en")
        assert DBTaskResult.objects.count() == 1  # written in the inquiry's transaction
        raise Rollback
    assert not Inquiry.objects.exists()
    assert not OutboundEmail.objects.exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_inquiry_through_the_api_is_one_commit_with_its_tasks(
    database_tasks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    commits = []
    real_commit = connection.commit

    def counting_commit() -> None:
        commits.append(1)
        real_commit()

    autocommitted: list[str] = []  # each such write is a commit of its own

    def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not connection.in_atomic_block and sql.lstrip().upper().startswith(
            ("INSERT", "UPDATE", "DELETE")
        ):
            autocommitted.append(sql[:80])
        return execute(sql, params, many, context)

    monkeypatch.setattr(connection, "commit", counting_commit)
    body = {"program": "cerebral-palsy", "answers": build_answers()}
    with connection.execute_wrapper(watch):
        response = Client().post(
            "/api/v1/inquiries",
            json.dumps(body),
            content_type="application/json",
            headers={"Idempotency-Key": "one-commit"},
        )
    assert response.status_code == 201, response.content
    assert len(commits) == 1 and autocommitted == []
    assert list(DBTaskResult.objects.values_list("task_path", flat=True)) == [
        "cellclinic.inquiries.tasks.inquiry_received"
    ]
    assert not OutboundEmail.objects.exists()  # rendered by the task, not while the family waits
