from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cellclinic.accounts.access import staff_view
from cellclinic.audit.models import AccessEvent
from cellclinic.lib.text import search_text

PAGE = 100


@staff_view("admin")
@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    """Who viewed what, and when; searchable by person, object and day. Read-only."""
    params = request.GET
    events = AccessEvent.objects.select_related("user")
    errors: dict[str, str] = {}
    user = search_text(params.get("user", ""), 150)
    if user:
        events = events.filter(user__username=user)
    obj = search_text(params.get("object", ""), 64).upper()
    if obj:
        events = events.filter(object_ref=obj)
    for name, lookup in (("from", "at__date__gte"), ("to", "at__date__lte")):
        raw = params.get(name, "").strip()
        if raw:
            try:
                events = events.filter(**{lookup: date.fromisoformat(raw)})
            except ValueError:
                errors[name] = _("Enter a real date as YYYY-MM-DD.")
    before = params.get("before", "")
    if before.isdigit():
        events = events.filter(pk__lt=int(before))
    rows = list(events.order_by("-pk")[: PAGE + 1])
    more = rows[PAGE - 1].pk if len(rows) > PAGE else None
    query = params.copy()
    if more:
        query["before"] = str(more)
    return render(
        request,
        "audit/access_log.html",
        {
            "events": rows[:PAGE],
            "params": params,
            "errors": errors,
            "next_url": f"?{query.urlencode()}" if more else "",
        },
        status=400 if errors else 200,
    )
