from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone

from cellclinic.core.models import RateLimitKey
from cellclinic.core.ratelimit import RateLimited, rate_limit_consume, rate_limit_prune
from cellclinic.inquiries.models import Document, Inquiry
from cellclinic.inquiries.tests.test_inquiry_submit import PDF
from conftest import as_form, build_answers

pytestmark = pytest.mark.django_db
URL = "/programs/stroke/inquire/"


def counted() -> int:
    """How many actions the rate limit holds, for every client."""
    return sum(len(key.recent) for key in RateLimitKey.objects.all())


def test_it_refuses_submissions_past_the_limit_with_a_clear_page(client: Client, settings) -> None:
    settings.INQUIRY_RATE_LIMIT = 2
    for _ in range(2):
        assert client.post(URL, as_form(build_answers("stroke"))).status_code == 302
    response = client.post(URL, as_form(build_answers("stroke")))
    assert response.status_code == 429
    assert "try again later" in response.content.decode().lower()
    assert response["Retry-After"] == str(settings.INQUIRY_RATE_WINDOW)
    assert Inquiry.objects.count() == 2


def test_the_limit_is_per_address(client: Client, settings) -> None:
    settings.INQUIRY_RATE_LIMIT = 1
    assert (
        client.post(URL, as_form(build_answers("stroke")), REMOTE_ADDR="10.0.0.1").status_code
        == 302
    )
    assert (
        client.post(URL, as_form(build_answers("stroke")), REMOTE_ADDR="10.0.0.1").status_code
        == 429
    )
    assert (
        client.post(URL, as_form(build_answers("stroke")), REMOTE_ADDR="10.0.0.2").status_code
        == 302
    )


def test_a_form_with_errors_does_not_use_up_the_limit(client: Client, settings) -> None:
    settings.INQUIRY_RATE_LIMIT = 1
    for _ in range(3):
        assert (
            client.post(URL, as_form(build_answers("stroke", contact__email="x"))).status_code
            == 400
        )
    assert client.post(URL, as_form(build_answers("stroke"))).status_code == 302


def test_a_refused_submission_leaves_nothing_behind(
    client: Client, settings, django_capture_on_commit_callbacks
) -> None:
    """The count is taken in the inquiry's own transaction: a refusal rolls it all back,
    and no upload reaches the storage."""
    settings.INQUIRY_RATE_LIMIT = 1
    assert client.post(URL, as_form(build_answers("stroke"))).status_code == 302
    stored = (Inquiry.objects.count(), counted())
    with django_capture_on_commit_callbacks() as queued:
        refused = client.post(
            URL,
            {
                **as_form(build_answers("stroke")),
                "documents": [SimpleUploadedFile("report.pdf", PDF, "application/pdf")],
            },
        )
    assert refused.status_code == 429 and queued == []
    assert stored == (1, 1)
    assert (Inquiry.objects.count(), counted()) == stored
    assert Document.objects.count() == 0
    upload_root = settings.UPLOAD_ROOT
    assert not upload_root.exists() or not [p for p in upload_root.rglob("*") if p.is_file()]


def test_the_worker_forgets_clients_gone_quiet(client: Client) -> None:
    assert client.post(URL, as_form(build_answers("stroke"))).status_code == 302
    assert (counted(), RateLimitKey.objects.count()) == (1, 1)
    assert rate_limit_prune() == 0
    RateLimitKey.objects.update(last_at=timezone.now() - timedelta(days=8))
    assert rate_limit_prune() == 1
    assert RateLimitKey.objects.count() == 0


def test_the_window_slides_and_the_wait_is_until_the_oldest_counted_action_leaves_it() -> None:
    now = timezone.now().timestamp()
    # Three actions 50, 30 and 10 minutes ago, under a limit of 3 an hour.
    RateLimitKey.objects.create(
        scope="s", client="c", last_at=timezone.now(), recent=[now - 3000, now - 1800, now - 600]
    )
    with pytest.raises(RateLimited) as refused, transaction.atomic():
        rate_limit_consume(scope="s", client="c", limit=3, window_seconds=3600)
    assert 590 <= refused.value.retry_after <= 602  # the one 50 minutes old leaves in 10
    # Under a window of 40 minutes the oldest has left it: room for one more, counted.
    rate_limit_consume(scope="s", client="c", limit=3, window_seconds=2400)
    key = RateLimitKey.objects.get()
    assert len(key.recent) == 3 and key.recent[:2] == [now - 1800, now - 600]


def test_the_row_keeps_only_the_newest_times_up_to_the_limit() -> None:
    """However long a client keeps sending, its row holds at most `limit` times, the newest:
    the cost of a count stays flat (no count over a growing table)."""
    now = timezone.now().timestamp()
    old = [now - 7200 + i for i in range(5)]
    RateLimitKey.objects.create(scope="s", client="c", last_at=timezone.now(), recent=old)
    for _ in range(2):
        rate_limit_consume(scope="s", client="c", limit=3, window_seconds=3600)
    recent = RateLimitKey.objects.get().recent
    assert len(recent) == 3 and recent[0] == old[-1] and min(recent[1:]) >= now


@pytest.mark.parametrize(
    "recent",
    [{"at": 1}, ["2026-11-28T10:00:00+00:00"], [None], [[1]], "[]", 5],
    ids=["object", "iso-text", "null", "nested", "text", "number"],
)
def test_a_row_whose_times_cannot_be_read_never_turns_the_form_into_an_error(
    client: Client, settings, recent
) -> None:
    """A row whose `recent` is not a list of POSIX times (edited by hand, an odd restore, a
    later schema) counts as holding none: the inquiry is stored and the row written again
    as a clean list, instead of every post from that address failing with a server error
    until the worker forgets the row a week later."""
    settings.INQUIRY_RATE_LIMIT = 5
    assert client.post(URL, as_form(build_answers("stroke"))).status_code == 302
    RateLimitKey.objects.update(recent=recent)
    assert client.post(URL, as_form(build_answers("stroke"))).status_code == 302
    assert Inquiry.objects.count() == 2
    times = RateLimitKey.objects.get().recent
    assert isinstance(times, list) and times and all(isinstance(t, float) for t in times)


def test_a_server_whose_clock_runs_ahead_does_not_erase_what_the_others_still_count() -> None:
    """Two app servers share the row; one's clock runs 200 s ahead. When it counts an action
    it may judge older times out of its own window, but must not drop them from the row: the
    other server, by its own clock, still counts them (the old table of hits kept them, and
    refused here). The same happens without skew to a request whose time was taken before it
    waited for the row's lock, behind an inquiry that was storing its uploads."""
    start = timezone.now().replace(microsecond=0) - timedelta(hours=1)

    def consume_at(seconds: int) -> None:
        with time_machine.travel(start + timedelta(seconds=seconds), tick=False):
            rate_limit_consume(scope="s", client="c", limit=2, window_seconds=600)

    consume_at(0)  # the slow server
    consume_at(60)  # the slow server: 2 in its window, the limit
    consume_at(500 + 200)  # the fast server, at real time 500: both left its window
    # The slow server at real (and its own) time 510: the actions at 0 and 60 are still in
    # its window, and the one stamped 700 as well.
    with pytest.raises(RateLimited), transaction.atomic():
        consume_at(510)
