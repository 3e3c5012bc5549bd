"""`cellclinic worker`: runs background tasks (e-mails, reminders) until stopped.

It runs django-tasks-db's worker over every queue, highest priority first, and beside it
two threads: a second worker that serves only the urgent queue (serious adverse-event
notices), so a send stuck on a silent mail server never holds a notice, and a sweep that
re-queues any e-mail whose task was lost, so a message stored with its record is always
sent in the end.
"""

from __future__ import annotations

import logging
import threading
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from cellclinic.contact.emails import acknowledgements_pending
from cellclinic.core.outbox import URGENT_QUEUE, outbox_requeue_due
from cellclinic.core.ratelimit import rate_limit_prune
from cellclinic.followup.reminders import reminders_due
from cellclinic.inquiries.emails import confirmations_pending
from cellclinic.screening.services import screening_pending

logger = logging.getLogger(__name__)


def _sweep(stop: threading.Event, every: float) -> None:
    while not stop.wait(every):
        try:
            requeued = outbox_requeue_due()
            if requeued:
                logger.info("re-queued %d e-mails", requeued)
            confirmed = confirmations_pending(limit=500)
            if confirmed:
                logger.info("queued %d confirmations whose task was lost", confirmed)
            acknowledged = acknowledgements_pending(limit=500)
            if acknowledged:
                logger.info("queued %d acknowledgements whose task was lost", acknowledged)
            screened = screening_pending(limit=500)
            if screened:
                logger.info("screened %d inquiries that had no decision", screened)
            reminded = reminders_due()
            if reminded:
                logger.info("sent %d follow-up reminders whose task was lost", reminded)
            rate_limit_prune()
        except Exception:
            logger.exception("outbox sweep failed; trying again later")
        finally:
            close_old_connections()


def _urgent_lane(interval: float) -> Worker:
    return Worker(
        queue_names=[URGENT_QUEUE],
        interval=interval,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=f"urgent-{get_random_string(24)}",
        excluded_queue_names=[],
    )


def _run_lane(lane: Worker) -> None:
    """Run a worker loop in this thread; a database error restarts it, never ends it."""
    while lane.running:
        try:
            lane.run()
        except Exception:
            logger.exception("the urgent e-mail lane failed; restarting it")
            time.sleep(max(lane.interval, 1.0))
        finally:
            close_old_connections()


class Command(BaseCommand):
    help = "Run the background task worker (e-mails and other tasks)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
        parser.add_argument(
            "--batch", action="store_true", help="run the tasks that are due, then exit"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"]:
            outbox_requeue_due(grace_seconds=0)
            confirmations_pending()
            acknowledgements_pending()
            screening_pending()
            reminders_due()
            call_command(
                "db_worker",
                batch=True,
                interval=0,
                queue_name="*",
                verbosity=options["verbosity"],
            )
            return
        stop = threading.Event()
        sweeper = threading.Thread(target=_sweep, args=(stop, 60.0), daemon=True)
        sweeper.start()
        urgent = _urgent_lane(options["interval"])
        threading.Thread(target=_run_lane, args=(urgent,), daemon=True).start()
        try:
            call_command(
                "db_worker",
                interval=options["interval"],
                queue_name="*",
                verbosity=options["verbosity"],
            )
        finally:
            urgent.running = False
            stop.set()
