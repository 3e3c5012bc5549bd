from __future__ import annotations

import re

import pytest
from django.test import Client

from cellclinic.accounts.services import staff_user_create
from cellclinic.core.models import OutboundEmail

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_password_reset_is_emailed_through_the_outbox_and_works(
    client: Client, run_tasks, mailoutbox
) -> None:
    staff_user_create(
        username="nina", role="nurse", password="a-long-password-1", email="nina@example.org"
    )
    response = client.post("/accounts/password/reset/", {"email": "nina@example.org"})
    assert response.status_code == 302
    email = OutboundEmail.objects.get(to="nina@example.org")
    assert email.kind == "account:password_reset_key" and email.sent_at is None
    run_tasks()
    assert len(mailoutbox) == 1
    link = re.search(
        r"http://127\.0\.0\.1:8000(/accounts/password/reset/key/\S+)", mailoutbox[0].body
    )
    assert link
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link.group(1),
        {"password1": "a-new-long-password-2", "password2": "a-new-long-password-2"},
    )
    assert done.status_code == 302
    signed = client.post("/accounts/login/", {"login": "nina", "password": "a-new-long-password-2"})
    assert signed.status_code == 302 and "/2fa/" in signed["Location"]  # MFA still required


def test_an_unknown_address_gets_nothing_and_the_page_says_the_same(client: Client) -> None:
    """No e-mail to an address without an account, and no hint on the page either way."""
    staff_user_create(
        username="nina", role="nurse", password="a-long-password-1", email="nina@example.org"
    )
    known = client.post("/accounts/password/reset/", {"email": "nina@example.org"})
    unknown = client.post("/accounts/password/reset/", {"email": "stranger@example.org"})
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    assert not OutboundEmail.objects.filter(to="stranger@example.org").exists()
    assert OutboundEmail.objects.filter(to="nina@example.org").count() == 1


def test_the_reset_link_uses_site_url_never_the_requests_host(client: Client, settings) -> None:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "evil.example"]
    settings.SITE_URL = "https://clinic.example.org"
    staff_user_create(
        username="nina", role="nurse", password="a-long-password-1", email="nina@example.org"
    )
    client.post(
        "/accounts/password/reset/", {"email": "nina@example.org"}, HTTP_HOST="evil.example"
    )
    email = OutboundEmail.objects.get(to="nina@example.org")
    assert "https://clinic.example.org/accounts/password/reset/key/" in email.body
    assert "evil.example" not in email.body and "evil.example" not in email.subject
