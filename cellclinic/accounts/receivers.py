"""Revoke a user's API tokens the moment their credentials or roles change.

These are signal receivers, against the house habit of keeping writes in services, because
the changes come from code that is not ours (allauth's password and MFA pages, Django's
`set_password`, a shell) and must end the tokens whichever path they take. Each receiver
only calls `api_tokens_revoke`. A change that skips signals (a bulk `update()`) is still
caught when the token is next used: see `selectors.api_token_problem`.
"""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group, User
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from cellclinic.accounts.models import ApiToken
from cellclinic.accounts.services import api_tokens_revoke

Reason = ApiToken.Reason


@receiver(pre_save, sender=User, dispatch_uid="api_tokens_user_changed")
def user_changed(
    sender: Any, instance: User, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    """A new password hash or a deactivated account ends the tokens (not a sign-in's
    `last_login`, which saves only that field)."""
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return
    before = User.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    if before["is_active"] and not instance.is_active:
        api_tokens_revoke(users=[instance.pk], reason=Reason.DEACTIVATED)
    if before["password"] != instance.password:
        api_tokens_revoke(users=[instance.pk], reason=Reason.PASSWORD_CHANGED)


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="api_tokens_roles_changed")
def roles_changed(
    sender: Any,
    instance: User | Group,
    action: str,
    reverse: bool,
    pk_set: set[int] | None,
    **kwargs: Any,
) -> None:
    """A role added or removed, from the user's side or the group's."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if isinstance(instance, Group):  # group.user_set.add(...): pk_set holds users
        users: Any = instance.user_set.values("pk") if action == "pre_clear" else pk_set
    else:
        users = [instance.pk] if action == "pre_clear" or pk_set else []
    api_tokens_revoke(users=users or [], reason=Reason.ROLE_CHANGED)


@receiver(pre_delete, sender=Group, dispatch_uid="api_tokens_group_deleted")
def group_deleted(sender: Any, instance: Group, **kwargs: Any) -> None:
    api_tokens_revoke(users=instance.user_set.values("pk"), reason=Reason.ROLE_CHANGED)


@receiver(pre_save, sender=Group, dispatch_uid="api_tokens_group_renamed")
def group_renamed(sender: Any, instance: Group, raw: bool = False, **kwargs: Any) -> None:
    """Roles are groups by name: a renamed group is a changed role for its members."""
    if raw or instance.pk is None:
        return
    if Group.objects.filter(pk=instance.pk).exclude(name=instance.name).exists():
        api_tokens_revoke(users=instance.user_set.values("pk"), reason=Reason.ROLE_CHANGED)


def _totp(instance: Authenticator) -> bool:
    return instance.type == Authenticator.Type.TOTP


@receiver(pre_save, sender=Authenticator, dispatch_uid="api_tokens_totp_changed")
def totp_changed(
    sender: Any,
    instance: Authenticator,
    raw: bool = False,
    update_fields: Any = None,
    **kwargs: Any,
) -> None:
    """A TOTP secret changed in place (recording a code's use saves only `last_used_at`)."""
    if raw or instance.pk is None or not _totp(instance):
        return
    if update_fields is not None and "data" not in update_fields:
        return
    if Authenticator.objects.filter(pk=instance.pk).exclude(data=instance.data).exists():
        api_tokens_revoke(users=[instance.user_id], reason=Reason.MFA_CHANGED)


@receiver(post_save, sender=Authenticator, dispatch_uid="api_tokens_totp_added")
def totp_added(
    sender: Any, instance: Authenticator, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if created and not raw and _totp(instance):
        api_tokens_revoke(users=[instance.user_id], reason=Reason.MFA_CHANGED)


@receiver(post_delete, sender=Authenticator, dispatch_uid="api_tokens_totp_removed")
def totp_removed(sender: Any, instance: Authenticator, **kwargs: Any) -> None:
    if _totp(instance):
        api_tokens_revoke(users=[instance.user_id], reason=Reason.MFA_CHANGED)
