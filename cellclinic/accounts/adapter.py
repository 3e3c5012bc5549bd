from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class StaffOnlyAccountAdapter(DefaultAccountAdapter):
    """Accounts are for clinic staff only and are made by an admin, never by sign-up.

    Families never need an account: they use signed, expiring links.
    """

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
