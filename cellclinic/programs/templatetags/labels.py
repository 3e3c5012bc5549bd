"""Codes as a person reads them: `{% load labels %}{{ "m3"|timepoint }}` gives "3 months after"."""

from __future__ import annotations

from django import template

from cellclinic.lib.instruments import timepoint_name

register = template.Library()


@register.filter
def timepoint(code: str) -> str:
    return timepoint_name(code)
