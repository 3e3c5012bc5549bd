"""The one status machine (cellclinic/lib/status_machine.py), as inquiries and care use it:
a move is checked against the row under a lock, and recorded once, in its own row."""

from __future__ import annotations

import threading
import time

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction

from cellclinic.accounts.services import staff_user_create
from cellclinic.care.models import Patient, PatientStatusChange
from cellclinic.care.tests.builders import create_patient
from cellclinic.care.workflow import PATIENT_MOVES, patient_status_move
from cellclinic.inquiries.models import Inquiry, Status, StatusChange
from cellclinic.inquiries.services import inquiry_assign
from cellclinic.inquiries.tests.test_status_machine import inquiry_in
from cellclinic.inquiries.workflow import INQUIRY_MACHINE, next_statuses
from cellclinic.lib.status_machine import Machine, Move, MoveRefused


def person(role: str) -> User:
    return staff_user_create(username=role, role=role, password="a-long-password-1")[0]


def test_it_gives_the_first_refusal_in_order_not_allowed_role_reason() -> None:
    machine = Machine(
        [Move("a", "b", frozenset({"x"}), reason_required=True)],
        record=StatusChange,
        subject="inquiry",
    )
    assert machine.refusal("a", "c", {"x"}, "why") == "not_allowed"
    assert machine.refusal("a", "b", {"y"}, "") == "role"
    assert machine.refusal("a", "b", None, "") == "role"
    assert machine.refusal("a", "b", {"x"}, "") == "reason_required"
    assert machine.refusal("a", "b", {"x"}, "why") is None


@pytest.mark.django_db
def test_it_refuses_a_move_that_is_not_declared_and_writes_nothing() -> None:
    inquiry = inquiry_in(Status.NEW)
    with pytest.raises(MoveRefused) as refused:
        INQUIRY_MACHINE.apply(
            inquiry, to_status=Status.ACCEPTED, by=person("physician"), roles={"physician"}
        )
    assert refused.value.code == "not_allowed"
    assert inquiry.status == Status.NEW
    assert Inquiry.objects.get(pk=inquiry.pk).status == Status.NEW
    assert list(inquiry.status_changes.values_list("to_status", flat=True)) == [Status.NEW]


@pytest.mark.django_db
def test_it_refuses_a_role_the_move_does_not_name() -> None:
    inquiry = inquiry_in(Status.SCREENING)
    with pytest.raises(MoveRefused) as refused:
        INQUIRY_MACHINE.apply(
            inquiry,
            to_status=Status.DECLINED,
            by=person("coordinator"),
            roles={"coordinator"},
            reason="x",
        )
    assert refused.value.code == "role"
    assert Inquiry.objects.get(pk=inquiry.pk).status == Status.SCREENING
    assert inquiry.status_changes.count() == 1


@pytest.mark.django_db
def test_a_move_is_recorded_once_and_leaves_no_history_row() -> None:
    coordinator = person("coordinator")
    inquiry = inquiry_in(Status.NEW)
    history_before = inquiry.history.count()
    change = INQUIRY_MACHINE.apply(
        inquiry, to_status=Status.CONTACTED, by=coordinator, roles={"coordinator"}, reason="r"
    )
    assert inquiry.status == Status.CONTACTED
    assert Inquiry.objects.get(pk=inquiry.pk).status == Status.CONTACTED
    assert StatusChange.objects.filter(inquiry=inquiry, to_status=Status.CONTACTED).count() == 1
    assert (change.from_status, change.to_status, change.changed_by, change.reason) == (
        Status.NEW,
        Status.CONTACTED,
        coordinator,
        "r",
    )
    assert inquiry.history.count() == history_before


