"""Every stored inquiry carries its decision, made with the version it answered."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django_tasks import default_task_backend

from cellclinic.inquiries.models import Inquiry
from cellclinic.screening.models import Decision
from cellclinic.screening.services import inquiry_screen, screening_pending
from conftest import build_answers

pytestmark = pytest.mark.django_db(transaction=True)


def submit(client: Client, **overrides) -> Inquiry:
    body = {"program": "cerebral-palsy", "answers": build_answers(**overrides)}
    response = client.post("/api/v1/inquiries", json.dumps(body), content_type="application/json")
    assert response.status_code == 201
    assert set(response.json()) == {"reference"}  # the family never sees the decision
    return Inquiry.objects.get(reference=response.json()["reference"])


def test_an_inquiry_is_screened_by_a_task_after_it_is_stored(client: Client, run_tasks) -> None:
    inquiry = submit(client, cp__epilepsy="uncontrolled")
    assert not Decision.objects.exists()  # stored first; screening is queued
    run_tasks()
    decision = Decision.objects.get(inquiry=inquiry)
    assert decision.kind == "automatic" and decision.decision == "not_eligible"
    assert [r["rule"] for r in decision.reasons] == ["CP-EPI-1"]
    assert decision.program_version == inquiry.program_version
    assert decision.rule_set_hash == inquiry.program_version.content_hash


def test_a_retried_screening_makes_no_second_decision(client: Client, run_tasks) -> None:
    inquiry = submit(client)
    run_tasks()
    assert inquiry_screen(inquiry=inquiry).pk == Decision.objects.get().pk
    assert Decision.objects.count() == 1


def test_the_sweep_screens_inquiries_whose_task_was_lost(client: Client) -> None:
    submit(client)
    submit(client, cp__hydrocephalus="yes")
    default_task_backend.clear()
    assert screening_pending() == 2
    assert sorted(Decision.objects.values_list("decision", flat=True)) == [
        "eligible_for_consultation",
        "not_eligible",
    ]
    assert screening_pending() == 0
