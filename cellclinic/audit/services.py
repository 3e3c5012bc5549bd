"""Writes for the access log."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.models import User
from django.http import HttpRequest

from cellclinic.audit.models import AccessEvent
from cellclinic.lib.clients import client_key


def access_record(*, request: HttpRequest, action: str, object_type: str, object_ref: str) -> None:
    AccessEvent.objects.create(
        user=cast(User, request.user),
        action=action,
        object_type=object_type,
        object_ref=object_ref,
        path=request.get_full_path()[:300],
        client=client_key(request),
    )
