"""The outcome instruments of programs.md section 6: valid values and their scores.

Pure helpers, no models. A program file names which instruments it uses; the registry
import, the clinician's entry and the family's report all check values here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

TIMEPOINTS = ("baseline", "discharge", "m1", "m3", "m6", "m12")
FOLLOW_UP_TIMEPOINTS = ("m1", "m3", "m6", "m12")
# How long after the last administration each time point is, in the reader's language.
PERIODS = {
    "m1": _("1 month"),
    "m3": _("3 months"),
    "m6": _("6 months"),
    "m12": _("12 months"),
}
TIMEPOINT_NAMES = {"baseline": _("baseline"), "discharge": _("at discharge")}


def timepoint_name(code: str) -> str:
    """A time point as a person reads it ("3 months after"), not its code ("m3")."""
    if code in PERIODS:
        return gettext("%(period)s after") % {"period": PERIODS[code]}
    return str(TIMEPOINT_NAMES.get(code, code))


DOMAIN_VALUES = {"improved": 1.0, "same": 0.0, "worse": -1.0}
MAS_VALUES = {"0": 0.0, "1": 1.0, "1+": 1.5, "2": 2.0, "3": 3.0, "4": 4.0}
DROOLING_ITEMS = {"severity": (1, 5), "frequency": (1, 4)}


@dataclass(frozen=True)
class Instrument:
    id: str
    name: str
    low: float = 0
    high: float = 0
    step: Decimal = Decimal(1)
    item: str = ""  # "muscle_group", "drooling" or "domain" when the instrument has items
    choices: tuple[str, ...] = ()

    @property
    def numeric(self) -> bool:
        """A score whose change can define "improved"."""
        return not self.choices and not self.item


INSTRUMENTS: dict[str, Instrument] = {
    i.id: i
    for i in (
        Instrument("gmfm66", "GMFM-66", 0, 100, Decimal("0.01")),
        Instrument("gmfcs", "GMFCS level", 1, 5),
        Instrument(
            "mas", "Modified Ashworth Scale", item="muscle_group", choices=tuple(MAS_VALUES)
        ),
        Instrument("drooling", "Drooling severity and frequency", item="drooling"),
        Instrument("mrs", "modified Rankin Scale", 0, 6),
        Instrument("nihss", "NIHSS", 0, 42),
        Instrument("barthel", "Barthel Index", 0, 100, Decimal(5)),
        Instrument("fmaue", "Fugl-Meyer upper extremity", 0, 66),
        Instrument("domain", "Family-reported change", item="domain", choices=tuple(DOMAIN_VALUES)),
    )
}


class BadValue(ValueError):
    """A value an instrument does not allow; `field` is "item" or "value"."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# The values of the instruments scored from a list, and how a report names them.
CHOICE_VALUES: dict[str, tuple[dict[str, float], str]] = {
    "mas": (MAS_VALUES, "one of 0, 1, 1+, 2, 3, 4"),
    "domain": (DOMAIN_VALUES, "improved, same or worse"),
}


def check_value(
    instrument: Instrument,
    item: str,
    value: str,
    *,
    muscle_groups: tuple[str, ...] = (),
    domains: tuple[str, ...] = (),
) -> tuple[str, float]:
    """The value as stored (normalised text) and its score, or BadValue naming the column."""
    item = item.strip()
    value = value.strip()
    _check_item(instrument, item, muscle_groups=muscle_groups, domains=domains)
    if instrument.id in CHOICE_VALUES:
        scores, expected = CHOICE_VALUES[instrument.id]
        if value not in scores:
            raise BadValue("value", expected)
        return value, scores[value]
    low, high = (
        DROOLING_ITEMS[item] if instrument.item == "drooling" else (instrument.low, instrument.high)
    )
    return _check_number(value, low, high, instrument.step)


def _check_item(
    instrument: Instrument, item: str, *, muscle_groups: tuple[str, ...], domains: tuple[str, ...]
) -> None:
    """The item column: one of the instrument's items, or empty when it has none."""
    allowed = {
        "muscle_group": (
            muscle_groups,
            f"a muscle group of the program: {', '.join(muscle_groups)}",
        ),
        "domain": (domains, f"a domain of the program: {', '.join(domains)}"),
        "drooling": (tuple(DROOLING_ITEMS), "severity or frequency"),
        "": (("",), f"empty for {instrument.id}"),
    }
    items, expected = allowed[instrument.item]
    if item not in items:
        raise BadValue("item", expected)


def _check_number(value: str, low: float, high: float, step: Decimal) -> tuple[str, float]:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise BadValue("value", f"a number from {low:g} to {high:g}") from None
    if not number.is_finite() or not low <= number <= high:
        raise BadValue("value", f"a number from {low:g} to {high:g}")
    if number % step != 0:
        raise BadValue("value", f"in steps of {step}")
    text = str(int(number)) if number == number.to_integral() else format(number.normalize(), "f")
    return text, float(number)
