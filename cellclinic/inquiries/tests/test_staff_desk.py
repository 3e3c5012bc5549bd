"""The staff desk: queue filters and pages, the inquiry page, documents, status, notes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cellclinic.audit.models import AccessEvent
from cellclinic.inquiries.models import Inquiry, Note, StatusChange
from cellclinic.inquiries.selectors import first_contact_due_before
from cellclinic.screening.queue import QueueFilters, inquiry_queue
from cellclinic.screening.services import inquiry_screen
from conftest import as_form, build_answers

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def submit(client: Client, program: str = "stroke", **overrides) -> Inquiry:
    files = overrides.pop("documents", None)
    data = as_form(build_answers(program, **overrides))
    if files:
        data["documents"] = files
    response = client.post(
        f"/programs/{program}/inquire/", data, REMOTE_ADDR=f"10.1.{Inquiry.objects.count()}.1"
    )
    assert response.status_code == 302
    inquiry = Inquiry.objects.order_by("-pk").first()
    assert inquiry is not None
    inquiry_screen(inquiry=inquiry)
    return inquiry


def refs(response) -> list[str]:
    return re.findall(r'href="/staff/inquiries/([A-Z0-9-]+)/"', response.content.decode())


def test_the_queue_filters_by_program_status_country_and_decision(client: Client, sign_in) -> None:
    a = submit(client, "stroke", contact__country="ES")
    b = submit(client, "cerebral-palsy", contact__country="CN", cp__epilepsy="uncontrolled")
    desk = sign_in("coordinator")
    assert set(refs(desk.get("/staff/inquiries/"))) == {a.reference, b.reference}
    assert refs(desk.get("/staff/inquiries/?program=stroke")) == [a.reference]
    assert refs(desk.get("/staff/inquiries/?country=cn")) == [b.reference]
    assert refs(desk.get("/staff/inquiries/?decision=not_eligible")) == [b.reference]
    assert refs(desk.get("/staff/inquiries/?status=contacted")) == []


def test_search_finds_by_reference_name_or_email(client: Client, sign_in) -> None:
    a = submit(client, contact__name="Lucía Fernández", contact__email="lucia@example.org")
    submit(client, contact__name="Other Person", contact__email="other@example.org")
    desk = sign_in("coordinator")
    assert refs(desk.get(f"/staff/inquiries/?q={a.reference.lower().replace('-', '')}")) == [
        a.reference
    ]
    assert refs(desk.get("/staff/inquiries/?q=fernández")) == [a.reference]
    assert refs(desk.get("/staff/inquiries/?q=LUCIA@example.org")) == [a.reference]


def test_keyset_pages_cover_every_inquiry_once(client: Client) -> None:
    made = {submit(client).reference for _ in range(7)}
    seen: list[str] = []
    cursor = ""
    while True:
        page = inquiry_queue(filters=QueueFilters(), cursor=cursor, size=3)
        seen += [i.reference for i in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(made) and len(seen) == 7
    assert page.counts["new"] == 7


def test_keyset_pages_with_a_program_and_equal_times_keep_newest_first(client: Client) -> None:
    stroke = [submit(client, "stroke") for _ in range(5)]
    submit(client, "cerebral-palsy")
    moment = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # three share one time: the id decides
    Inquiry.objects.filter(pk__in=[i.pk for i in stroke[1:4]]).update(created_at=moment)
    expected = [
        i.reference
        for i in Inquiry.objects.filter(program__slug="stroke").order_by("-created_at", "-pk")
    ]
    seen: list[str] = []
    cursor = ""
    while True:
        page = inquiry_queue(filters=QueueFilters(program="stroke"), cursor=cursor, size=2)
        seen += [i.reference for i in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == expected and len(seen) == 5
    assert inquiry_queue(filters=QueueFilters(program="no-such-program")).rows == []


def test_the_queue_page_reads_the_same_number_of_queries_for_one_row_or_many(
    client: Client, sign_in
) -> None:
    submit(client, "stroke")
    desk = sign_in("coordinator")
    url = "/staff/inquiries/?program=stroke&status=new"
    desk.get(url)  # the counts are cached from here on
    with CaptureQueriesContext(connection) as one:
        assert len(refs(desk.get(url))) == 1
    for _ in range(3):
        submit(client, "stroke")
    desk.get(url)
    with CaptureQueriesContext(connection) as four:
        assert len(refs(desk.get(url))) == 4
    assert len(one.captured_queries) == len(four.captured_queries)


def test_a_bad_cursor_starts_from_the_top(sign_in, client: Client) -> None:
    submit(client)
    assert len(refs(sign_in("coordinator").get("/staff/inquiries/?after=%%%garbage"))) == 1


def test_inquiries_waiting_over_two_working_days_are_flagged(client: Client, sign_in) -> None:
    old = submit(client)
    fresh = submit(client)
    Inquiry.objects.filter(pk=old.pk).update(
        created_at=first_contact_due_before() - timedelta(minutes=1)
    )
    desk = sign_in("coordinator")
    assert refs(desk.get("/staff/inquiries/?waiting=overdue")) == [old.reference]
    page = desk.get("/staff/inquiries/").content.decode()
    assert page.count('class="overdue"') == 1 and fresh.reference in page


def test_two_working_days_skip_the_weekend() -> None:
    monday_noon = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert first_contact_due_before(monday_noon).date().isoformat() == "2026-11-19"  # Thursday


def test_the_inquiry_page_shows_answers_and_is_logged(client: Client, sign_in) -> None:
    inquiry = submit(client, message="Please call after 6 pm.")
    desk = sign_in("coordinator")
    page = desk.get(f"/staff/inquiries/{inquiry.reference}/").content.decode()
    assert "Please call after 6 pm." in page and "stroke.mrs" in page
    event = AccessEvent.objects.get(object_ref=inquiry.reference)
    assert (event.action, event.user.username) == ("staff_inquiry", "coordinator1")


def test_status_assignment_and_notes_from_the_page(client: Client, sign_in) -> None:
    inquiry = submit(client)
    desk = sign_in("coordinator")
    url = f"/staff/inquiries/{inquiry.reference}/"
    assert desk.post(url, {"action": "status", "status": "contacted"}).status_code == 302
    assert desk.post(url, {"action": "assign", "assignee": "coordinator1"}).status_code == 302
    assert (
        desk.post(url, {"action": "note", "text": "Asked for the MRI report."}).status_code == 302
    )
    inquiry.refresh_from_db()
    assert inquiry.status == "contacted" and inquiry.assigned_to.username == "coordinator1"
    assert Note.objects.get().text == "Asked for the MRI report."
    refused = desk.post(url, {"action": "status", "status": "withdrawn", "reason": ""})
    assert refused.status_code == 400 and 'id="f-status-reason-error"' in refused.content.decode()
    jump = desk.post(url, {"action": "status", "status": "accepted"})
    assert jump.status_code == 400 and 'id="f-status-error"' in jump.content.decode()
    assert StatusChange.objects.filter(inquiry=inquiry).count() == 2  # new, contacted


def test_documents_are_downloaded_only_through_the_logged_view(client: Client, sign_in) -> None:
    inquiry = submit(client, documents=[SimpleUploadedFile("mri.pdf", PDF)])
    document = inquiry.documents.get()
    url = f"/staff/inquiries/{inquiry.reference}/documents/{document.uuid}/"
    assert client.get(url).status_code == 302  # anonymous: to sign-in
    assert sign_in("nurse").get(url).status_code == 403
    assert AccessEvent.objects.get().outcome == "refused"
    response = sign_in("physician").get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    event = AccessEvent.objects.get(action="staff_document", outcome="allowed")
    assert str(document.uuid) in event.path and event.user.username == "physician1"
    other = sign_in("admin").get(f"/staff/inquiries/{inquiry.reference}/documents/not-a-uuid/")
    assert other.status_code == 404


def test_the_access_log_cannot_be_changed_or_deleted(client: Client, sign_in) -> None:
    inquiry = submit(client)
    sign_in("coordinator").get(f"/staff/inquiries/{inquiry.reference}/")
    event = AccessEvent.objects.get()
    event.action = "edited"
    with pytest.raises(Exception, match="append-only"):
        event.save()
    with pytest.raises(Exception, match="append-only"):
        event.delete()


def test_uploads_are_never_served_by_a_public_url(client: Client, settings) -> None:
    inquiry = submit(client, documents=[SimpleUploadedFile("mri.pdf", PDF)])
    name = inquiry.documents.get().file.name
    for url in (f"/media/{name}", f"/static/{name}", f"/{name}", f"/uploads/{name}"):
        assert client.get(url).status_code == 404


def test_control_characters_in_filters_are_ignored_not_a_server_error(
    client: Client, sign_in
) -> None:
    inquiry = submit(client)
    desk = sign_in("admin")
    for query in ("?program=str\x00oke", "?q=Carlos\x00", "?assignee=\x00", "?country=E\x00S"):
        assert desk.get("/staff/inquiries/" + query).status_code == 200, query
    assert desk.get("/staff/audit/?user=\x00&object=\x00").status_code == 200
    assert desk.get("/api/v1/staff/inquiries?q=\x00").status_code == 200
    assert inquiry.reference in desk.get("/staff/inquiries/?program=str\x00oke").content.decode()
    page = desk.post(
        f"/staff/inquiries/{inquiry.reference}/", {"action": "assign", "assignee": "x\x00"}
    )
    assert page.status_code == 400 and 'id="f-assignee-error"' in page.content.decode()


def _answer(page: str, label: str) -> str:
    """The shown answer to the question `label` on the inquiry page."""
    found = re.search(
        rf"<dt[^>]*>{re.escape(label)}</dt><dd>(?:<span dir=\"auto\">)?([^<]*)(?:</span>)?</dd>",
        page,
    )
    assert found is not None, label
    return found.group(1)


def test_the_inquiry_page_shows_labels_and_names_not_keys_or_codes(client: Client, sign_in) -> None:
    inquiry = submit(client, "cerebral-palsy")
    desk = sign_in("coordinator")
    page = desk.get(f"/staff/inquiries/{inquiry.reference}/").content.decode()
    assert "<code>contact.name</code>" not in page
    assert 'data-key="contact.name"' in page  # kept for whoever needs the key, not read
    assert _answer(page, "Country where you live") == "Russia"
    assert _answer(page, "Language for our replies") == "Russian"
    assert "language (Russian)" in page and "(ru)" not in page
    page = desk.get(
        f"/staff/inquiries/{inquiry.reference}/", HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert _answer(page, "País en el que reside") == "Rusia"
    assert "Ruso" == _answer(page, "Idioma de nuestras respuestas")


def test_the_queue_names_each_program_in_the_readers_language(client: Client, sign_in) -> None:
    submit(client, "cerebral-palsy")
    desk = sign_in("coordinator")
    page = desk.get("/staff/inquiries/").content.decode()
    assert "<td>Cerebral palsy</td>" in page and "<td>cerebral-palsy</td>" not in page
    page = desk.get("/staff/inquiries/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "<td>Parálisis cerebral</td>" in page


def test_the_inquiry_page_isolates_phone_and_e_mail_from_right_to_left_text(
    client: Client, sign_in
) -> None:
    inquiry = submit(client, contact__phone="+44 20 7946 0958")
    page = sign_in("coordinator").get(
        f"/staff/inquiries/{inquiry.reference}/", HTTP_ACCEPT_LANGUAGE="ar"
    )
    body = page.content.decode()
    assert '<dd><bdi dir="ltr">+442079460958</bdi></dd>' in body
    assert '<dd><bdi dir="ltr">carlos@example.org</bdi></dd>' in body
