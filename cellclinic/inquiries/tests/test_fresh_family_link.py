"""A family whose personal link expired (before its stay, say) gets a fresh one by e-mail,
to the address it gave, in its language; a forged link offers nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from cellclinic.core.models import OutboundEmail
from cellclinic.inquiries.family import family_token
from cellclinic.inquiries.tests.test_staff_desk import submit

pytestmark = pytest.mark.django_db


def _expired(client, **answers):
    inquiry = submit(client, "stroke", **answers)
    token = family_token(inquiry)
    return inquiry, token, timezone.now() + timedelta(days=settings.FAMILY_LINK_DAYS + 1)


def test_an_expired_link_offers_a_fresh_one_in_the_familys_language(client) -> None:
    inquiry, token, later = _expired(client, contact__language="ar")
    with time_machine.travel(later):
        page = client.get(f"/family/{token}/")
        assert page.status_code == 404
        html = page.content.decode()
        assert f'action="/family/{token}/new-link/"' in html
        assert 'lang="ar"' in html  # the family's reply language, not the browser's
        sent = client.post(f"/family/{token}/new-link/")
        assert sent.status_code == 200
        email = inquiry.emails.get(kind="family_link")
        assert email.to == inquiry.contact_email and email.language == "ar"
        fresh = re.search(r"/family/([^/\s]+)/", email.body)
        assert fresh is not None and fresh.group(1) != token
        assert client.get(f"/family/{fresh.group(1)}/").status_code == 200  # it works
        client.post(f"/family/{token}/new-link/")  # asked again within the hour: no more
        assert inquiry.emails.filter(kind="family_link").count() == 1
    with time_machine.travel(later + timedelta(hours=2)):
        client.post(f"/family/{token}/new-link/")
        assert inquiry.emails.filter(kind="family_link").count() == 2


def test_a_forged_or_damaged_link_offers_nothing(client) -> None:
    _inquiry, token, _later = _expired(client)
    for bad in ("not-a-token", token[:-3] + "abc"):
        page = client.get(f"/family/{bad}/")
        assert page.status_code == 404 and "new-link" not in page.content.decode()
        assert client.post(f"/family/{bad}/new-link/").status_code == 404
    assert not OutboundEmail.objects.filter(kind="family_link").exists()


def test_the_plan_and_consent_links_offer_it_too(client) -> None:
    _inquiry, token, later = _expired(client)
    with time_machine.travel(later):
        for path in ("plan/", "plan.ics", "consent/"):
            page = client.get(f"/family/{token}/{path}")
            assert page.status_code == 404 and "new-link" in page.content.decode(), path
