from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cellclinic.accounts.access import staff_view
from cellclinic.audit.forms import AccessLogFilters
from cellclinic.audit.selectors import access_events

PAGE = 100


@staff_view("audit.view")
@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    """Who opened or was refused what, and when; searchable by person, reference or patient
    id (any letter case), outcome and day. Read-only."""
    params = request.GET
    form = AccessLogFilters(params)
    rows = []
    more = None
    if form.is_valid():
        data = form.cleaned_data
        events = access_events(
            user=data["user"],
            object_ref=data["object"],
            outcome=data["outcome"],
            since=data["from"],
            until=data["to"],
            before=data["before"],
        )
        rows = list(events[: PAGE + 1])
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
            "form": form,
            "errors": {name: errors[0] for name, errors in form.errors.items()},
            "next_url": f"?{query.urlencode()}" if more else "",
        },
        status=400 if form.errors else 200,
    )
