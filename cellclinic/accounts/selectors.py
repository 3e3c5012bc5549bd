"""Reads for staff accounts: API tokens and whether one may still be used."""

from __future__ import annotations

import uuid
from datetime import datetime

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef

from cellclinic.accounts.models import ApiToken
from cellclinic.accounts.roles import ROLES


def api_token_by_digest(*, digest: str) -> ApiToken | None:
    """The token with this hash, its user, and in the same query what `api_token_problem`
    asks of the user (a role; the TOTP authenticator the token was made under)."""
    return (
        ApiToken.objects.select_related("user")
        .annotate(
            user_has_role=Exists(
                User.groups.through.objects.filter(
                    user_id=OuterRef("user_id"), group__name__in=ROLES
                )
            ),
            user_has_totp=Exists(
                Authenticator.objects.filter(
                    user_id=OuterRef("user_id"),
                    type=Authenticator.Type.TOTP,
                    created_at__lte=OuterRef("created_at"),
                )
            ),
        )
        .filter(digest=digest)
        .first()
    )


def api_token_problem(*, token: ApiToken, now: datetime) -> str | None:
    """Why this token (from `api_token_by_digest`) may not be used now: `revoked`,
    `expired` or a `Reason`; None when it may.

    Besides its own revocation and expiry, the token is held against its user as the user
    is now: an active account with at least one role and the TOTP authenticator that was
    there when the token was made (one made later replaced it). A token so reaches no more
    than its user's session after the second factor would.
    """
    status = token.status(now)
    if status != "active":
        return status
    if not token.user.is_active:
        return ApiToken.Reason.DEACTIVATED
    if not getattr(token, "user_has_role"):  # noqa: B009 (an annotation)
        return ApiToken.Reason.ROLE_CHANGED
    if not getattr(token, "user_has_totp"):  # noqa: B009
        return ApiToken.Reason.MFA_CHANGED
    return None


def api_tokens_list(
    *, user: User | None = None, active_at: datetime | None = None
) -> list[ApiToken]:
    """Tokens, newest first: one user's or everyone's; with `active_at`, only those that
    were neither revoked nor expired at that time."""
    tokens = ApiToken.objects.select_related("user").order_by("-created_at", "-pk")
    if user is not None:
        tokens = tokens.filter(user=user)
    if active_at is not None:
        tokens = tokens.filter(revoked_at__isnull=True, expires_at__gt=active_at)
    return list(tokens)


class AmbiguousToken(LookupError):
    """More than one token starts with the characters given."""


def api_token_find(*, key: str, user: User | None = None) -> ApiToken | None:
    """A token by its uuid or the first 8 or more characters of it (as `token list` shows);
    only among `user`'s tokens when given. Raises AmbiguousToken for a prefix of several."""
    key = key.strip().lower()[:36]
    tokens = ApiToken.objects.select_related("user")
    if user is not None:
        tokens = tokens.filter(user=user)
    try:
        return tokens.filter(uuid=uuid.UUID(key)).first()
    except ValueError:
        pass
    if len(key) < 8 or any(c not in "0123456789abcdef-" for c in key):
        return None
    found = list(tokens.filter(uuid__startswith=key)[:2])
    if len(found) > 1:
        raise AmbiguousToken(key)
    return found[0] if found else None
