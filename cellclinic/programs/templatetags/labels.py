"""Codes as a person reads them: `{% load labels %}{{ "m3"|timepoint }}` gives "3 months after",
`{{ patient.program_version|program_name }}` the program's name, `{{ "ar"|language_name }}`
"العربيّة"."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language, get_language_info

from cellclinic.lib.instruments import timepoint_name
from cellclinic.programs.models import ProgramVersion
from cellclinic.programs.selectors import definition_of

register = template.Library()


@register.filter
def timepoint(code: str) -> str:
    return timepoint_name(code)


@register.filter
def program_name(version: ProgramVersion | None) -> str:
    """A program version's name in the reader's language (the slug is for addresses)."""
    if version is None:
        return ""
    return definition_of(version).name.get(get_language())


@register.filter
def language_name(code: str) -> str:
    """A language code ("ar") as the language's own name ("العربيّة")."""
    try:
        return str(get_language_info(code)["name_local"])
    except KeyError:
        return code
