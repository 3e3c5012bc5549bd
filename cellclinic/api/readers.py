"""Who reads the exact outcome figures through the API (the outcomes, flow and harms
endpoints): staff who may read the staff outcome report; anyone else reads the public ones."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest


def outcome_report_reader(request: HttpRequest) -> User | None:
    """A staff member who may read the staff outcome report (by bearer token, or the desk's
    session signed in with MFA); anyone else, a nurse included, reads the public table."""
    from cellclinic.accounts.access import signed_in_with_mfa
    from cellclinic.accounts.permissions import can
    from cellclinic.accounts.services import api_token_user

    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        user = api_token_user(token=header[7:].strip()[:200])
    else:
        session_user = getattr(request, "user", None)
        signed_in = session_user is not None and session_user.is_authenticated
        user = session_user if signed_in and signed_in_with_mfa(request) else None
    return user if user is not None and can(user, "outcomes.view") else None
