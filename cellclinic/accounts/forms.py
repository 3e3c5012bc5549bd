"""Forms of the staff account pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class ApiTokenForm(forms.Form):
    """A new API token: what it is for and how many days it works (at most API_TOKEN_DAYS)."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, so that you know it again (e.g. ward tablet)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        longest = settings.API_TOKEN_DAYS
        self.fields["days"] = forms.IntegerField(
            label=_("Days it works"),
            min_value=1,
            max_value=longest,
            initial=longest,
            help_text=_("From 1 to %(days)d.") % {"days": longest},
        )


class StaffPreferenceForm(forms.Form):
    """The staff member's settings page: the digest on or off, and its language."""

    digest = forms.BooleanField(
        label=_("E-mail me a digest of the inquiries waiting for me"),
        required=False,
        help_text=_(
            "At most once a day, when a family has written or sent a document on an inquiry "
            "assigned to you that you have not opened yet. It names each inquiry by its "
            "reference and links to it; it holds no patient detail."
        ),
    )
    language = forms.ChoiceField(
        label=_("Language of the e-mail"),
        choices=settings.LANGUAGES,
        error_messages={"invalid_choice": _("Choose one of the languages offered.")},
    )
