"""A transactional test's flush passes the access log's triggers, and leaves them in place."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from cellclinic.audit.models import AccessEvent
from cellclinic.audit.services import access_record


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_writes_to_the_log() -> None:
    access_record(request=RequestFactory().get("/staff/inquiries/"))
    assert AccessEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_next_one_starts_with_an_empty_log_still_append_only() -> None:
    assert not AccessEvent.objects.exists()
    access_record(request=RequestFactory().get("/staff/inquiries/"))
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_accessevent")
    assert AccessEvent.objects.count() == 1
