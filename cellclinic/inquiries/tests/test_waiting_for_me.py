"""The queue's columns and markers, and "Waiting for me": the inquiries assigned to me with
something unread from the family, a filter of the queue and a count in the navigation."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cellclinic.inquiries.models import Inquiry
from cellclinic.inquiries.selectors import waiting_for
from cellclinic.inquiries.services import family_reply, inquiry_assign, inquiry_submit
from cellclinic.programs.selectors import program_get
from cellclinic.screening.services import inquiry_screen
from conftest import build_answers

pytestmark = pytest.mark.django_db


def new_inquiry(program: str = "stroke", **changes: object) -> Inquiry:
    current = program_get(slug=program)
    assert current is not None
    inquiry, _ = inquiry_submit(
        program=current, answers=build_answers(program, **changes), language="en"
    )
    inquiry_screen(inquiry=inquiry)
    return inquiry


def refs(html: str) -> list[str]:
    return re.findall(r'href="/staff/inquiries/([A-Z0-9-]+)/"', html)


def nav_count(html: str) -> str:
    found = re.search(
        r'href="/staff/inquiries/\?waiting=me"[^>]*>Waiting for me ([^<]*<[^>]*>[^<]*)', html
    )
    assert found, "no Waiting for me entry"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def test_waiting_for_me_lists_my_unread_inquiries_only(sign_in) -> None:
    desk = sign_in("coordinator")
    me = User.objects.get(username="coordinator1")
    sign_in("coordinator")
    other = User.objects.get(username="coordinator2")
    mine_unread, mine_read, theirs, nobodys = (new_inquiry() for _ in range(4))
    for inquiry, assignee in ((mine_unread, me), (mine_read, me), (theirs, other)):
        inquiry_assign(inquiry=inquiry, assignee=assignee, by=me)
    for inquiry in (mine_unread, theirs, nobodys):
        family_reply(inquiry=inquiry, body="News", uploads=[])
    assert waiting_for(me) == 1 and waiting_for(other) == 1
    html = desk.get("/staff/inquiries/?waiting=me").content.decode()
    assert refs(html) == [mine_unread.reference]
    assert nav_count(html) == "(1)"
    unread = refs(desk.get("/staff/inquiries/?waiting=unread").content.decode())
    assert set(unread) == {mine_unread.reference, theirs.reference, nobodys.reference}
    desk.get(f"/staff/inquiries/{mine_unread.reference}/")  # opened: read
    html = desk.get("/staff/inquiries/?waiting=me").content.decode()
    assert refs(html) == [] and nav_count(html) == "(0)"


def test_the_queue_shows_decision_age_program_country_names_and_markers(sign_in) -> None:
    inquiry = new_inquiry(
        "cerebral-palsy",
        contact__country="SA",
        patient__birth_date="2019-05-04",
        cp__epilepsy="uncontrolled",
    )
    family_reply(inquiry=inquiry, body="Hello", uploads=[])
    html = sign_in("coordinator").get("/staff/inquiries/").content.decode()
    row = re.search(
        rf"<tr>\s*<td><a href=\"/staff/inquiries/{inquiry.reference}/\"[^>]*>.*?</tr>", html, re.S
    )
    assert row, html
    cells = [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)
    ]
    assert "Family replied" in cells[0] and "New document" not in cells[0]
    assert cells[2] == "Cerebral palsy" and "cerebral-palsy" not in row.group(0)
    assert cells[4] == "not eligible"  # the label, not the id not_eligible
    assert cells[5].isdigit() and int(cells[5]) >= 7
    assert cells[7] == "Saudi Arabia"
    assert cells[9].startswith("waiting since ")
    assert '<option value="cerebral-palsy">Cerebral palsy</option>' in html


def test_the_queue_reads_the_same_queries_with_markers_and_decisions(sign_in) -> None:
    desk = sign_in("coordinator")
    me = User.objects.get(username="coordinator1")
    first = new_inquiry()
    inquiry_assign(inquiry=first, assignee=me, by=me)
    family_reply(inquiry=first, body="One", uploads=[])
    desk.get("/staff/inquiries/")  # the counts are cached from here on
    with CaptureQueriesContext(connection) as one:
        desk.get("/staff/inquiries/?waiting=me")
    for _ in range(3):
        inquiry = new_inquiry()
        inquiry_assign(inquiry=inquiry, assignee=me, by=me)
        family_reply(inquiry=inquiry, body="More", uploads=[])
    with CaptureQueriesContext(connection) as four:
        assert len(refs(desk.get("/staff/inquiries/?waiting=me").content.decode())) == 4
    assert len(one.captured_queries) == len(four.captured_queries)


def test_waiting_for_me_is_offered_to_coordinators_only(sign_in) -> None:
    physician = sign_in("physician")
    html = physician.get("/staff/inquiries/").content.decode()
    assert "?waiting=me" not in html and 'value="me"' not in html
    assert refs(physician.get("/staff/inquiries/?waiting=me").content.decode()) == []
