"""What follows a stored inquiry, run by the worker once the inquiry is committed."""

from __future__ import annotations

import logging

from django_tasks import task

from cellclinic.inquiries import hooks
from cellclinic.inquiries.emails import inquiry_confirmation_queue
from cellclinic.inquiries.models import Inquiry

logger = logging.getLogger(__name__)


@task()
def inquiry_received(*, inquiry_id: int) -> list[object]:
    """Queue the family's confirmation e-mail, then run what the apps above registered in
    `inquiries.hooks` (screening pre-screens the inquiry); what each returned.

    Its one task row is written in the inquiry's own transaction (`inquiry_submit`). A
    fault in the confirmation does not hold up the screening; the task still fails, so it
    is seen. An inquiry this task never screened is screened by the worker's sweep.
    """
    inquiry = Inquiry.objects.select_related("program_version").get(pk=inquiry_id)
    failure: Exception | None = None
    try:
        inquiry_confirmation_queue(inquiry=inquiry)
    except Exception as exc:  # logged and raised again once the screening is done
        logger.exception("the confirmation of inquiry %s could not be queued", inquiry.uuid)
        failure = exc
    results = hooks.inquiry_received(inquiry)
    if failure is not None:
        raise failure
    return results
