from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from cellclinic.inquiries.models import Document, Inquiry
from cellclinic.inquiries.tests.test_inquiry_submit import PDF
from cellclinic.models import OutboundEmail, RateLimitHit, RateLimitKey
from cellclinic.ratelimit import rate_limit_prune
from conftest import as_form, build_answers

pytestmark = pytest.mark.django_db
URL = "/programs/stroke/inquire/"


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


def test_a_refused_submission_leaves_nothing_behind(client: Client, settings) -> None:
    """The count is taken in the inquiry's own transaction: a refusal rolls it all back,
    and no upload reaches the storage."""
    settings.INQUIRY_RATE_LIMIT = 1
    assert client.post(URL, as_form(build_answers("stroke"))).status_code == 302
    stored = (Inquiry.objects.count(), OutboundEmail.objects.count(), RateLimitHit.objects.count())
    refused = client.post(
        URL,
        {
            **as_form(build_answers("stroke")),
            "documents": [SimpleUploadedFile("report.pdf", PDF, "application/pdf")],
        },
    )
    assert refused.status_code == 429
    assert stored == (1, 1, 1)
    assert (
        Inquiry.objects.count(),
        OutboundEmail.objects.count(),
        RateLimitHit.objects.count(),
    ) == stored
    assert Document.objects.count() == 0
    upload_root = settings.UPLOAD_ROOT
    assert not upload_root.exists() or not [p for p in upload_root.rglob("*") if p.is_file()]


def test_the_worker_forgets_clients_gone_quiet(client: Client) -> None:
    assert client.post(URL, as_form(build_answers("stroke"))).status_code == 302
    assert (RateLimitHit.objects.count(), RateLimitKey.objects.count()) == (1, 1)
    assert rate_limit_prune() == 0
    RateLimitHit.objects.update(at=timezone.now() - timedelta(days=8))
    RateLimitKey.objects.update(last_at=timezone.now() - timedelta(days=8))
    assert rate_limit_prune() == 1
    assert (RateLimitHit.objects.count(), RateLimitKey.objects.count()) == (0, 0)
