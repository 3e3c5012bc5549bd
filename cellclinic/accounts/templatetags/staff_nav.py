"""`{% staff_nav %}`: the navigation bar at the top of every staff page (staff_base.html)."""

from __future__ import annotations

from typing import Any

from django import template

from cellclinic.accounts.nav import nav_links

register = template.Library()


@register.inclusion_tag("accounts/_staff_nav.html", takes_context=True)
def staff_nav(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    user = request.user
    return {
        "links": nav_links(user, request.path, request.get_full_path()),
        "name": user.get_full_name() or user.get_username(),
        "csrf_token": context.get("csrf_token"),
    }
