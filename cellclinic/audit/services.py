"""Writes for the access log: one row for each staff request answered or refused.

The row is written by the wrapper every staff page (`accounts.access.staff_view`) and every
staff API operation (the staff router's decorator) goes through, not by the views: a view
cannot forget it. Views only add what they opened (`access_object`), through the access
helpers `inquiry_for` and `patient_for`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from cellclinic.audit.models import AccessEvent
from cellclinic.lib.clients import client_key
from cellclinic.lib.text import search_text

QUERY_LIMIT = 1000
Outcome = AccessEvent.Outcome
Reason = AccessEvent.Reason


@dataclass
class Access:
    """What one staff request opened, filled in while it is answered."""

    object_type: str = ""
    object_ref: str = ""


def action_of(request: HttpRequest) -> str:
    """The name of the URL answered (`staff_queue`, `api-v1:read_patient`)."""
    match = request.resolver_match
    return (match.view_name if match else "") or request.path[:60]


def user_of(request: HttpRequest) -> User | None:
    """Who sent the request, as far as it is known: the API's authenticated user, else the
    session's; nobody for a refused token."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, User):
        return auth
    user = getattr(request, "user", None)
    return user if isinstance(user, User) and user.is_authenticated else None


def query_of(request: HttpRequest) -> str:
    """The query parameters (filters, search text, page) as typed, readable."""
    pairs = (f"{key}={value}" for key, values in request.GET.lists() for value in values)
    return search_text("&".join(pairs), QUERY_LIMIT)


def access_object(request: HttpRequest, *, object_type: str, object_ref: str) -> None:
    """Name the inquiry or patient this request opened, for its row in the log.

    Only inside a logged request (a staff page or staff API operation): elsewhere the row
    would never be written, so that is a programming error, refused loudly."""
    note: Access | None = getattr(request, "access", None)
    if note is None:
        raise RuntimeError("personal data opened outside a logged staff view")
    note.object_type, note.object_ref = object_type, object_ref


def access_record(
    *, request: HttpRequest, outcome: str = Outcome.ALLOWED, reason: str = ""
) -> None:
    """Write the row for this request: who, which URL, what it opened, with which filters."""
    note: Access = getattr(request, "access", None) or Access()
    AccessEvent.objects.create(
        user=user_of(request),
        outcome=outcome,
        reason=reason,
        action=action_of(request)[:60],
        object_type=note.object_type,
        object_ref=note.object_ref[:64],
        path=request.path[:300],
        query=query_of(request),
        client=client_key(request),
    )


def access_answered(request: HttpRequest, *, status: int) -> None:
    """Log an answer by its status: shown (below 400, and a form's 400 or 422 with the page),
    refused (401, 403), or nothing shown and nothing refused (404, 405, 5xx: no row).

    A 401 that carried no credentials at all (no token, not signed in) is not written:
    it names nobody, shows nothing, and every crawler sends one."""
    if status == 401:
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            access_record(request=request, outcome=Outcome.REFUSED, reason=Reason.NO_MFA)
        elif "authorization" in request.headers:
            access_record(request=request, outcome=Outcome.REFUSED, reason=Reason.CREDENTIALS)
    elif status == 403:
        # the API's role checks answer 403 after authentication (request.auth is set);
        # anything else refused with 403 (a CSRF check) is just "refused"
        role = isinstance(getattr(request, "auth", None), User)
        access_record(
            request=request,
            outcome=Outcome.REFUSED,
            reason=Reason.ROLE if role else Reason.REFUSED,
        )
    elif status < 400 or status in (400, 422):
        access_record(request=request)


View = Callable[..., HttpResponseBase]


def access_logged(view: View) -> View:
    """Wrap a staff view (or a django-ninja operation) so that its answer is logged."""

    @wraps(view)
    def logged(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        request.access = Access()  # type: ignore[attr-defined]
        try:
            response = view(request, *args, **kwargs)
        except PermissionDenied:  # a role check inside the view, e.g. for one action
            access_record(request=request, outcome=Outcome.REFUSED, reason=Reason.ROLE)
            raise
        access_answered(request, status=response.status_code)
        return response

    return logged
