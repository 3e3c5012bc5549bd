"""Every allowed status transition works; every other is refused; some need a reason."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth.models import User

from cellclinic.accounts.services import staff_user_create
from cellclinic.inquiries.models import Inquiry, Status, StatusChange
from cellclinic.inquiries.services import DeskRefused, inquiry_status_change, inquiry_submit
from cellclinic.inquiries.workflow import FORWARD, TRANSITIONS, transition
from cellclinic.programs.selectors import program_get
from conftest import build_answers

pytestmark = pytest.mark.django_db
ALL = [s.value for s in Status]


@pytest.fixture
def people() -> dict[str, User]:
    return {
        role: staff_user_create(username=role, role=role, password="a-long-password-1")[0]
        for role in ("coordinator", "physician", "nurse", "analyst", "admin")
    }


def inquiry_in(status: str) -> Inquiry:
    program = program_get(slug="stroke")
    assert program is not None
    inquiry, _ = inquiry_submit(program=program, answers=build_answers("stroke"), language="en")
    Inquiry.objects.filter(pk=inquiry.pk).update(status=status)
    inquiry.refresh_from_db()
    return inquiry


@pytest.mark.parametrize(
    ("source", "target", "role"),
    [(t.source, t.target, role) for t in TRANSITIONS for role in sorted(t.roles)],
)
def test_each_allowed_transition_works_and_is_recorded(
    people, source: str, target: str, role: str
) -> None:
    inquiry = inquiry_in(source)
    change = inquiry_status_change(
        inquiry=inquiry, to_status=target, by=people[role], reason="family asked"
    )
    inquiry.refresh_from_db()
    assert inquiry.status == target
    assert (change.from_status, change.to_status, change.changed_by) == (
        source,
        target,
        people[role],
    )
    assert change.reason == "family asked"


def further_forward(source: str, target: str) -> bool:
    """Two steps or more along the forward path: made as one action (test_status_steps)."""
    return source in FORWARD and target in FORWARD and FORWARD.index(target) > FORWARD.index(source)


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (a, b)
        for a, b in itertools.product(ALL, ALL)
        if transition(a, b) is None and not further_forward(a, b)
    ],
)
def test_every_other_transition_is_refused(people, source: str, target: str) -> None:
    inquiry = inquiry_in(source)
    with pytest.raises(DeskRefused) as refused:
        inquiry_status_change(inquiry=inquiry, to_status=target, by=people["admin"], reason="x")
    assert refused.value.code == "not_allowed"
    inquiry.refresh_from_db()
    assert inquiry.status == source
    assert (
        not StatusChange.objects.filter(inquiry=inquiry, to_status=target)
        .exclude(to_status="new")
        .exists()
    )


@pytest.mark.parametrize("target", [Status.DECLINED, Status.WITHDRAWN])
def test_declined_and_withdrawn_need_a_reason(people, target: str) -> None:
    inquiry = inquiry_in(Status.CONSULTATION)
    with pytest.raises(DeskRefused) as refused:
        inquiry_status_change(
            inquiry=inquiry, to_status=target, by=people["physician"], reason="   "
        )
    assert (refused.value.code, refused.value.field) == ("reason_required", "reason")
    inquiry.refresh_from_db()
    assert inquiry.status == Status.CONSULTATION


@pytest.mark.parametrize(
    ("source", "target", "role"),
    [
        (Status.NEW, Status.CONTACTED, "nurse"),
        (Status.NEW, Status.CONTACTED, "analyst"),
        (Status.CONSULTATION, Status.ACCEPTED, "coordinator"),
        (Status.SCREENING, Status.DECLINED, "coordinator"),
    ],
)
def test_a_role_without_the_right_is_refused(people, source: str, target: str, role: str) -> None:
    inquiry = inquiry_in(source)
    with pytest.raises(DeskRefused) as refused:
        inquiry_status_change(inquiry=inquiry, to_status=target, by=people[role], reason="x")
    assert refused.value.code == "role"


def test_the_first_contact_time_is_kept(people) -> None:
    inquiry = inquiry_in(Status.NEW)
    change = inquiry_status_change(
        inquiry=inquiry, to_status=Status.CONTACTED, by=people["coordinator"]
    )
    inquiry.refresh_from_db()
    assert inquiry.first_contact_at == change.at


def test_every_change_is_kept_once_in_its_record(people) -> None:
    """One audit trail: the StatusChange row, not also a history row (issue 11)."""
    inquiry = inquiry_in(Status.NEW)
    rows_before = inquiry.history.count()
    inquiry_status_change(inquiry=inquiry, to_status=Status.CONTACTED, by=people["coordinator"])
    latest = inquiry.status_changes.last()
    assert latest is not None and latest.to_status == Status.CONTACTED
    assert latest.changed_by == people["coordinator"]
    assert inquiry.history.count() == rows_before
