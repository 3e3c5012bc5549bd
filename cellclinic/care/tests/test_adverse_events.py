"""Adverse events: every bad input refused naming the field, a serious event notifies the
medical director by a task, and the safety report counts what was recorded."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest
from django_tasks import default_task_backend

from cellclinic.care.models import AdverseEvent, Relation
from cellclinic.care.selectors import safety_report
from cellclinic.care.tests.builders import (
    correct_event,
    create_patient,
    event_data,
    procedure_data,
    record_event,
    record_procedure,
    sign_consent,
    staff,
    today,
)
from cellclinic.core.models import OutboundEmail
from cellclinic.core.outbox import URGENT_PRIORITY, URGENT_QUEUE
from cellclinic.lib.invalid import Invalid

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient():
    return create_patient(plan_start=today() - timedelta(days=2))


@pytest.fixture
def nurse():
    return staff("nurse", "nurse-ann")


BAD_INPUTS = [
    ({"description": ""}, "description"),
    ({"description": "d" * 5001}, "description"),
    ({"category": "mood swings"}, "category"),
    ({"grade": "0"}, "grade"),
    ({"grade": "6"}, "grade"),
    ({"grade": "two"}, "grade"),
    ({"grade": "²"}, "grade"),  # a digit to str.isdigit(), not to int()
    ({"grade": "--1"}, "grade"),
    ({"serious": "maybe"}, "serious"),
    ({"serious": "yes", "seriousness": []}, "seriousness"),
    ({"serious": "no", "seriousness": ["hospitalisation"]}, "seriousness"),
    ({"serious": "yes", "seriousness": ["bad luck"]}, "seriousness"),
    ({"relation_cells": ""}, "relation_cells"),
    ({"relation_cells": "certain"}, "relation_cells"),
    ({"relation_lumbar_puncture": "likely"}, "relation_lumbar_puncture"),
    ({"relation_infusion": "sure"}, "relation_infusion"),
    ({"relation_surgery": "?"}, "relation_surgery"),
    ({"action": "prayed"}, "action"),
    ({"outcome": "fine"}, "outcome"),
    ({"onset_date": ""}, "onset_date"),
    ({"onset_date": "2026-02-30"}, "onset_date"),
    ({"onset_date": "tomorrow"}, "onset_date"),
    ({"onset_date": str(today() + timedelta(days=1))}, "onset_date"),
    ({"onset_date": "2001-01-01"}, "onset_date"),
    ({"onset_date": "0001-01-01"}, "onset_date"),  # before the patient was accepted
    ({"resolved_date": "2026-13-01", "outcome": "recovered"}, "resolved_date"),
    ({"outcome": "recovered"}, "resolved_date"),  # recovered: when?
    ({"resolved_date": str(today()), "outcome": "recovering"}, "resolved_date"),
    ({"grade": "5", "serious": "yes", "seriousness": ["death"]}, "outcome"),
    ({"outcome": "fatal", "serious": "yes", "seriousness": ["death"]}, "grade"),
    (
        {"grade": "5", "outcome": "fatal", "serious": "yes", "seriousness": ["hospitalisation"]},
        "seriousness",
    ),
    ({"procedure": "0b9a0f6e-0000-0000-0000-000000000000"}, "procedure"),
]


@pytest.mark.parametrize(("changes", "field"), BAD_INPUTS)
def test_it_refuses_each_bad_input_naming_the_field(patient, nurse, changes, field) -> None:
    with pytest.raises(Invalid) as refused:
        record_event(patient=patient, data=event_data(**changes), by=nurse)
    assert list(refused.value.errors) == [field], refused.value.errors
    assert not AdverseEvent.objects.exists()


def test_the_relation_to_the_procedure_it_follows_must_be_judged(patient, nurse) -> None:
    sign_consent(patient)
    made = record_procedure(patient=patient, data=procedure_data(), by=nurse)
    with pytest.raises(Invalid) as refused:
        record_event(
            patient=patient,
            data=event_data(procedure=str(made.uuid), relation_lumbar_puncture=""),
            by=nurse,
        )
    assert list(refused.value.errors) == ["relation_lumbar_puncture"]
    event = record_event(patient=patient, data=event_data(procedure=str(made.uuid)), by=nurse)
    assert event.procedure == made


def test_a_coordinator_cannot_record_an_event(patient) -> None:
    with pytest.raises(Invalid):
        record_event(patient=patient, data=event_data(), by=staff("coordinator"))


def _queued_sends() -> list[int]:
    return [
        r.kwargs["email_id"]
        for r in default_task_backend.results  # type: ignore[attr-defined]
        if r.task.name == "send_email"
    ]


def test_a_serious_event_enqueues_the_medical_directors_notification(
    patient, nurse, settings, django_capture_on_commit_callbacks, run_tasks, mailoutbox
) -> None:
    settings.MEDICAL_DIRECTOR_EMAIL = "director@clinic.example"
    with django_capture_on_commit_callbacks(execute=True):
        event = record_event(
            patient=patient,
            data=event_data(
                grade="3", serious="yes", seriousness=["hospitalisation"], outcome="recovering"
            ),
            by=nurse,
        )
    email = OutboundEmail.objects.get(kind="serious_adverse_event")
    assert email.to == "director@clinic.example" and email.pk in _queued_sends()
    [task] = [r.task for r in default_task_backend.results]  # type: ignore[attr-defined]
    assert email.urgent and (task.queue_name, task.priority) == (URGENT_QUEUE, URGENT_PRIORITY)
    assert event.director_notified_at is not None
    assert (
        patient.inquiry.reference in email.subject
        and patient.inquiry.patient_name not in email.body
    )
    run_tasks()
    assert ["director@clinic.example"] in [m.to for m in mailoutbox]


def test_a_mild_event_notifies_nobody_until_it_is_corrected_to_serious(
    patient, nurse, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        event = record_event(patient=patient, data=event_data(), by=nurse)
    assert not OutboundEmail.objects.filter(kind="serious_adverse_event").exists()
    serious = event_data(grade="3", serious="yes", seriousness=["hospitalisation"])
    with django_capture_on_commit_callbacks(execute=True):
        correct_event(event=event, data=serious, by=nurse, reason="Admitted overnight")
        correct_event(event=event, data=serious | {"description": "x"}, by=nurse, reason="r")
    assert OutboundEmail.objects.filter(kind="serious_adverse_event").count() == 1
    assert event.history.first().history_change_reason == "r"


def test_the_safety_report_counts_match_the_recorded_events(nurse) -> None:
    rng = random.Random(20261123)
    start = today() - timedelta(days=30)
    patients = [create_patient(program="stroke", plan_start=start) for _ in range(5)]
    untreated = create_patient(program="stroke", plan_start=start)  # no procedure: not treated
    procedures = []
    for patient in patients[:4]:
        sign_consent(patient)
        for i in range(rng.randint(1, 3)):
            day = start + timedelta(days=6 * i)
            for route, hour in (("lumbar_puncture", "09:00"), ("intravenous", "13:00")):
                procedures.append(
                    record_procedure(
                        patient=patient,
                        data=procedure_data(performed_at=f"{day} {hour}", route=route),
                        by=nurse,
                    )
                )
    recorded = []
    for _ in range(25):
        patient = rng.choice(patients[:4] + [untreated])
        grade = rng.randint(1, 4)
        serious = rng.random() < 0.3
        recorded.append(
            record_event(
                patient=patient,
                data=event_data(
                    grade=str(grade),
                    serious="yes" if serious else "no",
                    seriousness=["hospitalisation"] if serious else [],
                    relation_cells=rng.choice(Relation.values),
                    relation_lumbar_puncture=rng.choice([*Relation.values, ""]),
                    relation_infusion=rng.choice([*Relation.values, ""]),
                ),
                by=nurse,
            )
        )
    report = safety_report(program=patients[0].program)
    treated = {p.patient_id for p in procedures}
    assert report.patients_treated == len(treated) == 4
    assert report.procedures == len(procedures)
    assert report.events == 25 and report.serious_events == sum(e.serious for e in recorded)
    grades = Counter(e.grade for e in recorded)
    assert report.by_grade == {g: grades.get(g, 0) for g in range(1, 6)}
    cells = Counter(e.relation_cells for e in recorded)
    assert report.by_relation["cells"] == {
        **{r: cells.get(r, 0) for r in Relation.values},
        "not_applicable": 0,
    }
    related_lp = sum(
        e.relation_lumbar_puncture in ("possible", "probable", "definite") for e in recorded
    )
    lp_count = sum(p.route == "lumbar_puncture" for p in procedures)
    assert report.related_per_procedure["lumbar_puncture"].count == related_lp
    assert report.related_per_procedure["lumbar_puncture"].denominator == lp_count
    assert report.patients_with_event.count == len({e.patient_id for e in recorded})
    assert report.patients_with_event.denominator == 4
    assert report.events_per_procedure.denominator == len(procedures)


def test_the_safety_report_page_shows_counts_with_denominators(nurse, sign_in) -> None:
    patient = create_patient(plan_start=today() - timedelta(days=2))
    sign_consent(patient)
    record_procedure(patient=patient, data=procedure_data(), by=nurse)
    record_event(patient=patient, data=event_data(), by=nurse)
    page = sign_in("analyst").get("/staff/safety/?program=cerebral-palsy").content.decode()
    assert "1 / 1" in page  # one patient with an event among one treated
    assert patient.inquiry.patient_name not in page  # analysts see no patient data


def test_no_field_labelled_optional_is_refused_when_left_at_its_default(patient, sign_in) -> None:
    """The page marks a field "(optional)" only if leaving it at its default is accepted,
    even when the event follows a procedure (whose relation must then be judged)."""
    import re

    nurse = sign_in("nurse")
    sign_consent(patient)
    made = record_procedure(patient=patient, data=procedure_data(), by=staff("nurse"))
    page = nurse.get(f"/staff/patients/{patient.uuid}/events/new/").content.decode()
    optional = re.findall(r'<label for="f-([\w]+)">[^<]*<span class="optional">', page)
    assert "resolved_date" not in optional, optional  # required when the event is over
    assert "procedure" in optional, optional
    data = event_data(procedure=str(made.uuid))
    for name in set(optional) - {"procedure"}:  # the event follows the lumbar puncture
        data[name] = ""
    answer = nurse.post(f"/staff/patients/{patient.uuid}/events/new/", data)
    refused = re.findall(r'id="f-(\w+)-error"', answer.content.decode())
    assert answer.status_code == 302 or refused, answer.status_code
    assert not set(refused) & set(optional), refused


def test_the_resolved_date_says_when_it_is_required(patient, sign_in) -> None:
    """Not "(optional)": required once the event is recovered, which its help says."""
    page = sign_in("nurse").get(f"/staff/patients/{patient.uuid}/events/new/").content.decode()
    label = page[page.index('<label for="f-resolved_date">') :]
    label = label[: label.index("</p>")]
    assert "optional" not in label
    assert "Required when the outcome is recovered, with or without lasting effects." in label
    with pytest.raises(Invalid) as refused:
        record_event(patient=patient, data=event_data(outcome="recovered"), by=staff("nurse"))
    assert set(refused.value.errors) == {"resolved_date"}
