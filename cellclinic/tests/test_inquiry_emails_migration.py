"""Migrations inquiries.0004 and cellclinic.0006 move the link between an inquiry and its
e-mails to the inquiry's side: every e-mail written for an inquiry stays linked to it, and
deleting an inquiry still deletes its e-mails."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("cellclinic", "0005_ratelimit_recent_in_the_key_row"),
    ("inquiries", "0003_message_document_message"),
]


def test_each_email_stays_linked_to_its_inquiry_through_the_upgrade() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    program = old.get_model("programs", "Program").objects.create(slug="migration-test")
    version = old.get_model("programs", "ProgramVersion").objects.create(
        program=program, version="1", content_hash="x", definition={}
    )
    inquiry = old.get_model("inquiries", "Inquiry").objects.create(
        reference="AAAA-BBBB-C",
        program=program,
        program_version=version,
        answers={},
        language="en",
        reply_language="en",
        contact_name="A",
        contact_email="a@example.org",
        patient_name="B",
        country="DE",
        source="web",
    )
    email = old.get_model("cellclinic", "OutboundEmail")
    now = timezone.now()
    linked = email.objects.create(
        kind="inquiry_confirmation",
        to="a@example.org",
        language="en",
        subject="s",
        body="b",
        inquiry_id=inquiry.pk,
        next_attempt_at=now,
    )
    alone = email.objects.create(
        kind="password_reset",
        to="staff@example.org",
        language="en",
        subject="s",
        body="b",
        next_attempt_at=now,
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from cellclinic.core.models import OutboundEmail
    from cellclinic.inquiries.models import Inquiry

    upgraded = Inquiry.objects.get(pk=inquiry.pk)
    assert list(upgraded.emails.values_list("pk", flat=True)) == [linked.pk]
    assert not OutboundEmail.objects.get(pk=alone.pk).inquiries.exists()
    upgraded.delete()
    assert list(OutboundEmail.objects.values_list("pk", flat=True)) == [alone.pk]
