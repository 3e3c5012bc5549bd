"""The access log page's filters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cellclinic.audit.models import AccessEvent
from cellclinic.lib.formfields import Cursor
from cellclinic.lib.text import search_text

DATE_ERROR = _("Enter a real date as YYYY-MM-DD.")


class AccessLogFilters(forms.Form):
    """Who, what (an inquiry reference or a patient id, in any letter case), which outcome,
    and which days (inclusive, at the server's time zone, as the times are shown); `before`
    is where the previous page of the list ended."""

    user = forms.CharField(max_length=150, required=False, strip=True)
    object = forms.CharField(max_length=64, required=False, strip=True)
    outcome = forms.ChoiceField(
        choices=[("", _("any"))] + list(AccessEvent.Outcome.choices),
        required=False,
        error_messages={"invalid_choice": _("Choose one of the outcomes offered.")},
    )

    before = Cursor()

    def __init__(self, data: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        if data is not None:  # control characters are dropped, as in every filter of the desk
            data = {
                name: search_text(str(data.get(name, "")), 200)
                for name in ("user", "object", "outcome", "from", "to", "before")
            }
        super().__init__(data, **kwargs)
        for name in ("from", "to"):  # names a class body cannot use
            self.fields[name] = forms.DateField(
                required=False,
                input_formats=["%Y-%m-%d"],
                error_messages={"invalid": DATE_ERROR},
            )
