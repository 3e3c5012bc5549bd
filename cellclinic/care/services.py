"""Writes for care. Acceptance turns an inquiry into a patient of its program."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from cellclinic.care.models import Patient
from cellclinic.inquiries.models import Inquiry, Status
from cellclinic.inquiries.services import DeskRefused, inquiry_status_change
from cellclinic.lib.text import has_control_characters


def inquiry_accept(*, inquiry: Inquiry, physician: User, note: str) -> Patient:
    """A physician accepts after the consultation: the inquiry becomes a patient."""
    note = note.strip()
    if not note:
        raise DeskRefused("empty", "note")
    if has_control_characters(note):
        raise DeskRefused("control", "note")
    with transaction.atomic():
        inquiry_status_change(
            inquiry=inquiry, to_status=Status.ACCEPTED, by=physician, reason="consultation"
        )
        return Patient.objects.create(
            inquiry=inquiry,
            program_id=inquiry.program_id,
            program_version_id=inquiry.program_version_id,
            accepted_by=physician,
            consultation_note=note,
        )
