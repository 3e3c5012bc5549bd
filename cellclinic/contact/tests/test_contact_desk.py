"""The desk's "Contact us" messages: who may see them, every view logged, the answer and the
invitation e-mailed in the sender's language, the invitation's link."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from cellclinic.audit.models import AccessEvent
from cellclinic.contact.links import LINK
from cellclinic.contact.models import ContactEvent, ContactMessage
from cellclinic.contact.services import contact_submit
from cellclinic.core.models import OutboundEmail

pytestmark = pytest.mark.django_db


@pytest.fixture
def message() -> ContactMessage:
    return contact_submit(
        name="王芳",
        email="wang@example.cn",
        language="zh-hans",
        body="请问费用是多少？",
        page_language="zh-hans",
    )


def page(message: ContactMessage) -> str:
    return f"/staff/contact/{message.uuid}/"


@pytest.mark.parametrize(
    ("role", "status"),
    [("coordinator", 200), ("physician", 200), ("admin", 200), ("nurse", 403), ("analyst", 403)],
)
def test_only_the_roles_that_handle_inquiries_see_the_messages(
    sign_in, message: ContactMessage, role: str, status: int
) -> None:
    client = sign_in(role)
    listed = client.get("/staff/contact/")
    opened = client.get(page(message))
    assert (listed.status_code, opened.status_code) == (status, status)
    if status == 200:
        assert "wang@example.cn" in listed.content.decode()
        assert "请问费用是多少？" in opened.content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client: Client, message: ContactMessage) -> None:
    for url in ("/staff/contact/", page(message)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_every_view_is_in_the_access_log_naming_the_message(
    sign_in, message: ContactMessage
) -> None:
    client = sign_in("coordinator")
    client.get("/staff/contact/", {"status": "new"})
    client.get(page(message))
    listed = AccessEvent.objects.get(action="staff_contact_list")
    assert (listed.outcome, listed.query, listed.user.username) == (
        "allowed",
        "status=new",
        "coordinator1",
    )
    opened = AccessEvent.objects.get(action="staff_contact")
    assert (opened.object_type, opened.object_ref) == ("contact", str(message.uuid))
    nurse = sign_in("nurse")
    nurse.get(page(message))
    refused = AccessEvent.objects.filter(action="staff_contact").order_by("-pk")[0]
    assert (refused.outcome, refused.reason, refused.object_ref) == ("refused", "role", "")


def test_the_list_filters_by_status(sign_in, message: ContactMessage) -> None:
    client = sign_in("coordinator")
    assert "wang@example.cn" in client.get("/staff/contact/?status=new").content.decode()
    assert "wang@example.cn" not in client.get("/staff/contact/?status=closed").content.decode()
    assert client.get("/staff/contact/?status=nonsense").status_code == 200  # all shown


def test_an_answer_is_stored_and_emailed_in_the_senders_language(
    sign_in, message: ContactMessage, settings
) -> None:
    client = sign_in("coordinator")
    response = client.post(page(message), {"action": "reply", "body": "费用取决于治疗方案。"})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == "answered"
    event = ContactEvent.objects.get()
    assert (event.kind, event.author.username, event.body) == (
        "reply",
        "coordinator1",
        "费用取决于治疗方案。",
    )
    assert (event.from_status, event.to_status) == ("new", "answered")
    email = message.emails.get(kind="contact_reply")
    assert (email.to, email.language) == ("wang@example.cn", "zh-hans")
    assert email.body.startswith("费用取决于治疗方案。")
    assert "请问费用是多少？" in email.body  # the sender's message quoted
    assert settings.CLINIC_NAME in email.body  # the clinic's signature
    with translation.override("zh-hans"):
        subject = gettext("An answer to your message to %(clinic)s") % {
            "clinic": settings.CLINIC_NAME
        }
    assert email.subject == subject and "answer" not in email.subject


def test_an_empty_answer_is_refused_and_nothing_is_sent(sign_in, message: ContactMessage) -> None:
    client = sign_in("coordinator")
    response = client.post(page(message), {"action": "reply", "body": "  "})
    assert response.status_code == 400
    assert 'id="f-reply-body-error"' in response.content.decode()
    assert not ContactEvent.objects.exists()
    assert not OutboundEmail.objects.filter(kind="contact_reply").exists()


def test_an_invitation_emails_a_link_to_the_programs_form_in_the_senders_language(
    sign_in, message: ContactMessage, settings
) -> None:
    client = sign_in("coordinator")
    response = client.post(
        page(message), {"action": "invite", "program": "stroke", "note": "欢迎提交。"}
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == "invited"
    event = ContactEvent.objects.get()
    assert (event.kind, event.program, event.body) == ("invitation", "stroke", "欢迎提交。")
    email = message.emails.get(kind="contact_invitation")
    assert email.language == "zh-hans" and "欢迎提交。" in email.body
    link = f"{settings.SITE_URL}/contact/invitation/{LINK.token(event.uuid)}/"
    assert link in email.body
    with translation.override("zh-hans"):
        from cellclinic.programs.selectors import program_get

        program = program_get(slug="stroke")
        assert program is not None
        name = program.definition.name.get("zh-hans")
    assert name in email.subject and name in email.body


def test_an_invitation_needs_a_program(sign_in, message: ContactMessage) -> None:
    client = sign_in("coordinator")
    for program in ("", "no-such-program"):
        response = client.post(page(message), {"action": "invite", "program": program})
        assert response.status_code == 400
        assert 'id="f-invite-program-error"' in response.content.decode()
    assert not ContactEvent.objects.exists()


def test_the_invitations_link_opens_the_form_in_the_senders_language_filled_in(
    sign_in, message: ContactMessage
) -> None:
    sign_in("coordinator").post(page(message), {"action": "invite", "program": "stroke"})
    event = ContactEvent.objects.get()
    family = Client()
    response = family.get(f"/contact/invitation/{LINK.token(event.uuid)}/")
    assert response.status_code == 302 and response["Location"] == "/programs/stroke/inquire/"
    assert response.cookies["django_language"].value == "zh-hans"
    form = family.get("/programs/stroke/inquire/")
    body = form.content.decode()
    assert form.status_code == 200 and '<html lang="zh-hans"' in body
    assert 'value="王芳"' in body and 'value="wang@example.cn"' in body
    # another program's form is not filled in
    assert (
        'value="wang@example.cn"'
        not in family.get("/programs/cerebral-palsy/inquire/").content.decode()
    )


def test_a_tampered_or_foreign_link_opens_nothing(message: ContactMessage, client: Client) -> None:
    from cellclinic.inquiries.family import LINK as FAMILY

    assert client.get(f"/contact/invitation/{LINK.token(message.uuid)}/").status_code == 404
    assert client.get(f"/contact/invitation/{FAMILY.token(message.uuid)}/").status_code == 404
    assert client.get("/contact/invitation/nonsense/").status_code == 404


def test_closing_records_who_and_cannot_be_done_twice(sign_in, message: ContactMessage) -> None:
    client = sign_in("physician")
    assert client.post(page(message), {"action": "close"}).status_code == 302
    message.refresh_from_db()
    assert message.status == "closed"
    assert client.post(page(message), {"action": "close"}).status_code == 400
    assert ContactEvent.objects.count() == 1
    # an answer opens it again
    client.post(page(message), {"action": "reply", "body": "OK"})
    message.refresh_from_db()
    assert message.status == "answered"


def test_the_services_refuse_a_role_without_the_capability(message: ContactMessage) -> None:
    from cellclinic.accounts.services import staff_user_create
    from cellclinic.contact.services import contact_reply
    from cellclinic.lib.invalid import Invalid

    nurse: User
    nurse, _secret = staff_user_create(username="n", role="nurse", password="a-long-password-1")
    with pytest.raises(Invalid):
        contact_reply(message=message, author=nurse, body="hi")
    assert not ContactEvent.objects.exists()


def test_the_desk_nav_offers_the_page_to_coordinators_only(sign_in) -> None:
    coordinator: Any = sign_in("coordinator")
    assert 'href="/staff/contact/"' in coordinator.get("/staff/patients/").content.decode()
    nurse: Any = sign_in("nurse")
    assert 'href="/staff/contact/"' not in nurse.get("/staff/patients/").content.decode()


def test_an_empty_answer_lands_on_a_summary_linking_to_the_field(sign_in) -> None:
    from cellclinic.contact.models import ContactMessage

    message = ContactMessage.objects.create(
        name="Layla", email="layla@example.org", language="ar", body="هل تقبلون الأطفال؟"
    )
    page = sign_in("coordinator").post(
        f"/staff/contact/{message.uuid}/", {"action": "reply", "body": ""}
    )
    html = page.content.decode()
    assert page.status_code == 400
    assert html.index('id="error-summary"') < html.index('id="f-reply-body"')
    assert '<a href="#f-reply-body">' in html
