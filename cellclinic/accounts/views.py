"""The staff member's API tokens: make one, see them, revoke them (admins: anyone's)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cellclinic.accounts.access import staff_view
from cellclinic.accounts.forms import ApiTokenForm, StaffPreferenceForm
from cellclinic.accounts.models import ApiToken
from cellclinic.accounts.permissions import can
from cellclinic.accounts.selectors import api_token_find, api_tokens_list
from cellclinic.accounts.services import (
    ApiTokenRefused,
    api_token_create,
    api_token_revoke,
    staff_preference_of,
    staff_preference_set,
)


def _rows(tokens: list[ApiToken], now: datetime) -> list[dict[str, Any]]:
    return [
        {"token": t, "status": t.status_text(now), "active": t.status(now) == "active"}
        for t in tokens
    ]


@staff_view("staff.home")
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The user's own tokens and a form to make one (its secret is shown once, on the
    answer to the form); an admin also sees every other staff member's tokens in use."""
    user: Any = request.user
    form = ApiTokenForm(request.POST or None)
    secret = ""  # nosec B105  # no secret: empty until a token is made and shown once
    if request.method == "POST" and form.is_valid():
        try:
            secret = api_token_create(
                user=user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
        except ApiTokenRefused as refused:
            form.add_error("days" if refused.field == "days" else None, str(refused))
        else:
            form = ApiTokenForm()
    now = timezone.now()
    admin = can(user, "tokens.manage")
    others = [t for t in api_tokens_list(active_at=now) if t.user_id != user.pk] if admin else []
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "secret": secret,
            "own": _rows(api_tokens_list(user=user), now),
            "admin": admin,
            "others": _rows(others, now),
        },
        status=400 if form.errors else 200,
    )  # no-store, as every /staff/ answer (accounts.middleware): the secret is kept nowhere


@staff_view("staff.home")
@require_POST
def api_token_revoke_page(request: HttpRequest, token: UUID) -> HttpResponse:
    """Revoke a token: one's own, or (an admin) anyone's; another's is not found (404)."""
    user: Any = request.user
    found = api_token_find(key=str(token), user=None if can(user, "tokens.manage") else user)
    if found is None:
        raise Http404
    if api_token_revoke(token=found):
        messages.success(request, _("The token “%(name)s” is revoked.") % {"name": found.name})
    else:
        messages.info(
            request, _("The token “%(name)s” was revoked already.") % {"name": found.name}
        )
    return redirect("api_tokens")


@staff_view("staff.home")
def staff_settings(request: HttpRequest) -> HttpResponse:
    """The staff member's own settings: the digest of the inquiries waiting for them."""
    user: Any = request.user
    preference = staff_preference_of(user=user)
    initial = {"digest": preference.digest, "language": preference.language or get_language()}
    form = StaffPreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        staff_preference_set(
            user=user, digest=form.cleaned_data["digest"], language=form.cleaned_data["language"]
        )
        messages.success(request, _("Your settings are saved."))
        return redirect("staff_settings")
    return render(
        request,
        "accounts/settings.html",
        {"form": form, "has_email": bool(user.email)},
        status=400 if form.errors else 200,
    )


def signup_refused(request: HttpRequest) -> HttpResponse:
    """There is no sign-up: staff accounts are made by an admin, families use signed links.

    This address answers 404 before allauth's own sign-up view is reached (the adapter
    refuses sign-up too, `StaffOnlyAccountAdapter.is_open_for_signup`)."""
    raise Http404("there is no sign-up")
