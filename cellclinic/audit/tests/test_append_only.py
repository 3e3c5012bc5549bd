"""The access log is append-only in the database: raw SQL cannot change or remove a row."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from cellclinic.audit.models import AccessEvent
from cellclinic.audit.services import access_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def event() -> AccessEvent:
    access_record(request=RequestFactory().get("/staff/inquiries/?q=Maria"))
    return AccessEvent.objects.get()


def refused(sql: str, *params: object) -> str:
    """Run one statement; the database's refusal, with nothing changed."""
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    return str(caught.value)


def test_a_raw_delete_fails(event: AccessEvent) -> None:
    assert "append-only" in refused("DELETE FROM audit_accessevent WHERE id = %s", event.pk)
    assert "append-only" in refused("DELETE FROM audit_accessevent")
    assert AccessEvent.objects.filter(pk=event.pk).exists()


def test_a_raw_update_fails(event: AccessEvent) -> None:
    assert "append-only" in refused("UPDATE audit_accessevent SET query = 'q=someone else'")
    assert "append-only" in refused(
        "UPDATE audit_accessevent SET user_id = NULL WHERE id = %s", event.pk
    )
    assert AccessEvent.objects.get().query == "q=Maria"


def test_queryset_bulk_writes_fail_too(event: AccessEvent) -> None:
    # they skip the model's save() and delete(): the database still refuses
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.all().delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.update(action="edited")
    assert AccessEvent.objects.get().action == event.action


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
@pytest.mark.django_db(transaction=True)  # a committed row: TRUNCATE must meet no pending check
def test_truncate_fails_on_postgresql(event: AccessEvent) -> None:
    assert "append-only" in refused("TRUNCATE audit_accessevent")
    assert "append-only" in refused("TRUNCATE audit_accessevent CASCADE")
    assert AccessEvent.objects.count() == 1
