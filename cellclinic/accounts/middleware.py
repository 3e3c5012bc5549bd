"""Staff sessions that end, and pages with personal data that no cache keeps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

SIGNED_IN_AT = "cellclinic.signed_in_at"
SEEN_AT = "cellclinic.seen_at"
# Activity is written to the session at most once a minute, not on every request; the
# idle time counts from that write, so a session may end up to a minute early.
SEEN_RESOLUTION = 60

Handler = Callable[[HttpRequest], HttpResponseBase]


def session_start(session: SessionBase) -> None:
    """Mark the sign-in time (called when a staff member signs in)."""
    now = timezone.now().timestamp()
    session[SIGNED_IN_AT] = session[SEEN_AT] = now
    _set_cookie_expiry(session, now)


def session_has_ended(session: SessionBase, now: float) -> bool:
    """True after STAFF_IDLE_MINUTES without a request, or STAFF_SESSION_MAX_HOURS in all."""
    signed_in_at = session.get(SIGNED_IN_AT)
    seen_at = session.get(SEEN_AT)
    if not isinstance(signed_in_at, int | float) or not isinstance(seen_at, int | float):
        return False  # a session from before this rule: it starts counting now
    return (
        now - seen_at > settings.STAFF_IDLE_MINUTES * 60
        or now - signed_in_at > settings.STAFF_SESSION_MAX_HOURS * 3600
    )


def _set_cookie_expiry(session: SessionBase, now: float) -> None:
    """The cookie (and the stored session) expire when the session would end anyway."""
    left_in_all = session[SIGNED_IN_AT] + settings.STAFF_SESSION_MAX_HOURS * 3600 - now
    session.set_expiry(max(1, int(min(settings.STAFF_IDLE_MINUTES * 60, left_in_all))))


class StaffSessionTimeoutMiddleware:
    """Signs a staff member out after STAFF_IDLE_MINUTES idle or STAFF_SESSION_MAX_HOURS.

    The request then goes on signed out: a staff page sends the visitor to the login page
    (with a note saying why), a staff API call answers 401, a public page renders as usual.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_KEY):
            now = timezone.now().timestamp()
            if session_has_ended(session, now):
                logout(request)
                messages.info(
                    request,
                    _(
                        "You were signed out: a staff session ends after %(minutes)d minutes "
                        "without activity or %(hours)d hours after signing in."
                    )
                    % {
                        "minutes": settings.STAFF_IDLE_MINUTES,
                        "hours": settings.STAFF_SESSION_MAX_HOURS,
                    },
                )
            elif SIGNED_IN_AT not in session:
                session_start(session)
            elif now - session[SEEN_AT] >= SEEN_RESOLUTION:
                session[SEEN_AT] = now
                _set_cookie_expiry(session, now)
        return self.get_response(request)


PRIVATE_PREFIXES = ("/staff/", "/family/", "/followup/", "/accounts/", "/api/v1/staff/")


def is_private(request: HttpRequest) -> bool:
    """Answers that may hold personal data: staff, family and account pages, the staff
    API, and anything shown to a signed-in user or to a caller with credentials (an API
    token, on any endpoint: the outcomes endpoint answers staff with exact figures)."""
    if request.path.startswith(PRIVATE_PREFIXES) or "authorization" in request.headers:
        return True
    user: Any = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class PrivateNoStoreMiddleware:
    """`Cache-Control: no-store` (and private, no-cache) on every private answer, so no
    browser cache, shared computer or proxy keeps a copy of personal data. Public pages
    keep their caching."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if is_private(request):
            add_never_cache_headers(response)
        return response
