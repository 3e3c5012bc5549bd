"""Request-level guards that must act before anything reads the request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from cellclinic.core.views import body_limit, length_required, too_large


class BodyLimitMiddleware:
    """Refuses a body over the path's limit (`body_limit`) from its Content-Length, before
    anything reads it: an upload over the limit is never streamed to a temporary file.

    A body without a Content-Length (`Transfer-Encoding: chunked`) is refused with 411:
    Django reads a WSGI body only up to its Content-Length, so it would see an empty one.
    The check runs before every view and every middleware's `process_view` (where CSRF
    reads the form), so it can sit late in MIDDLEWARE, where the refusal gets the page's
    language and the security headers of every other response.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            return length_required(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # as Django reads it: no body
        if length > body_limit(request):
            return too_large(request)
        return self.get_response(request)
