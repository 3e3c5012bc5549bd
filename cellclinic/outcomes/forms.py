"""The outcome report's filters, in its address."""

from __future__ import annotations

from cellclinic.care.forms import ProgramFilter
from cellclinic.lib.formfields import SearchText


class OutcomeReportFilters(ProgramFilter):
    """The program, and the grouping of the tables (`by`, one of the program's)."""

    by = SearchText(limit=20)
