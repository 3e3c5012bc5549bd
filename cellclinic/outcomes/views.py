"""The staff outcome report (tables and SVG charts) and the de-identified registry export."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cellclinic.accounts.access import staff_view
from cellclinic.audit.services import access_object
from cellclinic.care.forms import ProgramFilter
from cellclinic.lib.bands import BAND_NAMES, GROUPING_NAMES
from cellclinic.lib.instruments import timepoint_name
from cellclinic.outcomes.charts import forest
from cellclinic.outcomes.forms import OutcomeReportFilters
from cellclinic.outcomes.registry import registry_export
from cellclinic.outcomes.selectors import REPORT_TIMEPOINTS
from cellclinic.outcomes.statistics import outcome_table
from cellclinic.programs.selectors import program_list
from cellclinic.screening.services import clinic_date

GMFCS_NUMERALS = {"1": "I", "2": "II", "3": "III", "4": "IV", "5": "V"}  # as the scale writes them


def named_groups(program: Any, by: str | None, table: dict[str, Any], language: str) -> list[Any]:
    """A table's rows, each group named as a reader names it; or its overall row."""
    if not by:
        return [{**table["overall"], "group": _("all")}]
    return [{**r, "group": group_name(program, by, r["group"], language)} for r in table["groups"]]


def group_name(program: Any, by: str, code: str, language: str) -> str:
    """A group as a reader names it: a subtype's label, a band's words, a GMFCS level."""
    if by == "subtype":
        item = program.definition.item(program.definition.outcomes.subtype_item)
        if code in item.choices:
            return str(item.choice_label(code, language))
    if by == "gmfcs" and code in GMFCS_NUMERALS:
        return _("Level %(level)s") % {"level": GMFCS_NUMERALS[code]}
    return str(BAND_NAMES.get(code, code))


@staff_view("outcomes.view")
def outcome_report(request: HttpRequest) -> HttpResponse:
    programs = [p for p in program_list() if p.definition.outcomes is not None]
    form = OutcomeReportFilters(request.GET)
    filters = form.values()
    as_of = filters.get("as_of") or clinic_date()
    slug = filters.get("program")
    program = next((p for p in programs if p.slug == slug), programs[0] if programs else None)
    if program is None or program.definition.outcomes is None:
        return render(request, "outcomes/report.html", {"programs": programs})
    outcomes = program.definition.outcomes
    access_object(request, object_type="program", object_ref=program.slug)
    by = filters.get("by") or None
    if by not in outcomes.groupings:
        by = None
    language = get_language()
    tables = []
    chart_rows: list[dict[str, Any]] = []
    family_rows: list[dict[str, Any]] = []
    for timepoint in REPORT_TIMEPOINTS:
        table = outcome_table(program=program, timepoint=timepoint, by=by, as_of=as_of)
        rows = named_groups(program, by, table, language)
        tables.append({"timepoint": timepoint, "rows": rows, "overall": table["overall"]})
        for row in rows:
            chart_rows.append({**row, "label": f"{timepoint_name(timepoint)} · {row['group']}"})
        family = table["family_reported"]
        for row in named_groups(program, by, family, language):
            family_rows.append(
                {
                    **row,
                    "label": f"{timepoint_name(timepoint)} · {row['group']}",
                    "improved": row["any_domain_improved"],
                    "assessed": row["reported"],
                    "treated": row["reported"],
                    "empty": _("no family answer yet"),
                }
            )
    return render(
        request,
        "outcomes/report.html",
        {
            "programs": programs,
            "program_options": [(p.slug, p.definition.name.get(language)) for p in programs],
            "program": program,
            "by": by,
            "as_of": as_of,
            "as_of_error": (form.errors.get("as_of") or [None])[0],
            "groupings": [(g, GROUPING_NAMES.get(g, g)) for g in outcomes.groupings],
            "definition": outcomes.improved,
            "definition_text": outcomes.improved.text.get(language),
            "tables": tables,
            "chart": render_to_string(
                "outcomes/forest.svg",
                {
                    "id": "measured",
                    # xgettext:no-python-format
                    "title": _("Improved by the pre-registered definition, with 95% intervals"),
                    "chart": forest(chart_rows),
                },
            ),
            "family_chart": render_to_string(
                "outcomes/forest.svg",
                {
                    "id": "family",
                    # xgettext:no-python-format
                    "title": _("Family-reported: any domain improved, with 95% intervals"),
                    "chart": forest(family_rows),
                },
            ),
            "family_rows": family_rows,
            **staff_flow(request, program),
        },
    )


def staff_flow(request: HttpRequest, program: Any) -> dict[str, Any]:
    """The flow of patients for staff: exact counts, for the period picked (all time by
    default; a bad date is named and the flow shows all time)."""
    from cellclinic.outcomes.flow import flow
    from cellclinic.outcomes.flow_display import FlowPeriod, flow_diagram

    period = FlowPeriod(request.GET or None)
    start = end = None
    if period.is_bound and period.is_valid():
        start, end = period.cleaned_data.get("start"), period.cleaned_data.get("end")
    return {
        "period_form": period,
        "flow_diagram": flow_diagram(flow(program=program, start=start, end=end)),
    }


@staff_view("registry.export")
def deidentified_export(request: HttpRequest) -> HttpResponse:
    """The registry files with keyed pseudonyms and shifted dates, as one zip file."""
    program = ProgramFilter(request.GET).values()["program"]
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        registry_export(out=out, deidentify=True, program=program)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in ("patients.csv", "assessments.csv"):
                archive.write(out / name, arcname=name)
    access_object(request, object_type="registry", object_ref=program or "all")
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="registry-deidentified-{stamp}.zip"'
    return response
