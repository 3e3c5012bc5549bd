"""The plan from the program's template, its calendar file, and who may make it."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from icalendar import Calendar

from cellclinic.accounts.services import staff_user_create
from cellclinic.audit.models import AccessEvent
from cellclinic.care.models import Patient, PlannedSession
from cellclinic.care.services import inquiry_accept, plan_from_template
from cellclinic.inquiries.models import Inquiry
from cellclinic.inquiries.services import inquiry_submit
from cellclinic.programs.selectors import program_get
from conftest import build_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(settings) -> Patient:
    settings.CLINIC_TIME_ZONE = "Asia/Shanghai"
    program = program_get(slug="cerebral-palsy")
    assert program is not None
    inquiry, _ = inquiry_submit(program=program, answers=build_answers(), language="en")
    Inquiry.objects.filter(pk=inquiry.pk).update(status="consultation")
    inquiry.refresh_from_db()
    physician, _ = staff_user_create(username="dr", role="physician", password="a-long-password-1")
    return inquiry_accept(inquiry=inquiry, physician=physician, note="Suitable.")


def test_the_template_gives_four_administrations_six_days_apart_with_rehabilitation(
    patient: Patient,
) -> None:
    plan = plan_from_template(
        patient=patient, start=date(2027, 3, 1), physician=patient.accepted_by
    )
    zone = ZoneInfo("Asia/Shanghai")
    sessions = list(plan.sessions.all())
    lps = [s.starts_at.astimezone(zone) for s in sessions if s.kind == "lumbar_puncture"]
    ivs = [s.starts_at.astimezone(zone) for s in sessions if s.kind == "intravenous"]
    assert len(lps) == 4 and [d.date() for d in lps] == [
        date(2027, 3, 1) + timedelta(days=6 * i) for i in range(4)
    ]
    assert [d.date() for d in ivs] == [d.date() for d in lps]  # the supplement the same day
    assert all(5 <= (b.date() - a.date()).days <= 7 for a, b in zip(lps, lps[1:], strict=False))
    assert lps[0].hour == 9 and ivs[0].hour == 13
    rehab = [
        s for s in sessions if s.kind in ("physiotherapy", "occupational_therapy", "speech_therapy")
    ]
    rehab_days = {s.starts_at.astimezone(zone).date() for s in rehab}
    assert len(rehab) == 18 - 3 and not rehab_days & {d.date() for d in lps}
    assert {s.kind for s in rehab} == {"physiotherapy", "occupational_therapy", "speech_therapy"}
    assert not PlannedSession.objects.filter(
        kind="stereotactic"
    ).exists()  # only a physician adds it
    patient.refresh_from_db()
    assert patient.status == "scheduled"


def test_the_calendar_file_parses_and_holds_every_session_with_its_time_zone(
    patient: Patient,
) -> None:
    from cellclinic.care.services import plan_calendar

    plan = plan_from_template(
        patient=patient, start=date(2027, 3, 1), physician=patient.accepted_by
    )
    calendar = Calendar.from_ical(plan_calendar(plan=plan, language="en"))
    events = list(calendar.walk("VEVENT"))
    assert len(events) == plan.sessions.count()
    starts = sorted(event.decoded("dtstart") for event in events)
    assert starts == [s.starts_at for s in plan.sessions.order_by("starts_at")]
    assert all(str(event.decoded("dtstart").tzinfo) == "Asia/Shanghai" for event in events)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert any("lumbar puncture" in str(event["summary"]) for event in events)


def test_a_physician_makes_the_plan_on_its_page_and_a_nurse_reads_it(
    patient: Patient, sign_in
) -> None:
    url = f"/staff/patients/{patient.uuid}/plan/"
    physician = sign_in("physician")
    refused = physician.post(url, {"action": "create", "start": "1 March"})
    assert refused.status_code == 400 and 'id="f-start-error"' in refused.content.decode()
    assert physician.post(url, {"action": "create", "start": "2027-03-01"}).status_code == 302
    again = physician.post(url, {"action": "create", "start": "2027-03-01"})
    assert again.status_code == 400 and "already has a plan" in again.content.decode()
    added = physician.post(
        url,
        {
            "action": "add",
            "kind": "stereotactic",
            "starts_at": "2027-03-10 09:30",
            "minutes": "120",
        },
    )
    assert (
        added.status_code == 302 and PlannedSession.objects.filter(kind="stereotactic").count() == 1
    )
    bad = physician.post(
        url, {"action": "add", "kind": "surgery", "starts_at": "soon", "minutes": "0"}
    )
    assert bad.status_code == 400 and 'id="f-starts-at-error"' in bad.content.decode()
    nurse = sign_in("nurse")
    page = nurse.get(url).content.decode()
    assert "Stereotactic administration" in page and 'name="action"' not in page
    ics = nurse.get(f"/staff/patients/{patient.uuid}/plan.ics")
    assert ics.status_code == 200 and ics["Content-Type"] == "text/calendar"
    assert (
        AccessEvent.objects.filter(object_type="patient", object_ref=str(patient.uuid)).count() >= 2
    )


def test_a_nurse_cannot_make_the_plan(patient: Patient, sign_in) -> None:
    nurse: Client = sign_in("nurse")
    response = nurse.post(
        f"/staff/patients/{patient.uuid}/plan/", {"action": "create", "start": "2027-03-01"}
    )
    assert response.status_code == 400 and not PlannedSession.objects.exists()


def test_a_physician_moves_and_removes_sessions_within_the_spacing_with_a_reason(
    patient: Patient, sign_in
) -> None:
    plan = plan_from_template(
        patient=patient, start=date(2027, 3, 1), physician=patient.accepted_by
    )
    url = f"/staff/patients/{patient.uuid}/plan/"
    physician = sign_in("physician")
    second = plan.sessions.filter(kind="lumbar_puncture").order_by("starts_at")[1]  # 7 March
    too_far = physician.post(
        url,
        {
            "action": "move",
            "session": str(second.uuid),
            "starts_at": "2027-03-10 09:00",
            "reason": "x",
        },
    )
    assert too_far.status_code == 400 and "days apart" in too_far.content.decode()
    no_reason = physician.post(
        url, {"action": "move", "session": str(second.uuid), "starts_at": "2027-03-08 09:00"}
    )
    assert no_reason.status_code == 400
    moved = physician.post(
        url,
        {
            "action": "move",
            "session": str(second.uuid),
            "starts_at": "2027-03-08 10:00",
            "reason": "The family arrives a day late",
        },
    )
    assert moved.status_code == 302
    second.refresh_from_db()
    assert second.starts_at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%d %H:%M") == "08 10:00"
    assert second.history.first().history_change_reason == "The family arrives a day late"
    rehab = plan.sessions.filter(kind="physiotherapy").first()
    assert rehab is not None
    removed = physician.post(
        url, {"action": "remove", "session": str(rehab.uuid), "reason": "Too tired"}
    )
    assert removed.status_code == 302 and not plan.sessions.filter(pk=rehab.pk).exists()
    nurse = sign_in("nurse")
    refused = nurse.post(url, {"action": "remove", "session": str(second.uuid), "reason": "no"})
    assert refused.status_code == 400 and plan.sessions.filter(pk=second.pk).exists()


def test_impossible_dates_and_numbers_are_refused_not_a_server_error(
    patient: Patient, sign_in
) -> None:
    url = f"/staff/patients/{patient.uuid}/plan/"
    physician = sign_in("physician")
    far = physician.post(url, {"action": "create", "start": "9999-12-31"})
    assert far.status_code == 400 and not PlannedSession.objects.exists()
    assert physician.post(url, {"action": "create", "start": "2027-03-01"}).status_code == 302
    for posted in (
        {"action": "add", "kind": "stereotactic", "starts_at": "2027-03-10 09:30", "minutes": "²"},
        {"action": "add", "kind": "stereotactic", "starts_at": "0001-01-01 00:30", "minutes": "60"},
        {"action": "add", "kind": "stereotactic", "starts_at": "2029-03-10 09:30", "minutes": "60"},
    ):
        response = physician.post(url, posted)
        assert response.status_code == 400, posted
    assert not PlannedSession.objects.filter(kind="stereotactic").exists()


def test_staff_pages_name_the_program_status_and_language_not_their_codes(sign_in) -> None:
    from cellclinic.care.tests.builders import create_patient, sign_consent, today

    patient = create_patient(plan_start=today())
    sign_consent(patient, language="ar")
    client = sign_in("physician")
    base = f"/staff/patients/{patient.uuid}/"
    for url in (base, f"{base}plan/", f"{base}summary/", "/staff/patients/"):
        page = client.get(url).content.decode()
        assert "Cerebral palsy" in page, url
        assert "cerebral-palsy<" not in page and "cerebral-palsy ·" not in page, url
    page = client.get(base).content.decode()
    assert "→ Scheduled" in page and "→ scheduled" not in page  # the status moves
    assert "العربيّة" in page  # the language of the consent signed
