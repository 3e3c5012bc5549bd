"""A status further along the forward path is one action: each status between is passed,
each step a row of its own, each allowed to the person (the roles of each move unchanged)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from cellclinic.accounts.services import staff_user_create
from cellclinic.inquiries.models import Inquiry, StatusChange
from cellclinic.inquiries.services import DeskRefused, inquiry_status_change, inquiry_submit
from cellclinic.inquiries.workflow import INQUIRY_MACHINE, next_statuses, route
from cellclinic.lib.status_machine import MoveRefused
from cellclinic.programs.selectors import program_get
from conftest import build_answers

pytestmark = pytest.mark.django_db


def person(role: str) -> User:
    return staff_user_create(username=role, role=role, password="a-long-password-1")[0]


def new_inquiry() -> Inquiry:
    program = program_get(slug="stroke")
    assert program is not None
    return inquiry_submit(program=program, answers=build_answers("stroke"), language="en")[0]


def moves_of(inquiry: Inquiry) -> list[tuple[str, str]]:
    return list(
        StatusChange.objects.filter(inquiry=inquiry)
        .order_by("at", "pk")
        .values_list("from_status", "to_status")
    )


def test_new_to_consultation_records_every_step_in_one_action() -> None:
    coordinator = person("coordinator")
    inquiry = new_inquiry()
    last = inquiry_status_change(
        inquiry=inquiry, to_status="consultation", by=coordinator, reason="records complete"
    )
    assert (last.from_status, last.to_status) == ("screening", "consultation")
    assert moves_of(inquiry) == [
        ("", "new"),
        ("new", "contacted"),
        ("contacted", "screening"),
        ("screening", "consultation"),
    ]
    steps = StatusChange.objects.filter(inquiry=inquiry).exclude(to_status="new")
    assert {(c.changed_by_id, c.reason) for c in steps} == {(coordinator.pk, "records complete")}
    inquiry.refresh_from_db()
    assert inquiry.status == "consultation"
    assert inquiry.first_contact_at is not None  # it passed "contacted"


def test_a_role_without_the_moves_gets_no_route_and_writes_nothing() -> None:
    nurse = person("nurse")
    inquiry = new_inquiry()
    assert route("new", "consultation", {"nurse"}) is None
    with pytest.raises(DeskRefused) as refused:
        inquiry_status_change(inquiry=inquiry, to_status="consultation", by=nurse)
    assert refused.value.code == "not_allowed"
    assert moves_of(inquiry) == [("", "new")]


def test_backwards_or_past_the_consultation_is_no_route() -> None:
    desk = {"coordinator", "admin", "physician"}
    assert route("consultation", "contacted", desk) is None
    assert route("new", "accepted", desk) is None
    assert route("contacted", "new", desk) is None
    assert [m.target for m in next_statuses("screening", {"coordinator"})] == [
        "consultation",
        "withdrawn",
    ]


def test_a_step_refused_halfway_leaves_everything_as_it_was(monkeypatch) -> None:
    """The second step refused (the inquiry moved on at another desk meanwhile): the first
    step is undone with it, nothing is recorded."""
    coordinator = person("coordinator")
    inquiry = new_inquiry()
    real_apply = INQUIRY_MACHINE.apply
    calls: list[str] = []

    def apply(obj, *, to_status, **kwargs):
        calls.append(to_status)
        if len(calls) == 2:
            raise MoveRefused("not_allowed")
        return real_apply(obj, to_status=to_status, **kwargs)

    monkeypatch.setattr(INQUIRY_MACHINE, "apply", apply)
    with pytest.raises(DeskRefused):
        inquiry_status_change(inquiry=inquiry, to_status="consultation", by=coordinator)
    assert calls == ["contacted", "screening"]
    stored = Inquiry.objects.get(pk=inquiry.pk)
    assert stored.status == "new" and stored.first_contact_at is None
    assert moves_of(inquiry) == [("", "new")]


def test_the_desk_offers_consultation_from_new_through_the_steps(sign_in) -> None:
    desk: Client = sign_in("coordinator")
    inquiry = new_inquiry()
    html = desk.get(f"/staff/inquiries/{inquiry.reference}/").content.decode()
    assert '<option value="consultation">Consultation (through Contacted, Screening)' in html
    response = desk.post(
        f"/staff/inquiries/{inquiry.reference}/", {"action": "status", "status": "consultation"}
    )
    assert response.status_code == 302
    assert [t for _f, t in moves_of(inquiry)] == ["new", "contacted", "screening", "consultation"]
