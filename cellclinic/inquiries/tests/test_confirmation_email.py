"""A failing e-mail never loses the inquiry; it is retried and sent once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks import default_task_backend
from django_tasks_db.models import DBTaskResult

from cellclinic.core.models import OutboundEmail
from cellclinic.core.outbox import outbox_requeue_due, outbox_send
from cellclinic.inquiries import emails
from cellclinic.inquiries.emails import confirmations_pending
from cellclinic.inquiries.models import Inquiry
from cellclinic.inquiries.tasks import inquiry_received
from conftest import as_form, build_answers

# Real commits: the send task is enqueued only when the inquiry's transaction commits.
pytestmark = pytest.mark.django_db(transaction=True)


def failing_send(*args, **kwargs):
    raise ConnectionRefusedError("smtp down")


def submit(client: Client) -> Inquiry:
    """An inquiry sent, and its follow-through task run: its confirmation is queued."""
    assert (
        client.post("/programs/stroke/inquire/", as_form(build_answers("stroke"))).status_code
        == 302
    )
    inquiry = Inquiry.objects.get()
    inquiry_received.call(inquiry_id=inquiry.pk)
    return inquiry


def test_the_confirmation_is_queued_once_however_often_the_task_runs(client: Client) -> None:
    inquiry = submit(client)
    inquiry_received.call(inquiry_id=inquiry.pk)
    assert OutboundEmail.objects.filter(inquiries=inquiry).count() == 1


def test_a_failing_email_leaves_the_inquiry_stored_and_is_retried(
    client: Client, run_tasks, mailoutbox, monkeypatch
) -> None:
    inquiry = submit(client)
    monkeypatch.setattr(mail.EmailMessage, "send", failing_send)
    run_tasks(due_only=True)
    email = OutboundEmail.objects.get(inquiries=inquiry)
    assert email.sent_at is None and email.attempts == 1
    assert "smtp down" in email.last_error
    assert email.next_attempt_at > timezone.now()
    retries = [r for r in default_task_backend.results if r.status == "READY"]
    assert len(retries) == 1 and retries[0].task.run_after == email.next_attempt_at
    assert Inquiry.objects.filter(pk=inquiry.pk).exists()

    monkeypatch.undo()
    run_tasks()
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 2
    assert len(mailoutbox) == 1


def test_it_gives_up_after_the_retry_limit(
    client: Client, run_tasks, settings, monkeypatch
) -> None:
    settings.EMAIL_RETRY_LIMIT = 3
    submit(client)
    monkeypatch.setattr(mail.EmailMessage, "send", failing_send)
    run_tasks()
    email = OutboundEmail.objects.get()
    assert email.attempts == 3 and email.gave_up_at is not None and email.sent_at is None


def test_a_message_is_never_sent_twice(client: Client, mailoutbox) -> None:
    submit(client)
    email = OutboundEmail.objects.get()
    assert outbox_send(email_id=email.pk) is True
    assert outbox_send(email_id=email.pk) is False
    assert len(mailoutbox) == 1


def test_a_claimed_message_is_left_to_its_worker(client: Client, mailoutbox) -> None:
    submit(client)
    email = OutboundEmail.objects.get()
    OutboundEmail.objects.filter(pk=email.pk).update(
        claimed_until=timezone.now() + timedelta(minutes=5)
    )
    assert outbox_send(email_id=email.pk) is False
    assert mailoutbox == []


def test_a_lost_task_is_requeued_by_the_sweep(client: Client, run_tasks, mailoutbox) -> None:
    submit(client)
    default_task_backend.clear()
    OutboundEmail.objects.update(next_attempt_at=timezone.now() - timedelta(hours=1))
    assert outbox_requeue_due() == 1
    run_tasks()
    assert len(mailoutbox) == 1


def test_the_sweep_queues_a_confirmation_whose_task_was_lost(client: Client, mailoutbox) -> None:
    assert (
        client.post("/programs/stroke/inquire/", as_form(build_answers("stroke"))).status_code
        == 302
    )
    default_task_backend.clear()  # the worker died while running the follow-through
    assert confirmations_pending() == 0  # it has two minutes first
    Inquiry.objects.update(created_at=timezone.now() - timedelta(minutes=3))
    assert confirmations_pending() == 1
    assert confirmations_pending() == 0
    email = OutboundEmail.objects.get()
    assert email.kind == "inquiry_confirmation" and email.to == "carlos@example.org"
    Inquiry.objects.update(created_at=timezone.now() - timedelta(days=8))
    OutboundEmail.objects.all().delete()
    assert confirmations_pending() == 0  # a week on, it is left alone


def test_the_batch_worker_queues_a_confirmation_whose_task_was_lost(
    client: Client, settings
) -> None:
    """`cellclinic worker --batch` (run from a timer instead of the service) makes good what a
    dead worker left undone, as the service's sweep does: it screens the inquiry, and it must
    queue the family's confirmation too, which is no longer stored with the inquiry."""
    settings.TASKS = {
        "default": {**settings.TASKS["default"], "BACKEND": "django_tasks_db.DatabaseBackend"}
    }
    assert (
        client.post("/programs/stroke/inquire/", as_form(build_answers("stroke"))).status_code
        == 302
    )
    # The worker that took the inquiry's task died while running it: the row stays RUNNING.
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now())
    Inquiry.objects.update(created_at=timezone.now() - timedelta(minutes=3))
    call_command("worker", batch=True, verbosity=0)
    inquiry = Inquiry.objects.get()
    assert inquiry.decisions.exists()  # screened by the batch's screening_pending
    assert OutboundEmail.objects.filter(inquiries=inquiry, kind="inquiry_confirmation").count() == 1


def test_one_confirmation_that_cannot_be_queued_does_not_stop_the_others(
    client: Client, monkeypatch
) -> None:
    for email in ("a@example.org", "b@example.org"):
        answers = build_answers("stroke", contact__email=email)
        assert client.post("/programs/stroke/inquire/", as_form(answers)).status_code == 302
    default_task_backend.clear()
    Inquiry.objects.update(created_at=timezone.now() - timedelta(minutes=3))
    first = Inquiry.objects.order_by("pk").first()
    real = emails.family_email_queue

    def failing_for_the_first(inquiry: Inquiry, **kwargs):
        if inquiry.pk == first.pk:
            raise RuntimeError("template missing")
        return real(inquiry, **kwargs)

    monkeypatch.setattr(emails, "family_email_queue", failing_for_the_first)
    assert confirmations_pending() == 1
    assert list(OutboundEmail.objects.values_list("to", flat=True)) == ["b@example.org"]
