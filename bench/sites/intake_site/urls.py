"""cellclinic's URLs and `POST /bench/bare`: the baseline of `bench/intake.py`.

The bare view does the least a Django view that stores a request can do: one row inserted
in one transaction, behind the same middleware, server and workers as the real API.
"""

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from cellclinic.urls import urlpatterns as cellclinic_urls

TABLE = "bench_intake_row"


@csrf_exempt
def bare(request: HttpRequest) -> HttpResponse:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (body) VALUES (%s)", [request.body[:200].decode()])  # noqa: S608 (a constant)
    return HttpResponse(status=201)


urlpatterns = [path("bench/bare", bare), *cellclinic_urls]
