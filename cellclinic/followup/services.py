"""Follow-up: the schedule after the last administration, the family's personal link and
report, and reminders that stop once the family has answered."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cellclinic.care.models import Patient
from cellclinic.followup.links import program_definition
from cellclinic.followup.models import FollowUp, Reminder
from cellclinic.lib.instruments import DOMAIN_VALUES
from cellclinic.lib.invalid import Invalid
from cellclinic.lib.tasks import enqueue_on_commit
from cellclinic.outcomes.models import Assessment
from cellclinic.outcomes.services import (
    AssessmentValues,
    assessment_record,
    registry_sync_care,
)

REMINDER_TIME = time(9, 0)  # the clinic's morning


def followup_after_procedure(patient: Patient) -> None:
    """Care recorded a procedure: bring the registry row up to date, and once every planned
    administration is done, make the follow-up schedule."""
    row = registry_sync_care(patient)
    if row is not None and row.last_treatment is not None:
        followup_schedule(patient=patient)


def followup_schedule(*, patient: Patient) -> list[FollowUp]:
    """Due dates at the program's time points after the last administration, with their
    windows and reminders. Run again after a correction, it moves what is not answered."""
    definition = program_definition(patient)
    row = getattr(patient, "registry_entry", None) or registry_sync_care(patient)
    if definition is None or definition.followup is None or row is None:
        return []
    last = row.last_treatment
    if last is None:
        return []
    zone = ZoneInfo(settings.CLINIC_TIME_ZONE)
    made = []
    with transaction.atomic():
        for timepoint, point in definition.followup.timepoints.items():
            due, start, end = point.window(last)
            followup, _created = FollowUp.objects.get_or_create(
                patient=patient,
                timepoint=timepoint,
                defaults={
                    "due_date": due,
                    "window_start": start,
                    "window_end": end,
                },
            )
            if followup.answered_at is None and followup.due_date != due:
                FollowUp.objects.filter(pk=followup.pk).update(
                    due_date=due, window_start=start, window_end=end
                )
                followup.refresh_from_db()
            for days in definition.followup.reminder_days:
                when = datetime.combine(due + timedelta(days=days), REMINDER_TIME, tzinfo=zone)
                reminder, created = Reminder.objects.get_or_create(
                    followup=followup, days_after_due=days, defaults={"due_at": when}
                )
                if not created and reminder.sent_at is None and reminder.due_at != when:
                    Reminder.objects.filter(pk=reminder.pk).update(due_at=when)
                if reminder.sent_at is None:
                    _schedule_reminder(reminder.pk, when)
            made.append(followup)
    return made


def _schedule_reminder(reminder_id: int, when: datetime) -> None:
    from cellclinic.followup.tasks import send_reminder

    enqueue_on_commit(send_reminder.using(run_after=when), reminder_id=reminder_id)


# --- the family's link -------------------------------------------------------------------------


def family_report_refusal(followup: FollowUp) -> str | None:
    """Why the family cannot answer this follow-up now, or None when it can."""
    definition = program_definition(followup.patient)
    today = timezone.localdate(timezone=ZoneInfo(settings.CLINIC_TIME_ZONE))
    if (
        definition is None
        or definition.outcomes is None
        or followup.state(today) in (FollowUp.State.UPCOMING, FollowUp.State.MISSED)
    ):  # outside its window an answer would not belong to this time point
        return _("This follow-up cannot be answered now.")
    return None


def family_report(*, followup: FollowUp, answers: dict[str, str]) -> list[Assessment]:
    """The family's answer: improved, same or worse for each domain it could judge, by
    domain id (at least one). Stored as the time point's domain assessments; reminders stop."""
    refusal = family_report_refusal(followup)
    if refusal is not None:
        raise Invalid({"form": refusal})
    if not answers or any(value not in DOMAIN_VALUES for value in answers.values()):
        raise Invalid({"form": _("Answer at least one question.")})
    today = timezone.localdate(timezone=ZoneInfo(settings.CLINIC_TIME_ZONE))
    with transaction.atomic():
        made = [
            assessment_record(
                patient=followup.patient,
                values=AssessmentValues(
                    timepoint=followup.timepoint,
                    instrument="domain",
                    item=domain,
                    value=value,
                    score=DOMAIN_VALUES[value],
                    date=today,
                ),
                by=None,
                source=Assessment.Source.FAMILY,
            )
            for domain, value in answers.items()
        ]
        now = timezone.now()
        FollowUp.objects.filter(pk=followup.pk).update(answered_at=now)
        Reminder.objects.filter(followup=followup, sent_at__isnull=True).update(skipped_at=now)
        followup.answered_at = now
    return made


# --- reminders ---------------------------------------------------------------------------------
