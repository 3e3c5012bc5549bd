"""Benchmark: the staff queue page's server time with 200,000 inquiries.

figure:   95th percentile of the queue page's server time (first page and a filtered page)
          with N inquiries (default 200,000; --quick 5,000).
baseline: the same pages, measured the same way, with 200 inquiries.
Requests go through Django's full stack in-process (middleware, session with MFA, access
checks, templates), so the time is the server's, without network.

    .venv/bin/python bench/queue.py [--quick] [--size N]
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named queue.py, like the standard library module it would shadow: take
# its own folder off the import path before anything imports `queue`.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from datetime import timedelta

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cellclinic.lib.benchmarks import result_line  # noqa: E402 (needs ROOT on the path)

PAGES = {
    "first page": "/staff/inquiries/",
    "filtered page": "/staff/inquiries/?program=cerebral-palsy&status=contacted&decision=specialist_review",
}


def fill(size: int, seed: int) -> None:
    from django.utils import timezone

    from cellclinic.inquiries.models import Inquiry
    from cellclinic.lib.references import new_reference
    from cellclinic.programs.selectors import program_list
    from cellclinic.screening.models import Decision

    rng = random.Random(seed)
    programs = program_list()
    now = timezone.now()
    statuses = (
        ["new"] * 5 + ["contacted"] * 3 + ["screening", "consultation", "declined", "withdrawn"]
    )
    decisions = [
        "eligible_for_consultation",
        "specialist_review",
        "specialist_review",
        "not_eligible",
        "not_recommended",
    ]
    for start in range(0, size, 5000):
        batch = []
        for i in range(start, min(size, start + 5000)):
            program = programs[i % len(programs)]
            batch.append(
                Inquiry(
                    reference=new_reference(),
                    program_id=program.version.program_id,
                    program_version=program.version,
                    answers={"contact.name": "Bench"},
                    language="en",
                    reply_language=rng.choice(["en", "zh-hans", "ru", "es", "ar"]),
                    contact_name=f"Family {i}",
                    contact_email=f"family{i}@example.org",
                    patient_name=f"Patient {i}",
                    country=rng.choice(["CN", "RU", "ES", "SA", "GB"]),
                    source="web",
                    status=rng.choice(statuses),
                )
            )
        made = Inquiry.objects.bulk_create(batch)
        Inquiry.objects.filter(pk__in=[m.pk for m in made]).update(
            created_at=now - timedelta(minutes=start)
        )
        Decision.objects.bulk_create(
            [
                Decision(
                    inquiry=m,
                    kind="automatic",
                    decision=rng.choice(decisions),
                    program_version_id=m.program_version_id,
                    rule_set_version="1",
                    rule_set_hash="sha256:bench",
                    as_of=now.date(),
                )
                for m in made
            ]
        )


def signed_in_client():
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
    from django.test import Client

    from cellclinic.accounts.services import staff_user_create

    _user, secret = staff_user_create(
        username=f"bench{random.random()}", role="coordinator", password="a-long-password-1"
    )
    client = Client()
    step = client.post(
        "/accounts/login/", {"login": _user.username, "password": "a-long-password-1"}
    )
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    client.post(step["Location"], {"code": code})
    return client


def measure(client, repeat: int) -> dict[str, dict[str, float]]:
    results = {}
    for name, url in PAGES.items():
        assert client.get(url).status_code == 200  # warm up
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        times.sort()
        results[name] = {
            "median": statistics.median(times),
            "p95": times[min(len(times) - 1, int(0.95 * len(times)))],
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 inquiries (for CI)")
    parser.add_argument("--size", type=int)
    parser.add_argument("--repeat", type=int, default=60)
    options = parser.parse_args()
    size = options.size or (5_000 if options.quick else 200_000)
    workdir = tempfile.mkdtemp(prefix="cellclinic-bench-")
    os.environ["CELLCLINIC_DATA_DIR"] = workdir
    os.environ["DJANGO_SETTINGS_MODULE"] = "cellclinic.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(Path(workdir) / "bench.sqlite3")
    test_db = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        client = signed_in_client()
        fill(200, 1)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        baseline = measure(client, options.repeat)
        started = time.perf_counter()
        fill(size - 200, 2)
        with connection.cursor() as cursor:  # as autovacuum would, soon after a bulk load
            cursor.execute("ANALYZE")
        print(
            f"stored {size} inquiries on {connection.vendor} in {time.perf_counter() - started:.1f} s"
        )
        big = measure(client, options.repeat)
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)
    for name in PAGES:
        print(
            f"{name}: median {big[name]['median']:.1f} ms, p95 {big[name]['p95']:.1f} ms with {size}; "
            f"median {baseline[name]['median']:.1f} ms, p95 {baseline[name]['p95']:.1f} ms with 200"
        )
    figure = max(big[name]["p95"] for name in PAGES)
    base = max(baseline[name]["p95"] for name in PAGES)
    print(json.dumps(result_line("queue", size, figure, base, "ms")))


if __name__ == "__main__":
    main()
