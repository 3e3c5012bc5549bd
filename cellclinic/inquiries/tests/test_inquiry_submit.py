"""The public inquiry form: what is stored, what is refused, and what the family sees."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from cellclinic.core.models import OutboundEmail
from cellclinic.inquiries.models import Document, Inquiry, StatusChange
from cellclinic.lib.references import ALPHABET
from conftest import as_form, build_answers

pytestmark = pytest.mark.django_db
URL = "/programs/cerebral-palsy/inquire/"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def post(client: Client, answers: dict[str, Any], **extra: Any):
    return client.post(URL, {**as_form(answers), **extra})


def error_fields(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'<li><a href="#f-([^"]+)">', html)


def assert_nothing_stored(upload_root: Path | None = None) -> None:
    assert Inquiry.objects.count() == 0
    assert Document.objects.count() == 0
    assert OutboundEmail.objects.count() == 0
    if upload_root is not None and upload_root.exists():
        assert [p for p in upload_root.rglob("*") if p.is_file()] == []


@pytest.mark.django_db(transaction=True)
def test_it_stores_the_inquiry_and_shows_the_reference(
    client: Client, run_tasks, mailoutbox
) -> None:
    response = post(client, build_answers())
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    page = client.get(response["Location"])
    assert inquiry.reference in page.content.decode()
    assert re.fullmatch(f"[{ALPHABET}]{{5}}-[{ALPHABET}]{{5}}", inquiry.reference)
    assert inquiry.status == "new" and inquiry.source == "web"
    assert inquiry.answers["cp.goals"] == ["motor", "speech_language"]
    assert inquiry.answers["cp.rehabilitation"] is True
    assert inquiry.program_version == inquiry.program.current_version
    assert StatusChange.objects.get(inquiry=inquiry).to_status == "new"
    assert mailoutbox == []  # nothing is sent inside the request
    run_tasks()
    assert len(mailoutbox) == 1 and inquiry.reference in mailoutbox[0].body
    assert mailoutbox[0].to == ["maria@example.org"]


@pytest.mark.django_db(transaction=True)
def test_the_confirmation_is_written_in_the_reply_language(
    client: Client, run_tasks, mailoutbox
) -> None:
    post(client, build_answers(contact__language="es"))
    run_tasks()
    assert OutboundEmail.objects.get().language == "es"
    english = "has been received"
    assert english not in mailoutbox[0].subject


def test_the_form_names_every_item_by_its_id(client: Client) -> None:
    html = client.get(URL).content.decode()
    for name in (
        "cp.epilepsy",
        "cp.seizure_free_months",
        "contact.email",
        "patient.birth_date",
        "cp.goals",
    ):
        assert f'name="{name}"' in html
    assert 'data-when-item="cp.epilepsy" data-when-values="controlled"' in html


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"contact__name": None}, "contact-name"),
        ({"contact__email": "not-an-address"}, "contact-email"),
        ({"patient__birth_date": "2099-01-01"}, "patient-birth-date"),
        ({"cp__epilepsy": "sometimes"}, "cp-epilepsy"),
        ({"cp__goals": ["motor", "flying"]}, "cp-goals"),
        ({"consent__data_processing": None}, "consent-data-processing"),
    ],
)
def test_a_bad_answer_is_named_and_nothing_is_stored(
    client: Client, settings, overrides: dict[str, Any], field: str
) -> None:
    response = post(client, build_answers(**overrides))
    assert response.status_code == 400
    assert error_fields(response) == [field]
    assert 'aria-invalid="true"' in response.content.decode()
    assert_nothing_stored(settings.UPLOAD_ROOT)


def test_what_the_family_typed_is_kept_in_the_form_after_an_error(client: Client) -> None:
    answers = build_answers(contact__email="bad", message="Our son had surgery in 2024.")
    html = post(client, answers).content.decode()
    assert "Our son had surgery in 2024." in html
    assert 'value="Maria Ivanova"' in html
    assert re.search(r'value="spastic"\s+checked', html)


def test_an_accepted_upload_is_stored_privately(client: Client, settings) -> None:
    files = [
        SimpleUploadedFile("scan.png", png_bytes(), "image/png"),
        SimpleUploadedFile("report.pdf", PDF, "application/pdf"),
    ]
    response = post(client, build_answers(), documents=files)
    assert response.status_code == 302
    documents = list(Document.objects.order_by("original_name"))
    assert [(d.original_name, d.kind) for d in documents] == [
        ("report.pdf", "pdf"),
        ("scan.png", "png"),
    ]
    for document in documents:
        path = Path(document.file.path)
        assert path.is_relative_to(settings.UPLOAD_ROOT)
        assert "scan" not in path.name and "report" not in path.name
        assert not path.is_relative_to(settings.STATIC_ROOT)


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("notes.exe", b"MZ\x90\x00" + b"\x00" * 100, "Only PDF, JPEG and PNG"),
        ("fake.pdf", b"<html>not a pdf</html>", "Only PDF, JPEG and PNG"),
        ("photo.pdf", png_bytes(), "does not match"),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "could not be read"),
        ("cut.pdf", b"%PDF-1.4\n1 0 obj", "could not be read"),
    ],
)
def test_a_disallowed_upload_is_refused_naming_the_field(
    client: Client, settings, name: str, content: bytes, why: str
) -> None:
    response = post(client, build_answers(), documents=[SimpleUploadedFile(name, content)])
    assert response.status_code == 400
    assert error_fields(response) == ["documents"]
    assert why in response.content.decode()
    assert_nothing_stored(settings.UPLOAD_ROOT)


def bomb_png() -> bytes:
    """A small PNG whose header declares 100,000 x 100,000 pixels."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + chunk(b"IEND", b"")
    )