@pytest.mark.django_db
def test_a_patient_move_is_recorded_once_and_leaves_no_history_row() -> None:
    patient = create_patient()
    history_before = patient.history.count()
    change = patient_status_move(
        patient=patient, to_status=Patient.Status.CLOSED, by=None, reason="moved away"
    )
    assert change is not None and change.from_status == Patient.Status.ACCEPTED
    assert patient.status == Patient.Status.CLOSED
    assert PatientStatusChange.objects.filter(patient=patient).count() == 2  # accepted, closed
    assert patient.history.count() == history_before
    # A move from where the patient no longer is changes nothing (a repeated care step).
    assert patient_status_move(patient=patient, to_status="closed", by=None, reason="x") is None
    assert PatientStatusChange.objects.filter(patient=patient).count() == 2


@pytest.mark.django_db
def test_the_history_still_keeps_the_other_fields() -> None:
    admin, coordinator = person("admin"), person("coordinator")
    inquiry = inquiry_in(Status.NEW)
    inquiry_assign(inquiry=inquiry, assignee=coordinator, by=admin)
    latest = inquiry.history.first()
    assert latest is not None
    assert (latest.assigned_to, latest.history_user) == (coordinator, admin)


def test_the_desk_offers_the_same_next_statuses_as_before() -> None:
    """The moves of before, and now the statuses further along the forward path."""
    desk = {"coordinator", "admin"}
    assert [m.target for m in next_statuses(Status.NEW, desk)] == [
        "contacted",
        "screening",
        "consultation",
        "withdrawn",
    ]
    assert [m.target for m in next_statuses(Status.CONSULTATION, {"physician"})] == [
        "declined",
        "withdrawn",
    ]
    assert [m.target for m in next_statuses(Status.SCREENING, {"physician"})] == [
        "consultation",
        "declined",
        "withdrawn",
    ]
    assert next_statuses(Status.NEW, {"nurse", "analyst"}) == []
    assert next_statuses(Status.ACCEPTED, {"physician", "admin"}) == []
    reasons = [m.reason_required for m in next_statuses(Status.CONTACTED, desk)]
    assert reasons == [False, False, True]
    assert next_statuses(Status.NEW, desk)[0].label == "Contacted"


def test_the_patient_moves_are_the_ones_of_before() -> None:
    before = {
        "accepted": {"scheduled", "closed"},
        "scheduled": {"in_treatment", "closed"},
        "in_treatment": {"follow_up", "closed"},
        "follow_up": {"closed"},
        "closed": set(),
    }
    after = {s: {m.target for m in PATIENT_MOVES.moves_from(s, set())} for s in before}
    assert after == before


def test_the_records_keep_their_tables_and_columns() -> None:
    for model, table, subject in (
        (StatusChange, "inquiries_statuschange", "inquiry_id"),
        (PatientStatusChange, "care_patientstatuschange", "patient_id"),
    ):
        assert model._meta.db_table == table
        columns = {f.column for f in model._meta.concrete_fields}
        assert columns == {"id", subject, "from_status", "to_status", "changed_by_id"} | {
            "reason",
            "at",
        }
        assert model._meta.ordering == ["at", "pk"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_a_second_move_waits_for_the_lock_and_then_sees_the_first() -> None:
    """Without the lock the second would read `new` and record a second `contacted`."""
    coordinator = person("coordinator")
    inquiry = inquiry_in(Status.NEW)
    first_applied, first_committed = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                INQUIRY_MACHINE.apply(
                    Inquiry.objects.get(pk=inquiry.pk),
                    to_status=Status.CONTACTED,
                    by=coordinator,
                    roles={"coordinator"},
                )
                first_applied.set()
                time.sleep(0.5)  # the second is waiting on the row meanwhile
                first_committed.set()
        finally:
            connection.close()

    def second() -> None:
        first_applied.wait(10)
        try:
            INQUIRY_MACHINE.apply(
                Inquiry.objects.get(pk=inquiry.pk),
                to_status=Status.CONTACTED,
                by=coordinator,
                roles={"coordinator"},
            )
            outcome["second"] = "moved"
        except MoveRefused as refused:
            outcome["second"] = refused.code
        outcome["waited"] = first_committed.is_set()
        connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcome == {"second": "not_allowed", "waited": True}
    assert StatusChange.objects.filter(inquiry=inquiry, to_status=Status.CONTACTED).count() == 1
