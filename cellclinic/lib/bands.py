"""Groups of the outcome table (programs.md section 6): age and time-since-onset bands."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext_lazy as _

AGE_BANDS = ("under_5", "5_11", "12_17", "18_plus")
ONSET_BANDS = ("upto_6m", "6_12m", "1_3y", "over_3y")
# What a reader sees for each grouping and each band (the codes are for files and the API).
GROUPING_NAMES = {
    "subtype": _("Subtype"),
    "age_band": _("Age at first treatment"),
    "onset_band": _("Time from onset to treatment"),
    "gmfcs": _("GMFCS level"),
}
BAND_NAMES = {
    "under_5": _("under 5 years"),
    "5_11": _("5 to 11 years"),
    "12_17": _("12 to 17 years"),
    "18_plus": _("18 years or older"),
    "upto_6m": _("6 months or less"),
    "6_12m": _("6 to 12 months"),
    "1_3y": _("1 to 3 years"),
    "over_3y": _("over 3 years"),
    "unknown": _("unknown"),
}


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
