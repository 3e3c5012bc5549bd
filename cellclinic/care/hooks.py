"""What other parts of the journey do when care records something, declared here.

Care knows nothing of follow-up or the registry: those apps add their function to a list
when Django starts (their `AppConfig.ready`), and the care service calls the list after
its own write, in the same transaction. Explicit, unlike a model signal: a reader of
`procedure_record` sees the call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cellclinic.care.models import Patient

PROCEDURE_RECORDED: list[Callable[[Patient], None]] = []


def procedure_recorded(patient: Patient) -> None:
    for react in PROCEDURE_RECORDED:
        react(patient)
