"""The outcome table's "due" and the follow-up schedule use one window: a care patient is
due at a time point exactly from the day after its FollowUp's window_end."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cellclinic.care.tests.builders import create_treated_patient
from cellclinic.followup.models import FollowUp
from cellclinic.outcomes.statistics import outcome_table
from cellclinic.programs.selectors import program_get

pytestmark = pytest.mark.django_db


def test_a_care_patient_is_due_once_its_follow_up_window_has_closed() -> None:
    patient = create_treated_patient(days_ago=30)
    current = program_get(slug=patient.program.slug)
    assert current is not None
    followups = list(FollowUp.objects.filter(patient=patient))
    assert len(followups) == 4
    for followup in followups:
        on_last_day = outcome_table(
            program=current, timepoint=followup.timepoint, by=None, as_of=followup.window_end
        )["overall"]
        closed = outcome_table(
            program=current,
            timepoint=followup.timepoint,
            by=None,
            as_of=followup.window_end + timedelta(days=1),
        )["overall"]
        assert (on_last_day["treated"], on_last_day["due"], on_last_day["lost"]) == (1, 0, 0)
        assert (closed["due"], closed["lost"], closed["not_yet_due"]) == (1, 1, 0)
        assert followup.state(followup.window_end + timedelta(days=1)) == FollowUp.State.MISSED
