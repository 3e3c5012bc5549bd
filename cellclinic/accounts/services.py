"""Writes for staff accounts."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import transaction

from cellclinic.accounts.mfa_secrets import data_reencrypted
from cellclinic.accounts.models import ApiToken
from cellclinic.accounts.roles import ROLES


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


def api_token_create(*, user: User, name: str) -> str:
    """A new API token for a staff member with MFA; returns the token (shown once)."""
    if not staff_user_has_mfa(user):
        raise ValueError("the user must have an authenticator (MFA) before getting a token")
    secret = ApiToken.new_secret()
    ApiToken.objects.create(user=user, name=name, digest=ApiToken.hash(secret))
    return secret


def api_token_user(*, token: str) -> User | None:
    from django.utils import timezone

    found = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.hash(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if found is None:
        return None
    ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
    return found.user
