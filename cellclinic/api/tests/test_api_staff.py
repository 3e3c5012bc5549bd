"""Staff API: 401 without credentials, 403 for a role without need, reads are logged."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from cellclinic.accounts.services import api_token_create, staff_user_create
from cellclinic.audit.models import AccessEvent
from cellclinic.inquiries.services import inquiry_submit
from cellclinic.programs.selectors import program_get
from cellclinic.screening.services import inquiry_screen
from conftest import build_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def inquiry():
    program = program_get(slug="cerebral-palsy")
    assert program is not None
    made, _ = inquiry_submit(
        program=program, answers=build_answers(cp__hydrocephalus="yes"), language="en"
    )
    inquiry_screen(inquiry=made)
    return made


def token_for(role: str) -> str:
    user, _ = staff_user_create(username=f"api-{role}", role=role, password="a-long-password-1")
    return api_token_create(user=user, name="test")


def test_without_credentials_the_answer_is_401(client: Client, inquiry) -> None:
    assert client.get("/api/v1/staff/inquiries").status_code == 401
    assert client.get(f"/api/v1/staff/inquiries/{inquiry.reference}").status_code == 401
    assert not AccessEvent.objects.exists()  # no credentials: nobody to name, nothing shown
    bad = client.get("/api/v1/staff/inquiries", HTTP_AUTHORIZATION="Bearer cc_not-a-token")
    assert bad.status_code == 401
    refused = AccessEvent.objects.get()
    assert (refused.user, refused.outcome, refused.reason) == (None, "refused", "credentials")
    assert refused.action == "api-v1:list_inquiries"


@pytest.mark.parametrize("role", ["nurse", "analyst"])
def test_a_role_without_need_gets_403(client: Client, inquiry, role: str) -> None:
    response = client.get("/api/v1/staff/inquiries", HTTP_AUTHORIZATION=f"Bearer {token_for(role)}")
    assert response.status_code == 403 and response.json()["errors"]
    refused = AccessEvent.objects.get()
    assert refused.user.username == f"api-{role}"
    assert (refused.outcome, refused.reason) == ("refused", "role")


def test_a_coordinator_lists_and_reads_with_a_token(client: Client, inquiry) -> None:
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for('coordinator')}"}
    listed = client.get("/api/v1/staff/inquiries?program=cerebral-palsy", **auth).json()
    assert [i["reference"] for i in listed["items"]] == [inquiry.reference]
    assert listed["items"][0]["decision"] == "not_eligible"
    read = client.get(f"/api/v1/staff/inquiries/{inquiry.reference}", **auth).json()
    assert read["answers"]["cp.hydrocephalus"] == "yes"
    assert [r["rule"] for r in read["decisions"][0]["reasons"]] == ["CP-HYD-1"]
    assert AccessEvent.objects.get(action="api-v1:list_inquiries").query == "program=cerebral-palsy"
    read_row = AccessEvent.objects.get(action="api-v1:read_inquiry")
    assert (read_row.object_type, read_row.object_ref) == ("inquiry", inquiry.reference)
    assert client.get("/api/v1/staff/inquiries/ZZZZZ-ZZZZZ", **auth).status_code == 404


def test_the_desk_session_works_only_after_mfa(client: Client, sign_in, inquiry) -> None:
    assert sign_in("physician").get("/api/v1/staff/inquiries").status_code == 200
    user = User.objects.create_user("plain", password="a-long-password-1")
    user.groups.create(name="coordinator-x")
    no_mfa = Client()
    no_mfa.post("/accounts/login/", {"login": "plain", "password": "a-long-password-1"})
    assert no_mfa.get("/api/v1/staff/inquiries").status_code == 401


def test_tokens_are_given_only_to_users_with_mfa(capsys) -> None:
    User.objects.create_user("nomfa", password="a-long-password-1")
    with pytest.raises(SystemExit):
        call_command("token", "create", "--user", "nomfa")
    assert "authenticator" in capsys.readouterr().err
