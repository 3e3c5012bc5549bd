"""Writes for staff accounts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cellclinic.accounts.mfa_secrets import data_reencrypted
from cellclinic.accounts.models import ApiToken, StaffPreference
from cellclinic.accounts.roles import ROLES, roles_of
from cellclinic.accounts.selectors import api_token_by_digest, api_token_problem


def roles_ensure() -> dict[str, Group]:
    return {role: Group.objects.get_or_create(name=role)[0] for role in ROLES}


@transaction.atomic
def staff_user_create(
    *, username: str, role: str, password: str, email: str = ""
) -> tuple[User, str]:
    """A staff user in one role, with a TOTP authenticator; returns the user and its secret."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
    group = roles_ensure()[role]
    user = User.objects.create_user(username=username, email=email, password=password)
    user.is_staff = role == "admin"
    user.save(update_fields=["is_staff"])
    user.groups.add(group)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)  # shown to the user at /accounts/2fa/recovery-codes/
    return user, secret


@transaction.atomic
def staff_user_reset_credentials(*, user: User, password: str) -> str:
    """A new password and a new TOTP secret (recovery codes are dropped); returns the secret."""
    user.set_password(password)
    user.save(update_fields=["password"])
    Authenticator.objects.filter(user=user).delete()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


@transaction.atomic
def mfa_secrets_reencrypt() -> int:
    """Every stored TOTP secret and recovery seed encrypted again with the first key of
    FIELD_ENCRYPTION_KEY, all or nothing; returns how many authenticators were rewritten.

    Key rotation: put the new key in front of the old one, run this, then drop the old
    key. Raises UndecryptableError (nothing changed) when no configured key opens a value.
    """
    rewritten = 0
    for authenticator in Authenticator.objects.select_for_update().filter(
        type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
    ):
        data = data_reencrypted(authenticator.data, keys=settings.FIELD_ENCRYPTION_KEYS)
        Authenticator.objects.filter(pk=authenticator.pk).update(data=data)
        rewritten += 1
    return rewritten


def staff_user_has_mfa(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class ApiTokenRefused(ValueError):
    """A token cannot be made: `field` is what is wrong (`user` or `days`)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def api_token_create(*, user: User, name: str, days: int | None = None) -> str:
    """A new API token for an active staff member with a role and MFA; returns the token
    (shown once). It works for `days` (at most, and by default, `API_TOKEN_DAYS`)."""
    longest = settings.API_TOKEN_DAYS
    if days is None:
        days = longest
    if not 1 <= days <= longest:
        raise ApiTokenRefused(
            "days", _("A token lasts from 1 to %(days)d days.") % {"days": longest}
        )
    if not user.is_active:
        raise ApiTokenRefused("user", _("The account is deactivated."))
    if not staff_user_has_mfa(user):
        raise ApiTokenRefused(
            "user", _("The user must have an authenticator (MFA) before getting a token.")
        )
    if not roles_of(user) & set(ROLES):
        raise ApiTokenRefused("user", _("The user has no role."))
    secret = ApiToken.new_secret()
    now = timezone.now()
    ApiToken.objects.create(
        user=user,
        name=name,
        digest=ApiToken.hash(secret),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    return secret


def api_token_revoke(*, token: ApiToken, reason: str = ApiToken.Reason.REVOKED) -> bool:
    """Revoke one token; False when it was revoked already (its first reason stays)."""
    now = timezone.now()
    done = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_reason=reason
    )
    if done:
        token.revoked_at, token.revoked_reason = now, reason
    return bool(done)


def api_tokens_revoke(*, users: Iterable[int] | QuerySet[Any], reason: str) -> int:
    """Revoke every token of these users (ids, or a query of ids); returns how many."""
    return ApiToken.objects.filter(user_id__in=users, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )


# Writing the time of use at most this often spares a write on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


def api_token_user(*, token: str) -> User | None:
    """The user a bearer token speaks for, or None when it is unknown, expired or revoked.

    The token is also checked against its user as it is now (`api_token_problem`), so a
    change that reached the database without the signals that revoke at once (a bulk
    `update()`) still ends it here, and is then recorded as its revocation.
    """
    found = api_token_by_digest(digest=ApiToken.hash(token[:200]))
    if found is None:
        return None
    now = timezone.now()
    problem = api_token_problem(token=found, now=now)
    if problem is not None:
        if problem not in ("revoked", "expired"):
            api_token_revoke(token=found, reason=problem)
        return None
    if found.last_used_at is None or now - found.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.user


def staff_preference_of(*, user: User) -> StaffPreference:
    """The user's preferences as stored, or the defaults (digest off) if never saved."""
    found = StaffPreference.objects.filter(user=user).first()
    return found or StaffPreference(user=user, digest=False, language="")


def staff_preference_set(*, user: User, digest: bool, language: str) -> StaffPreference:
    """Switch the digest on or off and choose its language."""
    preference, _created = StaffPreference.objects.update_or_create(
        user=user, defaults={"digest": digest, "language": language}
    )
    return preference
