"""Groups of the outcome table (programs.md section 6): age and time-since-onset bands."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

AGE_BANDS = ("under_5", "5_11", "12_17", "18_plus")
ONSET_BANDS = ("upto_6m", "6_12m", "1_3y", "over_3y")


def age_band(birth: date, at: date) -> str:
    """By whole years at the first treatment."""
    years = relativedelta(at, birth).years
    if years < 5:
        return "under_5"
    if years < 12:
        return "5_11"
    if years < 18:
        return "12_17"
    return "18_plus"


def onset_band(onset: date, first_treatment: date) -> str:
    """Time from onset to the first treatment, as calendar intervals (6 months or less, ...)."""
    if first_treatment <= onset + relativedelta(months=6):
        return "upto_6m"
    if first_treatment <= onset + relativedelta(months=12):
        return "6_12m"
    if first_treatment <= onset + relativedelta(years=3):
        return "1_3y"
    return "over_3y"
