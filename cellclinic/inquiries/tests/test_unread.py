"""A family's reply or upload is unread for staff until the one it waits for opens the
inquiry: the assignee, or anyone on the desk when nobody is assigned. Every activity moves
the inquiry's last activity."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from cellclinic.accounts.services import staff_user_create
from cellclinic.inquiries.family import family_token
from cellclinic.inquiries.models import Inquiry
from cellclinic.inquiries.services import (
    Upload,
    family_reply,
    inquiry_assign,
    inquiry_mark_read,
    inquiry_status_change,
    inquiry_submit,
    message_send,
)
from cellclinic.lib.uploads import CheckedUpload
from cellclinic.programs.selectors import program_get
from conftest import build_answers

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def person(role: str, name: str) -> User:
    return staff_user_create(username=name, role=role, password="a-long-password-1")[0]


def new_inquiry() -> Inquiry:
    program = program_get(slug="stroke")
    assert program is not None
    inquiry, _ = inquiry_submit(program=program, answers=build_answers("stroke"), language="en")
    return inquiry


def fresh(inquiry: Inquiry) -> Inquiry:
    return Inquiry.objects.get(pk=inquiry.pk)


def a_pdf() -> Upload:
    checked = CheckedUpload(kind="pdf", content_type="application/pdf", size=len(PDF), sha256="0")
    return Upload(file=SimpleUploadedFile("mri.pdf", PDF), checked=checked)


def test_a_new_inquiry_has_nothing_unread_and_its_arrival_as_last_activity() -> None:
    inquiry = fresh(new_inquiry())
    assert not inquiry.is_unread and not inquiry.unread_reply and not inquiry.unread_upload
    assert abs(inquiry.last_activity_at - inquiry.created_at) < timedelta(seconds=5)


def test_a_reply_is_unread_with_its_time_as_last_and_family_activity() -> None:
    inquiry = new_inquiry()
    message = family_reply(inquiry=inquiry, body="Here is the report.", uploads=[])
    inquiry = fresh(inquiry)
    assert inquiry.is_unread and inquiry.unread_reply and not inquiry.unread_upload
    assert inquiry.unread_since == inquiry.family_activity_at == message.created_at
    assert inquiry.last_activity_at == message.created_at


def test_an_upload_alone_is_a_new_document_not_a_reply() -> None:
    inquiry = new_inquiry()
    family_reply(inquiry=inquiry, body="", uploads=[a_pdf()])
    inquiry = fresh(inquiry)
    assert inquiry.unread_upload and not inquiry.unread_reply


def test_unread_since_keeps_the_first_unread_and_activity_the_latest() -> None:
    inquiry = new_inquiry()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        family_reply(inquiry=inquiry, body="First.", uploads=[])
    with time_machine.travel(start + timedelta(hours=3), tick=False):
        family_reply(inquiry=inquiry, body="Second.", uploads=[a_pdf()])
    inquiry = fresh(inquiry)
    assert inquiry.unread_since == start
    assert inquiry.family_activity_at == start + timedelta(hours=3)
    assert inquiry.unread_reply and inquiry.unread_upload


def test_staff_messages_and_status_moves_are_activity_but_not_unread() -> None:
    coordinator = person("coordinator", "carmen")
    inquiry = new_inquiry()
    start = timezone.now() + timedelta(minutes=5)
    with time_machine.travel(start, tick=False):
        message_send(inquiry=inquiry, author=coordinator, body="Any MRI?")
    inquiry = fresh(inquiry)
    assert inquiry.last_activity_at == start and not inquiry.is_unread
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        inquiry_status_change(inquiry=inquiry, to_status="screening", by=coordinator)
    assert fresh(inquiry).last_activity_at == start + timedelta(hours=1)


def test_only_the_assignee_clears_it_when_someone_is_assigned() -> None:
    admin, carmen = person("admin", "ada"), person("coordinator", "carmen")
    other = person("coordinator", "otto")
    inquiry = new_inquiry()
    inquiry_assign(inquiry=inquiry, assignee=carmen, by=admin)
    family_reply(inquiry=inquiry, body="Hello", uploads=[])
    assert not inquiry_mark_read(inquiry=fresh(inquiry), by=other)
    assert not inquiry_mark_read(inquiry=fresh(inquiry), by=admin)
    assert fresh(inquiry).is_unread
    assert inquiry_mark_read(inquiry=fresh(inquiry), by=carmen)
    inquiry = fresh(inquiry)
    assert not inquiry.is_unread and not inquiry.unread_reply and not inquiry.unread_upload
    assert inquiry.family_activity_at is not None  # the activity itself is kept


def test_anyone_on_the_desk_clears_it_when_nobody_is_assigned_but_not_a_nurse() -> None:
    nurse, physician = person("nurse", "nina"), person("physician", "pavel")
    inquiry = new_inquiry()
    family_reply(inquiry=inquiry, body="Hello", uploads=[])
    assert not inquiry_mark_read(inquiry=fresh(inquiry), by=nurse)
    assert inquiry_mark_read(inquiry=fresh(inquiry), by=physician)
    assert not fresh(inquiry).is_unread


def test_a_reply_that_came_after_the_page_was_read_stays_unread() -> None:
    coordinator = person("coordinator", "carmen")
    inquiry = new_inquiry()
    family_reply(inquiry=inquiry, body="First", uploads=[])
    as_loaded = fresh(inquiry)
    with time_machine.travel(timezone.now() + timedelta(seconds=30), tick=False):
        family_reply(inquiry=inquiry, body="Second", uploads=[])
    assert not inquiry_mark_read(inquiry=as_loaded, by=coordinator)
    assert fresh(inquiry).is_unread


def test_the_page_shows_the_marker_and_opening_it_as_assignee_clears_it(
    client: Client, sign_in
) -> None:
    desk = sign_in("coordinator")
    carmen = User.objects.get(username="coordinator1")
    inquiry = new_inquiry()
    inquiry_assign(inquiry=inquiry, assignee=carmen, by=carmen)
    page = client.post(f"/family/{family_token(inquiry)}/", {"body": "The MRI is attached."})
    assert page.status_code == 302
    other = sign_in("physician")
    html = other.get(f"/staff/inquiries/{inquiry.reference}/").content.decode()
    assert "Family replied" in html and "Unread until the assigned coordinator" in html
    assert fresh(inquiry).is_unread
    html = desk.get(f"/staff/inquiries/{inquiry.reference}/").content.decode()
    assert "Family replied" in html and "Marked as read now that you opened it." in html
    assert not fresh(inquiry).is_unread
    assert (
        "Family replied" not in desk.get(f"/staff/inquiries/{inquiry.reference}/").content.decode()
    )


def test_what_the_family_wrote_follows_its_own_direction_on_the_desk(sign_in) -> None:
    """An Arabic message, answer or note reads right to left on an English desk page."""
    from cellclinic.inquiries.tests.test_staff_desk import submit

    client = sign_in("coordinator")
    inquiry = submit(client, "stroke")
    inquiry.messages.create(direction="in", body="أرسلت تقرير الرنين المغناطيسي.")
    page = client.get(f"/staff/inquiries/{inquiry.reference}/").content.decode()
    assert '<p dir="auto">أرسلت تقرير الرنين المغناطيسي.</p>' in page
    assert page.count('<textarea id="f-message" name="body" rows="4" dir="auto">') == 1


def test_direction_overrides_are_taken_out_of_what_is_stored(client, sign_in) -> None:
    """U+202E would show "abc" as "cba" on the desk and in e-mails: a spoofed name."""
    from cellclinic.inquiries.models import Inquiry
    from cellclinic.inquiries.tests.test_staff_desk import submit

    inquiry = submit(client, "stroke", contact__name="Sara \u202eabc\u202c")
    stored = Inquiry.objects.get(pk=inquiry.pk)
    assert stored.contact_name == "Sara abc"
    assert stored.answers["contact.name"] == "Sara abc"
    desk = sign_in("coordinator")
    desk.post(
        f"/staff/inquiries/{stored.reference}/",
        {"action": "note", "text": "call \u2067back\u2069 \u200fتم"},
    )
    assert stored.internal_notes.get().text == "call back \u200fتم"  # the mark RLM stays


def test_a_refused_desk_action_lands_on_a_summary_naming_its_field(sign_in, client) -> None:
    from cellclinic.inquiries.tests.test_staff_desk import submit

    inquiry = submit(client, "stroke")
    desk = sign_in("coordinator")
    page = desk.post(
        f"/staff/inquiries/{inquiry.reference}/", {"action": "message", "body": ""}
    ).content.decode()
    summary = page.index('id="error-summary"')
    assert summary < page.index('id="f-message"')  # at the top, where the page opens
    assert '<a href="#f-message">Write to the family: ' in page
    refused = desk.post(f"/staff/inquiries/{inquiry.reference}/", {"action": "status"})
    assert 'class="field invalid"><label for="f-status">' in refused.content.decode()
