"""What other parts of the journey do once an inquiry is stored, declared here.

Inquiries knows nothing of screening: screening adds its function to the list when Django
starts (`ScreeningConfig.ready`), and the worker's task for a new inquiry
(`inquiries.tasks.inquiry_received`) calls the list after queueing the family's
confirmation. Explicit, like `care.hooks`: a reader of the task sees the call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cellclinic.inquiries.models import Inquiry

INQUIRY_RECEIVED: list[Callable[[Inquiry], object]] = []


def inquiry_received(inquiry: Inquiry) -> list[object]:
    """Run every registered reaction, in the order registered; what each returns."""
    return [react(inquiry) for react in INQUIRY_RECEIVED]
