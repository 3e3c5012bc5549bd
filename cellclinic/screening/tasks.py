from __future__ import annotations

from django_tasks import task

from cellclinic.inquiries.models import Inquiry
from cellclinic.screening.services import inquiry_screen


@task()
def screen_inquiry(*, inquiry_id: int) -> str:
    inquiry = Inquiry.objects.select_related("program_version").get(pk=inquiry_id)
    return inquiry_screen(inquiry=inquiry).decision
