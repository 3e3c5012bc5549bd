"""`{{ text|ltr_runs }}`: phone numbers and e-mail addresses in a text kept left to right
inside right-to-left pages (program help texts, answers); `{{ reference|ltr }}` one such run;
`{{ name|bdi }}` a name isolated in its own direction (a Latin name in an Arabic heading)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from cellclinic.lib.text import isolate_ltr_runs

register = template.Library()


@register.filter
def ltr_runs(value: Any) -> SafeString:
    return isolate_ltr_runs(str(value))


@register.filter
def ltr(value: Any) -> SafeString:
    """A reference, code or address as one left-to-right unit, never broken across lines."""
    return format_html('<bdi dir="ltr">{}</bdi>', value)


@register.filter
def bdi(value: Any) -> SafeString:
    """A name (or any text of unknown direction) isolated from the text around it: it keeps
    its own direction and leaves the sentence's order alone."""
    return format_html("<bdi>{}</bdi>", value)
