"""Follow-up: due dates and windows after the last administration, reminders sent on the
due date and 7 and 21 days after and stopped once answered, links that expire."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from cellclinic.care.tests.builders import (
    create_treated_patient,
    today,
)
from cellclinic.core.models import OutboundEmail
from cellclinic.followup.links import followup_from_token, followup_token
from cellclinic.followup.models import FollowUp, Reminder
from cellclinic.followup.reminders import reminder_send, reminders_due
from cellclinic.outcomes.models import Assessment, RegistryPatient

pytestmark = pytest.mark.django_db


@pytest.fixture
def treated():
    """A patient whose four planned administrations are all recorded."""
    patient = create_treated_patient(days_ago=30)
    return patient, today() - timedelta(days=30) + timedelta(days=18)


def test_the_last_administration_makes_due_dates_with_windows(treated) -> None:
    patient, last = treated
    assert patient.status == "follow_up"
    row = RegistryPatient.objects.get(care_patient=patient)
    assert (row.first_treatment, row.last_treatment) == (last - timedelta(days=18), last)
    assert row.patient_id == f"cc-{patient.inquiry.reference}" and row.subtype == "spastic"
    followups = {f.timepoint: f for f in FollowUp.objects.filter(patient=patient)}
    windows = {"m1": 7, "m3": 14, "m6": 30, "m12": 60}
    for timepoint, months in (("m1", 1), ("m3", 3), ("m6", 6), ("m12", 12)):
        f = followups[timepoint]
        assert f.due_date == last + relativedelta(months=months)
        assert f.window_start == f.due_date - timedelta(days=windows[timepoint])
        assert f.window_end == f.due_date + timedelta(days=windows[timepoint])
    reminders = Reminder.objects.filter(followup=followups["m6"]).order_by("due_at")
    assert [r.days_after_due for r in reminders] == [0, 7, 21]


def test_states_follow_the_window() -> None:
    f = FollowUp(
        timepoint="m3",
        due_date=date(2027, 3, 15),
        window_start=date(2027, 3, 1),
        window_end=date(2027, 3, 29),
    )
    assert f.state(date(2027, 2, 28)) == "upcoming"
    assert f.state(date(2027, 3, 1)) == f.state(date(2027, 3, 15)) == "due"
    assert f.state(date(2027, 3, 16)) == f.state(date(2027, 3, 29)) == "overdue"
    assert f.state(date(2027, 3, 30)) == "missed"


def test_reminders_go_out_when_due_and_stop_once_answered(treated, client) -> None:
    patient, _last = treated
    m1 = FollowUp.objects.get(patient=patient, timepoint="m1")
    first, second, third = m1.reminders.order_by("due_at")
    assert reminders_due() == 0  # nothing is due yet
    with time_machine.travel(first.due_at + timedelta(minutes=1)):
        assert reminders_due() == 1
        assert reminder_send(reminder_id=first.pk) is False  # never twice
    emails = OutboundEmail.objects.filter(kind="followup_reminder")
    assert emails.count() == 1 and emails.get().language == patient.inquiry.reply_language
    assert "/followup/" in emails.get().body
    with time_machine.travel(second.due_at + timedelta(minutes=1)):
        assert reminders_due() == 1
        link = "/followup/" + followup_token(m1) + "/"
        page = client.get(link, HTTP_ACCEPT_LANGUAGE="ru")
        assert page.status_code == 200 and "Мышечный тонус" in page.content.decode()
        refused = client.post(link, {"domain-muscle_tone": "unknown"})
        assert refused.status_code == 400  # nothing answered
        answered = client.post(link, {"domain-muscle_tone": "improved", "domain-strength": "same"})
        assert answered.status_code == 302
    with time_machine.travel(third.due_at + timedelta(minutes=1)):
        assert reminders_due() == 0
    third.refresh_from_db()
    assert third.sent_at is None and third.skipped_at is not None
    assert OutboundEmail.objects.filter(kind="followup_reminder").count() == 2
    values = dict(
        Assessment.objects.filter(patient__care_patient=patient, timepoint="m1").values_list(
            "item", "value"
        )
    )
    assert values == {"muscle_tone": "improved", "strength": "same"}


def test_a_link_expires_and_a_forged_one_opens_nothing(treated, client) -> None:
    patient, _last = treated
    m6 = FollowUp.objects.get(patient=patient, timepoint="m6")
    token = followup_token(m6)
    assert followup_from_token(token) == m6
    assert followup_from_token(token[:-4] + "AAAA") is None
    with time_machine.travel(timezone.now() + timedelta(days=61)):
        assert followup_from_token(token) is None  # the program's link_days is 60
        assert client.get(f"/followup/{token}/").status_code == 404


def test_the_desk_shows_response_rates_per_time_point(treated, sign_in) -> None:
    patient, _last = treated
    assert FollowUp.objects.filter(patient=patient, timepoint="m1").exists()
    with time_machine.travel(timezone.now() + timedelta(days=60)):
        page = sign_in("coordinator").get("/staff/followup/?state=missed").content.decode()
    assert patient.inquiry.reference in page and "0 / 1" in page
    assert "1 month after" in page and "Missed" in page  # names, not the codes m1, missed


def test_a_clinician_records_measures_and_bad_values_are_named(treated, sign_in) -> None:
    patient, _last = treated
    nurse = sign_in("nurse")
    url = f"/staff/patients/{patient.uuid}/assessments/"
    bad = nurse.post(
        url, {"timepoint": "baseline", "date": str(today()), "instrument": "gmfm66", "value": "120"}
    )
    assert bad.status_code == 400 and "value" in bad.content.decode()
    good = nurse.post(
        url,
        {"timepoint": "baseline", "date": str(today()), "instrument": "gmfm66", "value": "48.5"},
    )
    assert good.status_code == 302
    mas = nurse.post(
        url,
        {
            "timepoint": "baseline",
            "date": str(today()),
            "instrument": "mas",
            "item": "hamstrings",
            "value": "1+",
        },
    )
    assert mas.status_code == 302
    stored = Assessment.objects.filter(patient__care_patient=patient, timepoint="baseline")
    assert {(a.instrument, a.value, a.score) for a in stored} == {
        ("gmfm66", "48.5", 48.5),
        ("mas", "1+", 1.5),
    }


def test_a_late_schedule_sends_one_reminder_not_a_burst(treated) -> None:
    patient, _last = treated
    m6 = FollowUp.objects.get(patient=patient, timepoint="m6")  # a 30-day window
    last_reminder = m6.reminders.order_by("due_at").last()  # 21 days after the due date
    with time_machine.travel(last_reminder.due_at + timedelta(hours=1)):
        assert reminders_due() == 1
    assert OutboundEmail.objects.filter(kind="followup_reminder").count() == 1
    assert m6.reminders.filter(skipped_at__isnull=False).count() == 2


def test_an_answer_outside_the_window_is_refused(treated, client) -> None:
    patient, _last = treated
    m1 = FollowUp.objects.get(patient=patient, timepoint="m1")
    token = followup_token(m1)
    client.cookies["django_language"] = "en"  # the family chose English with the menu
    with time_machine.travel(timezone.now() + timedelta(days=45)):  # past m1's 7-day window
        response = client.post(f"/followup/{token}/", {"domain-strength": "improved"})
    assert response.status_code == 400 and "has passed" in response.content.decode()
    m1.refresh_from_db()
    assert m1.answered_at is None
    assert not Assessment.objects.filter(timepoint="m1", instrument="domain").exists()


def test_a_clinician_cannot_enter_the_familys_domain_answers(treated, sign_in) -> None:
    patient, _last = treated
    response = sign_in("nurse").post(
        f"/staff/patients/{patient.uuid}/assessments/",
        {
            "timepoint": "m1",
            "date": str(today()),
            "instrument": "domain",
            "item": "strength",
            "value": "improved",
        },
    )
    assert response.status_code == 400
    assert not Assessment.objects.filter(instrument="domain").exists()


def test_an_empty_desk_says_why_and_names_programs_not_slugs(sign_in) -> None:
    client = sign_in("coordinator")
    empty = client.get("/staff/followup/").content.decode()
    assert "made when their last planned administration is recorded" in empty
    filtered = client.get("/staff/followup/?state=missed").content.decode()
    assert "No follow-up matches these filters" in filtered
    assert ">Cerebral palsy</option>" in empty
    assert ">cerebral-palsy</option>" not in empty
