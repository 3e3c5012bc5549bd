"""Enqueueing a task so that it exists exactly when the data it works on does."""

from __future__ import annotations

from typing import Any

from django.db import router, transaction
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult


def enqueue_on_commit(task: Task, **kwargs: Any) -> None:
    """Enqueue `task` as part of the current transaction.

    With the database task backend on the same database, the task row is written inside
    the transaction: it commits with the rows it works on, in the same commit (one commit
    per inquiry instead of three), and no crash between the commit and the enqueue can
    leave them without their task. With any other backend, which cannot roll back, the
    task is enqueued when the transaction commits, and never if it rolls back.
    """
    backend = task.get_backend()
    same_database = router.db_for_write(DBTaskResult) == transaction.get_connection().alias
    if isinstance(backend, DatabaseBackend) and same_database:
        task.enqueue(**kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(**kwargs))
