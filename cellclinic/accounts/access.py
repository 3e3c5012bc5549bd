"""The one way staff views reach personal data: role and MFA checked, access logged.

Every staff page is wrapped by `staff_view`, which writes one row of the access log for
each request that reaches it (answered or refused), and every object a staff member opens
is fetched through a helper here, which names it in that row: no view can forget either
check or the access log.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render

from cellclinic.accounts.permissions import can, roles_with
from cellclinic.audit.models import AccessEvent
from cellclinic.audit.services import View, access_logged, access_record


def signed_in_with_mfa(request: HttpRequest) -> bool:
    """True when this session's sign-in included a second factor (allauth records it) that
    the user still has: once that authenticator is turned off or replaced (a reset), the
    session no longer counts as signed in with it, as the user's API tokens no longer work."""
    records = get_authentication_records(request, request.user)  # type: ignore[arg-type]
    used = [record.get("id") for record in records if record.get("method") == "mfa"]
    return bool(used) and Authenticator.objects.filter(user=request.user, pk__in=used).exists()


def staff_view(capability: str) -> Callable[[View], View]:
    """Only signed-in staff holding this capability (`accounts.permissions`), who signed in
    with MFA, reach the view.

    Each request is logged: refused (without MFA, or without the capability) or answered
    (`audit.services.access_logged`). A visitor who is not signed in is only sent to the
    sign-in page, and not logged: the request names nobody and shows nothing."""

    def decorate(view: View) -> View:
        roles_with(capability)  # a name not in the table fails when the module loads

        logged = access_logged(view)

        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not signed_in_with_mfa(request):
                access_record(
                    request=request,
                    outcome=AccessEvent.Outcome.REFUSED,
                    reason=AccessEvent.Reason.NO_MFA,
                )
                return render(request, "accounts/mfa_required.html", status=403)
            if not can(request.user, capability):
                access_record(
                    request=request,
                    outcome=AccessEvent.Outcome.REFUSED,
                    reason=AccessEvent.Reason.ROLE,
                )
                raise PermissionDenied
            return logged(request, *args, **kwargs)

        guarded.staff_capability = capability  # type: ignore[attr-defined]
        return guarded

    return decorate


def require(request: HttpRequest, capability: str) -> None:
    """Refuse (403) an action the person asking does not hold the capability for."""
    if not can(request.user, capability):
        raise PermissionDenied
