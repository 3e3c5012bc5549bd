"""The desk's actions read their input through forms, with the messages the desk always gave
beside the field they concern (issue 11)."""

from __future__ import annotations

import re

import pytest

from cellclinic.inquiries.desk_forms import AssignForm, DeclineForm, NoteForm, StatusMoveForm
from cellclinic.inquiries.models import Inquiry, Message, Note
from cellclinic.inquiries.services import inquiry_submit
from cellclinic.programs.selectors import program_get
from conftest import build_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def inquiry() -> Inquiry:
    program = program_get(slug="stroke")
    assert program is not None
    return inquiry_submit(program=program, answers=build_answers("stroke"), language="en")[0]


def error(page, html_id: str) -> str:
    found = re.search(rf'id="{html_id}">([^<]*)<', page.content.decode())
    assert found, page.content.decode()
    return found.group(1)


def test_it_names_empty_long_and_invisible_text_as_before(sign_in, inquiry: Inquiry) -> None:
    desk = sign_in("coordinator")
    url = f"/staff/inquiries/{inquiry.reference}/"
    empty = desk.post(url, {"action": "note", "text": "   "})
    assert empty.status_code == 400
    assert error(empty, "f-note-error") == "Write something first."
    long = desk.post(url, {"action": "message", "body": "x" * 10_001})
    assert error(long, "f-message-error") == "This is too long."
    hidden = desk.post(url, {"action": "status", "status": "contacted", "reason": "a\x07b"})
    assert error(hidden, "f-status-reason-error") == "Remove the invisible control characters."
    assert not Note.objects.exists() and not Message.objects.exists()


def test_it_refuses_an_unknown_action_and_a_role_without_the_right(
    sign_in, inquiry: Inquiry
) -> None:
    desk = sign_in("coordinator")
    url = f"/staff/inquiries/{inquiry.reference}/"
    assert desk.post(url, {"action": "delete"}).status_code == 400
    refused = desk.post(url, {"action": "decline", "reason": "x", "message": "Sorry."})
    assert refused.status_code == 400 and not Message.objects.exists()
    inquiry.refresh_from_db()
    assert inquiry.status == "new"


def test_the_forms_clean_what_the_services_take(inquiry: Inquiry, sign_in) -> None:
    sign_in("coordinator")
    move = StatusMoveForm({"status": "contacted", "reason": "  called  "})
    assert move.is_valid() and move.values() == {"to_status": "contacted", "reason": "called"}
    assign = AssignForm({"assignee": " coordinator1\x00 "})
    assert assign.is_valid() and assign.values()["assignee"].username == "coordinator1"
    nobody = AssignForm({"assignee": ""})
    assert nobody.is_valid() and nobody.values() == {"assignee": None}
    unknown = AssignForm({"assignee": "nobody"})
    assert not unknown.is_valid() and unknown.errors["assignee"] == ["Choose a coordinator."]
    assert NoteForm({"text": "x" * 10_000}).is_valid()
    decline = DeclineForm({"reason": "", "message": "Lo sentimos."})
    assert decline.is_valid()  # the reason is the status machine's to require
