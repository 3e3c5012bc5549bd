from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from cellclinic.programs.selectors import CurrentProgram, program_get, program_list


def home(request: HttpRequest) -> HttpResponse:
    language = get_language()
    programs = [
        {
            "slug": p.slug,
            "name": p.definition.name.get(language),
            "summary": p.definition.summary.get(language),
        }
        for p in program_list()
    ]
    return render(request, "programs/home.html", {"programs": programs})


def program_or_404(slug: str) -> CurrentProgram:
    """The program a public address names, or a 404 page."""
    program = program_get(slug=slug)
    if program is None:
        raise Http404
    return program


def program_detail(request: HttpRequest, slug: str) -> HttpResponse:
    program = program_or_404(slug)
    language = get_language()
    definition = program.definition
    sections = [
        {
            "heading": section.heading.get(language),
            "paragraphs": [p for p in section.body.get(language).split("\n\n") if p.strip()],
        }
        for section in definition.page
    ]
    from cellclinic.outcomes.selectors import public_figures

    figures = public_figures(program=program)
    if figures is not None:
        from cellclinic.lib.instruments import PERIODS

        for row in figures["rows"]:
            row["period"] = str(PERIODS[row["timepoint"]])
    return render(
        request,
        "programs/program.html",
        {
            **public_flow_and_harms(program),
            "registration": definition.registration,
            "program": program,
            "figures": figures,
            "definition_text": definition.outcomes.improved.text.get(language)
            if definition.outcomes
            else "",
            "name": definition.name.get(language),
            "summary": definition.summary.get(language),
            "sections": sections,
        },
    )


def public_flow_and_harms(program: CurrentProgram) -> dict[str, Any]:
    """The public page's flow diagram and harms figures, withheld by the public rule."""
    from cellclinic.outcomes.flow import flow
    from cellclinic.outcomes.flow_display import flow_diagram, harm_rows
    from cellclinic.outcomes.harms import harms

    public_harms = harms(program=program, public=True)
    return {
        "flow_diagram": flow_diagram(flow(program=program, public=True)),
        "harms": public_harms,
        "harm_rows": harm_rows(public_harms),
    }
