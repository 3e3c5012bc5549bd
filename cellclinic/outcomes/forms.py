"""The outcome report's filters, in its address."""

from __future__ import annotations

from cellclinic.care.forms import ProgramFilter
from cellclinic.lib.formfields import Day, SearchText


class OutcomeReportFilters(ProgramFilter):
    """The program, the grouping of the tables (`by`, one of the program's) and the report
    date (`as_of`: who is due is decided at it; empty for today)."""

    by = SearchText(limit=20)
    as_of = Day(required=False)
