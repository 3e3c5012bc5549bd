"""`cellclinic serve`: the web application under gunicorn.

In the embedded default (SQLite) it also starts `cellclinic worker` as a child process, so
e-mails and other tasks run with nothing else to start. A child process rather than a
thread keeps database connections out of gunicorn's forks; it stops with the server.

gunicorn runs threaded workers (`gthread`): the default `sync` worker serves one connection
at a time and, as gunicorn's deployment notes say, needs a buffering proxy in front, or a
few clients that send their headers slowly hold every worker. A thread blocked on a slow
client leaves the worker's other threads serving, so with `--threads` above the number of
slow clients the site still answers; past that, a buffering proxy (docs/deployment.md).
"""

from __future__ import annotations

import os
import subprocess  # nosec B404  # runs our own worker command only (below)
import sys
from argparse import ArgumentParser, BooleanOptionalAction
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from cellclinic.lib.env import env_int


class Command(BaseCommand):
    help = "Run the web application with gunicorn (and, on SQLite, the task worker)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=int,
            default=env_int("WEB_CONCURRENCY", 2, minimum=1),
            help="gunicorn worker processes (default: WEB_CONCURRENCY or 2)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=env_int("WEB_THREADS", 32, minimum=1),
            help="threads per worker process (default: WEB_THREADS or 32)",
        )
        parser.add_argument(
            "--with-worker",
            action=BooleanOptionalAction,
            default=None,
            help="also run the task worker (default: on with SQLite, off otherwise)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        embedded = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
        with_worker = embedded if options["with_worker"] is None else options["with_worker"]
        worker = None
        if with_worker:
            worker = subprocess.Popen(  # noqa: S603 - our own interpreter and module  # nosec B603
                [sys.executable, "-m", "cellclinic.cli", "worker"], env=os.environ.copy()
            )
        bind = f"{options['host']}:{options['port']}"
        self.stdout.write(f"cellclinic serving at http://{bind}/ (Ctrl+C stops)")
        from gunicorn.app.wsgiapp import WSGIApplication

        sys.argv = [
            "gunicorn",
            "--bind",
            bind,
            "--workers",
            str(options["workers"]),
            "--worker-class",
            "gthread",
            "--threads",
            str(options["threads"]),
            # A worker whose heartbeat stops for this long is replaced; a stop waits this
            # long for requests in flight.
            "--timeout",
            "30",
            "--graceful-timeout",
            "30",
            "--keep-alive",
            "5",
            "--access-logfile",
            "-",
            "--forwarded-allow-ips",
            os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
            "cellclinic.wsgi:application",
        ]
        try:
            WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