def test_a_decompression_bomb_is_refused_as_damaged(client: Client, settings) -> None:
    response = post(client, build_answers(), documents=[SimpleUploadedFile("huge.png", bomb_png())])
    assert response.status_code == 400 and error_fields(response) == ["documents"]
    assert "could not be read" in response.content.decode()
    assert_nothing_stored(settings.UPLOAD_ROOT)


def test_an_oversized_upload_is_refused(client: Client, settings) -> None:
    settings.UPLOAD_MAX_BYTES = 2048
    big = PDF[:-6] + b" " * 4096 + b"%%EOF\n"
    response = post(client, build_answers(), documents=[SimpleUploadedFile("big.pdf", big)])
    assert response.status_code == 400 and error_fields(response) == ["documents"]
    assert_nothing_stored(settings.UPLOAD_ROOT)


def test_too_many_files_are_refused(client: Client, settings) -> None:
    settings.UPLOAD_MAX_FILES = 2
    files = [SimpleUploadedFile(f"r{i}.pdf", PDF) for i in range(3)]
    response = post(client, build_answers(), documents=files)
    assert response.status_code == 400 and error_fields(response) == ["documents"]
    assert_nothing_stored()


def test_a_filled_honeypot_stores_nothing(client: Client) -> None:
    response = post(client, build_answers(), website="http://spam.example")
    assert response.status_code == 400
    assert_nothing_stored()


def test_the_seizure_free_months_answer_is_dropped_unless_epilepsy_is_controlled(
    client: Client,
) -> None:
    post(client, build_answers(cp__epilepsy="none", cp__seizure_free_months=10))
    assert "cp.seizure_free_months" not in Inquiry.objects.get().answers


def test_the_form_needs_its_csrf_token(settings) -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(URL, as_form(build_answers()))
    assert response.status_code == 403
    assert Inquiry.objects.count() == 0


def test_an_unknown_program_has_no_form(client: Client) -> None:
    assert client.get("/programs/no-such-program/inquire/").status_code == 404


def test_the_confirmation_page_needs_a_submission(client: Client) -> None:
    response = client.get(URL + "sent/")
    assert response.status_code == 302


def test_a_birth_date_of_today_in_the_furthest_east_time_zone_is_accepted(client: Client) -> None:
    """At 11:00 UTC it is already tomorrow in Kiribati (UTC+14); that date is not the future."""
    import time_machine

    with time_machine.travel("2026-11-23T11:00:00Z", tick=False):
        assert post(client, build_answers(patient__birth_date="2026-11-24")).status_code == 302
        response = post(client, build_answers(patient__birth_date="2026-11-25"))
        assert response.status_code == 400 and error_fields(response) == ["patient-birth-date"]


def test_a_yes_no_answer_can_be_taken_back_to_unanswered(client: Client) -> None:
    """'No' and 'not answered' differ for screening; the form offers the way back."""
    html = client.get(URL).content.decode()
    assert 'name="cp.autism" value=""' in html and "I do not know" in html
    response = post(client, build_answers(cp__autism=None), **{"cp.autism": ""})
    assert response.status_code == 302
    assert "cp.autism" not in Inquiry.objects.get().answers


def test_a_reference_that_collides_is_drawn_again_and_the_inquiry_stored_once(
    client: Client, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    assert post(client, build_answers()).status_code == 302
    taken = Inquiry.objects.get().reference
    drawn = iter([taken, taken, "ABCDE-FGHJK"])
    monkeypatch.setattr("cellclinic.inquiries.services.new_reference", lambda: next(drawn))
    with django_capture_on_commit_callbacks() as queued:
        assert post(client, build_answers(contact__email="other@example.org")).status_code == 302
    other = Inquiry.objects.get(contact_email="other@example.org")
    assert other.reference == "ABCDE-FGHJK"
    assert StatusChange.objects.filter(inquiry=other).count() == 1
    assert len(queued) == 1  # its follow-through task, queued once
    assert Inquiry.objects.count() == 2


def test_a_database_refusal_other_than_a_collision_is_not_tried_again(
    client: Client, monkeypatch
) -> None:
    """Only a reference that collided is drawn again; any other refusal reaches the caller
    (as a clear error page) after one attempt, with nothing stored."""
    from django.db import IntegrityError

    attempts = []

    def refuse(**kwargs: Any) -> None:
        attempts.append(kwargs)
        raise IntegrityError("refused")

    monkeypatch.setattr("cellclinic.inquiries.services.StatusChange.objects.create", refuse)
    client.raise_request_exception = False
    response = post(client, build_answers())
    assert response.status_code == 500 and len(attempts) == 1
    assert_nothing_stored()
