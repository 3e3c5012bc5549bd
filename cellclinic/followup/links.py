"""The family's personal follow-up link: signed, valid for the program's `link_days`."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.urls import reverse

from cellclinic.care.models import Patient
from cellclinic.followup.models import FollowUp
from cellclinic.lib.links import SignedLink
from cellclinic.programs.schema import ProgramDefinition
from cellclinic.programs.selectors import program_get

LINK = SignedLink(salt="cellclinic.followup-link", field="followup")


def program_definition(patient: Patient) -> ProgramDefinition | None:
    current = program_get(slug=patient.program.slug)
    return current.definition if current else None


def followup_token(followup: FollowUp) -> str:
    return LINK.token(followup.uuid)


def followup_url(followup: FollowUp) -> str:
    return settings.SITE_URL + reverse("followup_family", args=[followup_token(followup)])


def followup_from_token(token: str) -> FollowUp | None:
    """The follow-up of a link, or None when forged, damaged or older than the program's
    `link_days` (each reminder carries a fresh link)."""
    key = LINK.key(token)
    followup = (
        None
        if key is None
        else FollowUp.objects.select_related("patient__program", "patient__inquiry")
        .filter(uuid=key)
        .first()
    )
    if followup is None:
        return None
    definition = program_definition(followup.patient)
    days = definition.followup.link_days if definition and definition.followup else 60
    return followup if LINK.key(token, max_age=timedelta(days=days)) is not None else None
