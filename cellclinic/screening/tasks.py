from __future__ import annotations

from django_tasks import task

from cellclinic.inquiries.models import Inquiry
from cellclinic.screening.services import inquiry_screen


@task()
def screen_inquiry(*, inquiry_id: int) -> str:
    """Screen one inquiry. Nothing enqueues it now (`inquiries.tasks.inquiry_received`
    screens a new inquiry): it stays so that task rows queued under its name before that
    change still run after an upgrade."""
    inquiry = Inquiry.objects.select_related("program_version").get(pk=inquiry_id)
    return inquiry_screen(inquiry=inquiry).decision
