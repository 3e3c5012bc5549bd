"""Reports for physicians, admins and analysts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from cellclinic.accounts.access import staff_view
from cellclinic.audit.services import access_object
from cellclinic.care.forms import ProgramFilter
from cellclinic.care.models import AdverseEvent, Relation, Route
from cellclinic.care.selectors import safety_report
from cellclinic.programs.models import Program


@staff_view("safety.view")
def safety_report_page(request: HttpRequest) -> HttpResponse:
    programs = list(Program.objects.order_by("slug"))
    slug = ProgramFilter(request.GET).values()["program"] or (programs[0].slug if programs else "")
    program = next((p for p in programs if p.slug == slug), None)
    report = safety_report(program=program) if program else None
    if program is not None:
        access_object(request, object_type="program", object_ref=program.slug)
    relation_rows = []
    if report is not None:
        columns = [("cells", _("Cells"))] + [(value, str(label)) for value, label in Route.choices]
        for value, label in [*Relation.choices, ("not_applicable", _("Not applicable"))]:
            relation_rows.append(
                {"label": label, "counts": [report.by_relation[key][value] for key, _l in columns]}
            )
    else:
        columns = []
    return render(
        request,
        "care/safety_report.html",
        {
            "programs": programs,
            "program": program,
            "report": report,
            "columns": columns,
            "relation_rows": relation_rows,
            "categories": [
                (AdverseEvent.Category(c).label, n)
                for c, n in (report.by_category.items() if report else [])
            ],
            "routes": [
                (label, report.procedures_by_route[value], report.related_per_procedure[value])
                for value, label in Route.choices
            ]
            if report
            else [],
        },
    )
