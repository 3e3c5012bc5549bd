"""The forms of follow-up: the family's report through its link, and a clinician's value of
one instrument at one time point."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cellclinic.care.forms import ProgramFilter
from cellclinic.care.models import Patient
from cellclinic.followup.models import FollowUp
from cellclinic.followup.services import family_report, family_report_refusal
from cellclinic.lib.formfields import Choice, Day, SearchText, typed
from cellclinic.lib.instruments import DOMAIN_VALUES, INSTRUMENTS, TIMEPOINTS, BadValue, check_value
from cellclinic.lib.invalid import Invalid, form_errors
from cellclinic.outcomes.models import Assessment
from cellclinic.outcomes.services import AssessmentValues, assessment_may_record, assessment_record
from cellclinic.programs.schema import Outcomes

ANSWERS = (*DOMAIN_VALUES, "unknown")  # "unknown": the family cannot judge this one


class FamilyReportForm(forms.Form):
    """Improved, same or worse for each domain the family can judge (at least one)."""

    def __init__(
        self, data: Mapping[str, Any] | None = None, *, outcomes: Outcomes | None, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        message = gettext_lazy("Choose one of the answers offered.")
        for domain in outcomes.family_domains if outcomes else ():
            self.fields[f"domain-{domain.id}"] = Choice(
                choices=[(a, a) for a in ANSWERS],
                required=False,
                error_messages={"invalid_choice": message},
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.answers() and not self.errors:
            raise ValidationError(_("Answer at least one question."))
        return data

    def answers(self) -> dict[str, str]:
        """The answers by domain id, without those the family could not judge."""
        data = getattr(self, "cleaned_data", {})
        return {
            name.removeprefix("domain-"): data[name]
            for name in self.fields
            if data.get(name) not in (None, "", "unknown")
        }


def family_report_submit(form: FamilyReportForm, *, followup: FollowUp) -> list[Assessment]:
    """The family's answers, or why not: first whether the time point can be answered now."""
    if not form.is_valid():
        refusal = family_report_refusal(followup)
        raise Invalid({"form": refusal} if refusal else form_errors(form))
    return family_report(followup=followup, answers=form.answers())


class AssessmentForm(forms.Form):
    """A clinician's value of one instrument at one time point."""

    timepoint = Choice(choices=[(t, t) for t in TIMEPOINTS], label=gettext_lazy("Time point"))
    instrument = Choice(choices=[], label=gettext_lazy("Instrument"))
    date = Day(
        years=None,  # any real date: one in the future is refused as such
        label=gettext_lazy("Date (YYYY-MM-DD)"),
        error_messages={"required": gettext_lazy("Enter a real date as YYYY-MM-DD.")},
    )
    item = forms.CharField(required=False, strip=True)
    value = forms.CharField(required=False, strip=True)

    def __init__(
        self, data: Mapping[str, Any] | None = None, *, outcomes: Outcomes | None, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        self.outcomes = outcomes
        # domains are the family's own answers: a clinician records the program's instruments
        allowed = outcomes.clinician_instruments if outcomes else ()
        self.fields["instrument"].choices = [(i, INSTRUMENTS[i].name) for i in allowed]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate(timezone=ZoneInfo(settings.CLINIC_TIME_ZONE))
        if data.get("date") is not None and data["date"] > today:
            self.add_error("date", _("The date cannot be in the future."))
        instrument = INSTRUMENTS.get(data.get("instrument") or "")
        if instrument is None or self.outcomes is None or "instrument" in self.errors:
            return data
        try:
            data["value"], data["score"] = check_value(
                instrument,
                data.get("item", ""),
                data.get("value", ""),
                muscle_groups=self.outcomes.muscle_groups,
                domains=tuple(d.id for d in self.outcomes.family_domains),
            )
        except BadValue as bad:
            self.add_error(
                bad.field, _("Not a valid value: %(expected)s.") % {"expected": bad.message}
            )
        return data

    def values(self) -> AssessmentValues:
        return typed(AssessmentValues, self.cleaned_data)


def assessment_submit(form: AssessmentForm, *, patient: Patient, by: User) -> Assessment:
    assessment_may_record(by=by, source=Assessment.Source.CLINICIAN)
    if not form.is_valid():
        raise Invalid(form_errors(form))
    return assessment_record(
        patient=patient, values=form.values(), by=by, source=Assessment.Source.CLINICIAN
    )


class FollowupFilters(ProgramFilter):
    """The follow-up desk's state and program."""

    state = SearchText(limit=20)
