"""The family's personal link: signed, expiring, for one inquiry only. No account needed.

Also what every page reached through that link shares: the language it is shown in, and
the thread of everything the clinic wrote to the family.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation

from cellclinic.inquiries.models import Inquiry, Message
from cellclinic.lib.links import SignedLink

LINK = SignedLink(salt="cellclinic.family-link", field="inquiry")

# The kinds of e-mail whose text is a message of the thread (`Message`): a staff message
# (a decline and a consent request among them), the acceptance, the plan's dates.
THREAD_KINDS = ("inquiry_message", "inquiry_accepted", "plan_ready")


def family_token(inquiry: Inquiry) -> str:
    return LINK.token(inquiry.uuid)


def family_url(inquiry: Inquiry) -> str:
    return settings.SITE_URL + reverse("family_inquiry", args=[family_token(inquiry)])


def inquiry_from_token(token: str) -> Inquiry | None:
    """The inquiry of a link, or None when the link is forged, damaged or expired."""
    key = LINK.key(token, max_age=timedelta(days=settings.FAMILY_LINK_DAYS))
    return None if key is None else Inquiry.objects.filter(uuid=key).first()


def family_language(request: HttpRequest, inquiry: Inquiry) -> str:
    """The language of every page reached through the family's link.

    The one the visitor picked with the language menu (its cookie) when there is one, else
    the inquiry's reply language: the family chose it in its inquiry and every e-mail is
    written in it, so the page an e-mail links to reads the same. The browser's
    Accept-Language is not a choice (a borrowed phone, an English work computer), so it
    does not decide here.
    """
    languages = dict(settings.LANGUAGES)
    for code in (request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME), inquiry.reply_language):
        if not code:
            continue
        try:
            supported = translation.get_supported_language_variant(code)
        except LookupError:
            continue
        if supported in languages:
            return supported
    return translation.get_language() or settings.LANGUAGE_CODE


@dataclass(frozen=True)
class ThreadEntry:
    """One item of the family's thread: a message, or an e-mail that has no message of its
    own (the confirmation, a follow-up reminder), shown with its subject and text."""

    at: datetime
    direction: str
    body: str
    subject: str = ""
    message: Message | None = None


SIGNATURE = "\n-- \n"  # the usual signature separator; the page shows the clinic's own footer


def family_thread(inquiry: Inquiry) -> list[ThreadEntry]:
    """Everything the clinic wrote to the family, and what the family wrote, oldest first.

    A staff message, a decline, the acceptance and the plan's dates are messages (their
    e-mail carries the same text); every other e-mail to the family appears as itself, so
    nothing the family was sent is missing from its page.
    """
    entries = [
        ThreadEntry(at=m.created_at, direction=m.direction, body=m.body, message=m)
        for m in inquiry.messages.prefetch_related("documents")
    ]
    for email in inquiry.emails.exclude(kind__in=THREAD_KINDS).order_by("created_at", "pk"):
        entries.append(
            ThreadEntry(
                at=email.created_at,
                direction=Message.Direction.OUT,
                body=email.body.split(SIGNATURE, 1)[0].strip(),
                subject=email.subject,
            )
        )
    return sorted(entries, key=lambda entry: entry.at)


def inquiry_from_expired_token(token: str) -> Inquiry | None:
    """The inquiry of a genuine link that has expired (signed by us, only too old), so the
    family can ask for a fresh one by e-mail; None for a forged or damaged link."""
    key = LINK.key(token)
    if key is None or inquiry_from_token(token) is not None:
        return None
    return Inquiry.objects.filter(uuid=key).first()


def family_link_invalid(request: HttpRequest, token: str) -> HttpResponse:
    """The page of a link that does not work (404). A genuine link that has only expired
    offers to e-mail a fresh one to the address the family gave, in its language."""
    inquiry = inquiry_from_expired_token(token)
    if inquiry is None:
        return render(request, "inquiries/family_link_invalid.html", status=404)
    with translation.override(family_language(request, inquiry)):
        return render(
            request,
            "inquiries/family_link_invalid.html",
            {"resend_url": reverse("family_link_new", args=[token])},
            status=404,
        )
