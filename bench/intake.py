"""Benchmark: inquiries posted to `POST /api/v1/inquiries` of a running `cellclinic serve`.

figure:   inquiries stored per second through the API at 16 clients
baseline: requests per second of a bare Django view that inserts one row per request
          (`bench/sites/intake_site/urls.py`), behind the same middleware, the same gunicorn and
          worker count, driven by the same client, in the same run
Also printed: p99 latency of both at 4 clients, the queries and commits one inquiry costs
(counted in-process), and a fault run: clients keep posting, each retrying with its own
Idempotency-Key, while the database restarts (PostgreSQL: `pg_ctlcluster ... restart`;
SQLite: the server is killed with SIGKILL and started again). The run fails unless every
acknowledged reference is stored, and no inquiry is lost or stored twice.

Every inquiry comes from an address of its own, as families do (the server trusts
`X-Forwarded-For`, as behind a proxy, through CLIENT_IP_HEADER), under the default rate limit:
the per-address count is on the measured path, as it is for a clinic.

Run it on PostgreSQL with DATABASE_URL=postgres://user@host/name (a database named
`cellclinic_bench_intake` is made beside it, and dropped after); without it, SQLite.

    .venv/bin/python bench/intake.py [--quick] [--size N] [--repeat R] [--workers W] [--no-fault]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import http.client
import ipaddress
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
# Not bench/ itself on the server's path: bench/queue.py would shadow `queue`.
SITES = Path(__file__).resolve().parent / "sites"
sys.path.insert(0, str(ROOT))

from cellclinic.lib.benchmarks import result_line  # noqa: E402 (needs ROOT on the path)
from conftest import CP_ANSWERS as ANSWERS  # noqa: E402 (the tests' own valid answers)

BENCH_DB = "cellclinic_bench_intake"


def inquiry_body(email: str) -> bytes:
    answers = {**ANSWERS, "contact.email": email}
    return json.dumps({"program": "cerebral-palsy", "answers": answers}).encode()


# --- the database and the server ------------------------------------------------------
def database_url(workdir: str) -> tuple[str, Callable[[], None]]:
    """The URL the run uses, and how to remove what it made."""
    given = os.environ.get("DATABASE_URL", "")
    if not given.startswith("postgres"):
        return f"sqlite:///{workdir}/intake.sqlite3", lambda: None
    import psycopg

    parts = urlsplit(given)
    admin = urlunsplit(parts._replace(path="/postgres"))

    def run(statement: str) -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(statement)

    run(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    run(f"CREATE DATABASE {BENCH_DB}")
    return urlunsplit(parts._replace(path=f"/{BENCH_DB}")), lambda: run(
        f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)"
    )


class Server:
    """`cellclinic serve` with the benchmark's URLconf, in its own process group."""

    def __init__(self, env: dict[str, str], workers: int, log: Path) -> None:
        self.env, self.workers, self.log = env, workers, log
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 (our own interpreter and command)
            [
                sys.executable,
                "-m",
                "cellclinic.cli",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
                "--no-with-worker",
            ],
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _ = request(self.port, "GET", "/healthz", b"", {}, timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"the server did not answer /healthz; see {self.log}")

    def kill(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
            self.process = None


def request(
    port: int,
    method: str,
    path: str,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float = 30,
    conn: http.client.HTTPConnection | None = None,
) -> tuple[int, bytes]:
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    except OSError:
        conn.close()
        raise
    except http.client.HTTPException as exc:  # an answer cut short: the server was killed
        conn.close()
        raise ConnectionError(f"the answer was cut short: {exc!r}") from exc
    finally:
        if own:
            conn.close()


# --- load -------------------------------------------------------------------------------
def load(port: int, clients: int, total: int, make: Callable[[int], tuple[str, bytes, dict]]):
    """`total` requests from `clients` threads; returns (requests/s, latencies in ms, failures)."""
    latencies: list[float] = []
    failures: list[int] = []
    counter = iter(range(total))
    lock = threading.Lock()

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            path, body, headers = make(i)
            begun = time.perf_counter()
            try:
                status, _ = request(port, "POST", path, body, headers, conn=conn)
            except OSError:
                status = 0
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = (time.perf_counter() - begun) * 1000
            with lock:
                latencies.append(elapsed)
                if status != 201:
                    failures.append(status)
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    begun = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return total / (time.perf_counter() - begun), latencies, failures


def p99(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def family_address() -> str:
    """An address of its own for each inquiry (a random one in fd00::/8)."""
    return str(ipaddress.IPv6Address((0xFD << 120) | secrets.randbits(120)))


def api_request(tag: str) -> Callable[[int], tuple[str, bytes, dict]]:
    def make(i: int) -> tuple[str, bytes, dict]:
        return (
            "/api/v1/inquiries",
            inquiry_body(f"{tag}-{i}@example.org"),
            {
                "Content-Type": "application/json",
                "Idempotency-Key": f"{tag}-{i}-{uuid.uuid4()}",
                "X-Forwarded-For": family_address(),
            },
        )

    return make


def bare_request(i: int) -> tuple[str, bytes, dict]:
    return (
        "/bench/bare",
        inquiry_body(f"bare-{i}@example.org"),
        {"Content-Type": "application/json", "X-Forwarded-For": family_address()},
    )


# --- the fault run ----------------------------------------------------------------------
def fault_run(server: Server, total: int, clients: int, restart: Callable[[], None]) -> dict:
    """Clients post, each retrying with its own key until it is acknowledged, while `restart`
    runs in the middle. Returns what was acknowledged: {key: reference}."""
    acknowledged: dict[str, str] = {}
    retries = [0]
    lock = threading.Lock()
    counter = iter(range(total))
    started = threading.Event()

    def client() -> None:
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            if i == total // 4:
                started.set()
            key = f"fault-{i}-{uuid.uuid4()}"
            body = inquiry_body(f"fault-{i}@example.org")
            headers = {
                "Content-Type": "application/json",
                "Idempotency-Key": key,
                "X-Forwarded-For": family_address(),
            }
            deadline = time.monotonic() + 120
            while True:
                try:
                    status, answer = request(
                        server.port, "POST", "/api/v1/inquiries", body, headers
                    )
                except OSError:
                    status, answer = 0, b""
                if status == 201:
                    with lock:
                        acknowledged[key] = json.loads(answer)["reference"]
                    break
                if status not in (0, 500, 502, 503, 504) or time.monotonic() > deadline:
                    raise SystemExit(f"the fault run got {status} {answer[:200]!r} for {key}")
                with lock:
                    retries[0] += 1
                time.sleep(0.2)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    started.wait(timeout=120)
    restart()
    for thread in threads:
        thread.join()
    return {"acknowledged": acknowledged, "retries": retries[0]}


def postgres_restart() -> None:
    versions = sorted(os.listdir("/etc/postgresql"))
    subprocess.run(  # noqa: S603 (a fixed command)
        ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "restart"],  # noqa: S607
        check=True,
        capture_output=True,
    )


def check_fault_run(outcome: dict, total: int) -> dict:
    """Every acknowledged reference is stored under its key; nothing lost or stored twice."""
    from django.db.models import Count

    from cellclinic.inquiries.models import IdempotencyKey, Inquiry

    acknowledged = outcome["acknowledged"]
    stored = dict(
        IdempotencyKey.objects.filter(key__startswith="fault-").values_list(
            "key", "inquiry__reference"
        )
    )
    lost = [key for key, ref in acknowledged.items() if stored.get(key) != ref]
    twice = (
        Inquiry.objects.filter(contact_email__startswith="fault-")
        .values("contact_email")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    unacknowledged = total - len(acknowledged)
    return {
        "posted": total,
        "acknowledged": len(acknowledged),
        "lost": len(lost),
        "duplicated": twice,
        "unacknowledged": unacknowledged,
        "retries": outcome["retries"],
    }


# --- queries and commits, in-process -----------------------------------------------------
def cost_of_one_inquiry() -> tuple[int, int]:
    """Queries and commits of one `POST /api/v1/inquiries` through Django's full stack."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    commits = [0]
    real_commit = connection.commit

    def counting_commit() -> None:
        commits[0] += 1
        real_commit()

    writes_outside = [0]

    def watch(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if not connection.in_atomic_block and sql.lstrip().upper().startswith(
            ("INSERT", "UPDATE", "DELETE")
        ):
            writes_outside[0] += 1  # autocommit: each such statement is its own commit
        return execute(sql, params, many, context)

    client = Client()
    body = inquiry_body("cost@example.org")
    connection.commit = counting_commit  # type: ignore[method-assign]
    try:
        with connection.execute_wrapper(watch), CaptureQueriesContext(connection) as queries:
            answer = client.post(
                "/api/v1/inquiries",
                body,
                content_type="application/json",
                headers={"Idempotency-Key": f"cost-{uuid.uuid4()}"},
            )
    finally:
        connection.commit = real_commit  # type: ignore[method-assign]
    assert answer.status_code == 201, answer.content
    return len(queries.captured_queries), commits[0] + writes_outside[0]


# --- the run ------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="400 requests a phase (for CI)")
    parser.add_argument("--size", type=int, help="requests in each measured phase")
    parser.add_argument("--repeat", type=int, default=1, help="measured rounds (best is kept)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--no-fault", action="store_true", help="skip the restart run")
    options = parser.parse_args()
    size = options.size or (400 if options.quick else 3000)
    workdir = tempfile.mkdtemp(prefix="cellclinic-bench-intake-")
    url, drop = database_url(workdir)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "CELLCLINIC_DATA_DIR": workdir,
        "DJANGO_SETTINGS_MODULE": "intake_site.settings",
        "PYTHONPATH": os.pathsep.join([str(SITES), str(ROOT)]),
        "CLIENT_IP_HEADER": "HTTP_X_FORWARDED_FOR",
        "EMAIL_URL": "consolemail://",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("CELLCLINIC_TESTING", None)
    env.pop("INQUIRY_RATE_LIMIT", None)  # the default limit, per family address
    os.environ.update(
        {
            k: env[k]
            for k in ("DATABASE_URL", "CELLCLINIC_DATA_DIR", "CLIENT_IP_HEADER", "EMAIL_URL")
        }
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "intake_site.settings"
    sys.path.insert(0, str(SITES))
    server = Server(env, options.workers, Path(workdir) / "serve.log")
    try:
        subprocess.run(  # noqa: S603 (our own interpreter and command)
            [sys.executable, "-m", "cellclinic.cli", "migrate", "--verbosity", "0"],
            env=env,
            check=True,
        )
        import django

        django.setup()
        from django.db import connection
        from intake_site.urls import TABLE

        with connection.cursor() as cursor:
            kind = (
                "INTEGER PRIMARY KEY AUTOINCREMENT"
                if connection.vendor == "sqlite"
                else "BIGSERIAL PRIMARY KEY"
            )
            cursor.execute(f"CREATE TABLE {TABLE} (id {kind}, body TEXT NOT NULL)")
        queries, commits = cost_of_one_inquiry()
        vendor = connection.vendor
        connection.close()
        server.start()
        load(server.port, 4, 40, bare_request)  # warm both paths in every worker
        load(server.port, 4, 40, api_request("warm"))
        best_api = best_bare = 0.0
        api_p99: list[float] = []
        bare_p99: list[float] = []
        for round_ in range(options.repeat):
            bare_rate, _, failed = load(server.port, 16, size, bare_request)
            assert not failed, f"the bare view failed: {failed[:5]}"
            api_rate, _, failed = load(server.port, 16, size, api_request(f"r{round_}"))
            assert not failed, f"the API failed: {failed[:5]}"
            best_bare, best_api = max(best_bare, bare_rate), max(best_api, api_rate)
            _, lat, failed = load(server.port, 4, size // 2, bare_request)
            bare_p99.append(p99(lat))
            _, lat, failed = load(server.port, 4, size // 2, api_request(f"p{round_}"))
            assert not failed, f"the API failed: {failed[:5]}"
            api_p99.append(p99(lat))
        print(
            f"{vendor}, {options.workers} gunicorn workers: API {best_api:.0f} inquiries/s and "
            f"bare view {best_bare:.0f} requests/s at 16 clients (ratio {best_api / best_bare:.3f}); "
            f"p99 at 4 clients: API {statistics.median(api_p99):.1f} ms, bare view "
            f"{statistics.median(bare_p99):.1f} ms; one inquiry costs {queries} queries and "
            f"{commits} commits"
        )
        if not options.no_fault:
            if vendor == "postgresql":
                restart, fault = postgres_restart, "PostgreSQL restarted"
            else:

                def restart() -> None:
                    server.kill()
                    server.start()

                fault = "server killed with SIGKILL and started again"
            outcome = fault_run(server, max(100, size // 2), 8, restart)
            report = check_fault_run(outcome, max(100, size // 2))
            print(f"fault run ({fault} mid-run): {json.dumps(report)}")
            if report["lost"] or report["duplicated"] or report["unacknowledged"]:
                raise SystemExit("the fault run lost or duplicated inquiries")
    finally:
        server.stop()
        from django.db import connections

        connections.close_all()
        drop()
    print(json.dumps(result_line("intake", size, best_api, best_bare, "req/s")))


if __name__ == "__main__":
    main()
