"""What follows a stored inquiry, run by the worker once the inquiry is committed."""

from __future__ import annotations

import logging

from django_tasks import task

from cellclinic.inquiries.models import Inquiry
from cellclinic.inquiries.services import inquiry_confirmation_queue

logger = logging.getLogger(__name__)


@task()
def inquiry_received(*, inquiry_id: int) -> str:
    """Queue the family's confirmation e-mail, then pre-screen the inquiry.

    Its one task row is written in the inquiry's own transaction (`inquiry_submit`). A
    fault in the confirmation does not hold up the screening; the task still fails, so it
    is seen. An inquiry this task never screened is screened by the worker's sweep.
    """
    from cellclinic.screening.services import inquiry_screen  # screening builds on inquiries

    inquiry = Inquiry.objects.select_related("program_version").get(pk=inquiry_id)
    failure: Exception | None = None
    try:
        inquiry_confirmation_queue(inquiry=inquiry)
    except Exception as exc:  # logged and raised again once the screening is done
        logger.exception("the confirmation of inquiry %s could not be queued", inquiry.uuid)
        failure = exc
    decision = inquiry_screen(inquiry=inquiry).decision
    if failure is not None:
        raise failure
    return decision
