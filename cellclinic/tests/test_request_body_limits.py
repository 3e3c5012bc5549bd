"""A request body over the limits is refused with 413 before it is read: pages in the
visitor's language, the API in JSON."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.test.client import encode_multipart

from cellclinic.inquiries.models import Document, Inquiry
from conftest import as_form, build_answers

pytestmark = pytest.mark.django_db
FORM = "/programs/cerebral-palsy/inquire/"
API = "/api/v1/inquiries"
BOUNDARY = "cellclinic-test-boundary"


def multipart(fields: dict) -> bytes:
    return encode_multipart(BOUNDARY, fields)


def test_a_form_declared_over_the_limit_is_refused_before_its_body_is_read(
    client: Client, settings
) -> None:
    """Only a few bytes follow a Content-Length over the limit: reading the body would fail
    the request, so the 413 proves that nothing read it (nor wrote an upload to disk)."""
    limit = settings.UPLOAD_MAX_FILES * settings.UPLOAD_MAX_BYTES
    response = client.post(
        FORM,
        multipart(as_form(build_answers())),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(limit + settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
        headers={"Accept-Language": "ru"},
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert 'lang="ru"' in page and "Отправленные данные слишком велики" in page
    assert f"не больше {settings.UPLOAD_MAX_FILES} файлов" in page
    assert Inquiry.objects.count() == 0 and Document.objects.count() == 0


def test_uploads_over_the_limit_get_413_and_nothing_is_stored(client: Client, settings) -> None:
    settings.UPLOAD_MAX_FILES = 1
    settings.UPLOAD_MAX_BYTES = 2048
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    big = b"%PDF-1.4\n" + b" " * 8192 + b"%%EOF\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        FORM,
        {**as_form(build_answers()), "documents": [SimpleUploadedFile("big.pdf", big)]},
        headers={"Accept-Language": "es"},
    )
    assert response.status_code == 413 and 'lang="es"' in response.content.decode()
    assert Inquiry.objects.count() == 0 and Document.objects.count() == 0
    assert not any(p.is_file() for p in settings.UPLOAD_ROOT.rglob("*"))


def test_form_fields_over_djangos_cap_get_413_in_the_visitors_language(
    client: Client, settings
) -> None:
    """Under the page's limit but over DATA_UPLOAD_MAX_MEMORY_SIZE for the fields: Django
    stops reading (RequestDataTooBig), which was a 400 before."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    answers = as_form(build_answers())
    answers["contact.name"] = "x" * 5000
    response = client.post(FORM, answers, headers={"Accept-Language": "ar"})
    assert response.status_code == 413
    assert 'lang="ar"' in response.content.decode()
    assert Inquiry.objects.count() == 0


def test_an_api_body_over_1_mb_gets_413_in_json_in_the_requests_language(client: Client) -> None:
    """It was a plain 400 with "bad request" in English."""
    body = {"program": "cerebral-palsy", "answers": build_answers(contact__name="x" * 1_100_000)}
    response = client.post(
        API, json.dumps(body), content_type="application/json", headers={"Accept-Language": "es"}
    )
    assert response.status_code == 413
    assert response.json() == {
        "errors": [
            {
                "field": "",
                "message": "El cuerpo de la petición es demasiado grande: 1 MB como máximo.",
            }
        ]
    }
    assert Inquiry.objects.count() == 0


def test_an_api_body_declared_over_1_mb_is_refused_before_it_is_read(client: Client) -> None:
    response = client.post(
        API, b"{}", content_type="application/json", CONTENT_LENGTH=str(2 * 1024 * 1024)
    )
    assert response.status_code == 413 and response.json()["errors"][0]["field"] == ""


@pytest.mark.parametrize("url", [FORM, API])
def test_a_body_without_a_length_is_refused_with_411(client: Client, url: str) -> None:
    """Django reads a WSGI body only up to its Content-Length: a chunked one would be lost."""
    response = client.post(
        url,
        json.dumps({"program": "cerebral-palsy", "answers": build_answers()}),
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
    )
    assert response.status_code == 411
    if url == API:
        assert response.json()["errors"][0]["message"].startswith("Send the request body")
    assert Inquiry.objects.count() == 0
