from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

# What a database that does not answer raises (refused, unreachable, locked, closed): the
# request gets 503 with Retry-After, a state to wait out, rather than a 500.
DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        response = JsonResponse({"status": "unavailable", "database": "down"}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return JsonResponse({"status": "ok", "database": "ok"})


MESSAGES = {400: "bad request", 403: "forbidden", 404: "not found", 500: "server error"}


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def body_limit(request: HttpRequest) -> int:
    """The largest request body this path takes, in bytes.

    A page's body carries at most the uploads (UPLOAD_MAX_FILES of UPLOAD_MAX_BYTES) and the
    form's fields, which Django itself caps at DATA_UPLOAD_MAX_MEMORY_SIZE; the API takes JSON
    only, under that same cap.
    """
    fields = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if is_api(request):
        return fields
    return settings.UPLOAD_MAX_FILES * settings.UPLOAD_MAX_BYTES + fields


def _message(request: HttpRequest, status: int) -> str:
    """The API's message for a status, in the request's language where it is ours."""
    if status == 411:
        return _("Send the request body with a Content-Length header.")
    if status == 413:
        size = max(body_limit(request) // (1024 * 1024), 1)
        return _("The request body is too large: at most %(size)d MB.") % {"size": size}
    if status == 503:
        return _("The service is briefly unavailable; please try again in a few minutes.")
    return MESSAGES[status]


def _error(request: HttpRequest, status: int, **context: object) -> HttpResponse:
    if is_api(request):
        return JsonResponse(
            {"errors": [{"field": "", "message": _message(request, status)}]}, status=status
        )
    if status == 413:
        context = {
            "max_files": settings.UPLOAD_MAX_FILES,
            "max_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
            **context,
        }
    try:
        return render(request, "error.html", {"status": status, **context}, status=status)
    except Exception:
        logger.exception("the error page itself failed to render")
        return HttpResponse(
            f"<!DOCTYPE html><title>{status}</title>"
            f"<h1>{status}: {escape(_message(request, status))}</h1>",
            status=status,
        )


def too_large(request: HttpRequest) -> HttpResponse:
    return _error(request, 413)


def length_required(request: HttpRequest) -> HttpResponse:
    return _error(request, 411)


def unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After, for a database that does not answer (pages and the API)."""
    response = _error(request, 503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(request, 403, csrf=True)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        # The form's fields were over DATA_UPLOAD_MAX_MEMORY_SIZE (Django stopped reading).
        return too_large(request)
    return _error(request, 400)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while handling the exception, so it is still sys.exc_info()'s.
    if isinstance(sys.exc_info()[1], DATABASE_DOWN):
        return unavailable(request)
    return _error(request, 500)
