"""An SMTP server that accepts the connection and never answers costs one EMAIL_TIMEOUT:
the send is recorded as a failure and retried, never lost and never marked sent."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import environ
import pytest
from django.core.mail import get_connection
from django.utils import timezone
from django_tasks import default_task_backend

from cellclinic.core.models import OutboundEmail
from cellclinic.core.outbox import URGENT_PRIORITY, URGENT_QUEUE, outbox_requeue_due, outbox_send
from cellclinic.tests.smtp import SmtpServer, queue_email

pytestmark = pytest.mark.django_db


def use_smtp(settings: Any, url: str, timeout: int | None) -> None:
    """Configure e-mail from an EMAIL_URL, as settings.py does; None keeps EMAIL_TIMEOUT."""
    for name, value in environ.Env.email_url_config(url).items():
        setattr(settings, name, value)
    if timeout is not None:
        settings.EMAIL_TIMEOUT = timeout


def test_every_network_step_of_a_send_waits_twenty_seconds_at_most_by_default(
    settings: Any,
) -> None:
    use_smtp(settings, "smtp+tls://user:secret@smtp.example.org:587", timeout=None)
    assert "EMAIL_TIMEOUT" not in os.environ
    assert get_connection().timeout == 20  # type: ignore[attr-defined]


def test_a_silent_server_times_out_and_the_notice_is_retried_first(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with SmtpServer(silent=1) as server:
        use_smtp(settings, server.url, timeout=1)
        with django_capture_on_commit_callbacks(execute=True):
            email = OutboundEmail.objects.get(
                pk=queue_email(to="director@clinic.example", urgent=True)
            )
        default_task_backend.clear()  # type: ignore[attr-defined]

        assert outbox_send(email_id=email.pk) is False

    email.refresh_from_db()
    assert email.sent_at is None and email.gave_up_at is None and email.claimed_until is None
    assert email.attempts == 1 and "timed out" in email.last_error
    assert email.next_attempt_at > timezone.now()
    [retry] = default_task_backend.results  # type: ignore[attr-defined]
    assert retry.kwargs == {"email_id": email.pk}
    assert retry.task.run_after == email.next_attempt_at
    assert (retry.task.queue_name, retry.task.priority) == (URGENT_QUEUE, URGENT_PRIORITY)
    assert server.connections == [[]]  # one attempt, which never got to a recipient


def test_the_same_server_answering_later_gets_the_message_once(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with SmtpServer(silent=1) as server:
        use_smtp(settings, server.url, timeout=1)
        with django_capture_on_commit_callbacks(execute=True):
            email_id = queue_email(to="family@example.org")
        assert outbox_send(email_id=email_id) is False
        assert outbox_send(email_id=email_id) is True
        assert outbox_send(email_id=email_id) is False
    assert server.connections == [[], ["family@example.org"]]
    assert OutboundEmail.objects.get(pk=email_id).attempts == 2


def test_a_notice_whose_task_was_lost_is_requeued_as_urgent_before_the_others() -> None:
    queue_email(to="family@example.org")  # no commit here: neither task is ever enqueued
    notice_id = queue_email(to="director@clinic.example", urgent=True)
    OutboundEmail.objects.update(next_attempt_at=timezone.now() - timedelta(hours=1))

    assert outbox_requeue_due() == 2

    first, second = default_task_backend.results  # type: ignore[attr-defined]
    assert first.kwargs == {"email_id": notice_id}
    assert (first.task.queue_name, first.task.priority) == (URGENT_QUEUE, URGENT_PRIORITY)
    assert (second.task.queue_name, second.task.priority) == ("default", 0)
