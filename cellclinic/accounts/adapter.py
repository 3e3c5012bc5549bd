from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import get_language

from cellclinic.outbox import outbox_enqueue


class StaffOnlyAccountAdapter(DefaultAccountAdapter):
    """Accounts are for clinic staff only and are made by an admin, never by sign-up.

    Families never need an account: they use signed, expiring links.
    """

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Account e-mails (password reset and the like) go through the retrying outbox."""
        request = context.get("request")
        ctx = {"email": email, **context}
        if request is not None:
            ctx.setdefault("request", request)
        message = self.render_mail(template_prefix, email, ctx)
        with transaction.atomic():
            outbox_enqueue(
                kind=f"account:{template_prefix.rsplit('/', 1)[-1]}",
                to=email,
                language=get_language() or "en",
                subject=str(message.subject),
                body=str(message.body),
            )
