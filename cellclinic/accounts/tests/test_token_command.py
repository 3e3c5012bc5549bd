"""`cellclinic token create|list|revoke`, with bad input named and exit status 2."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from cellclinic.accounts.models import ApiToken
from cellclinic.accounts.services import staff_user_create

pytestmark = pytest.mark.django_db


def run(capsys: Any, *args: str) -> tuple[int, str, str]:
    try:
        call_command("token", *args)
        code = 0
    except SystemExit as exited:
        code = int(exited.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def users() -> list[User]:
    return [
        staff_user_create(username=name, role=role, password="a-long-password-1")[0]
        for name, role in (("ada", "physician"), ("bo", "nurse"))
    ]


def works(token: str) -> bool:
    response = Client().get("/api/v1/staff/patients/x", HTTP_AUTHORIZATION=f"Bearer {token}")
    return response.status_code != 401


def test_create_prints_a_working_token_and_its_expiry(capsys, users, settings) -> None:
    code, out, err = run(capsys, "create", "--user", "ada", "--name", "laptop", "--days", "30")
    assert code == 0 and re.fullmatch(r"cc_[\w-]{43}\n", out)
    assert err.startswith("expires ")
    assert works(out.strip())
    made = ApiToken.objects.get()
    assert made.name == "laptop" and (made.expires_at - made.created_at).days == 30
    assert run(capsys, "create", "--user", "ada")[0] == 0  # --name and --days are optional
    assert (ApiToken.objects.latest("pk").expires_at - made.created_at).days == 90


def test_list_shows_the_active_tokens_and_all_with_all(capsys, users) -> None:
    for name, user in (("one", "ada"), ("two", "ada"), ("three", "bo")):
        run(capsys, "create", "--user", user, "--name", name)
    revoked = ApiToken.objects.get(name="two")
    run(capsys, "revoke", revoked.short_id)
    code, out, _ = run(capsys, "list")
    lines = out.splitlines()
    assert code == 0
    assert lines[0].split() == [
        "id",
        "user",
        "name",
        "created",
        "expires",
        "last",
        "used",
        "status",
    ]
    assert [line.split()[2] for line in lines[1:]] == ["three", "one"]
    assert all(line.rstrip().endswith("active") for line in lines[1:])
    _, out, _ = run(capsys, "list", "--user", "ada", "--all")
    rows = {line.split()[2]: line for line in out.splitlines()[1:]}
    assert set(rows) == {"one", "two"}
    assert rows["two"].startswith(revoked.short_id) and rows["two"].endswith("revoked (revoked)")


def test_revoke_by_id_or_every_token_of_a_user(capsys, users) -> None:
    tokens = [run(capsys, "create", "--user", "ada", "--name", n)[1].strip() for n in "ab"]
    other = run(capsys, "create", "--user", "bo")[1].strip()
    first = ApiToken.objects.get(name="a")
    code, out, _ = run(capsys, "revoke", str(first.uuid))
    assert code == 0 and out.strip() == f"revoked {first.short_id} (a, of ada)"
    assert not works(tokens[0]) and works(tokens[1])
    assert (
        run(capsys, "revoke", first.short_id)[1].strip().endswith("was already revoked (revoked)")
    )
    code, out, _ = run(capsys, "revoke", "--user", "ada")
    assert code == 0 and out.strip() == "revoked 1 token(s) of ada"
    assert not works(tokens[1]) and works(other)


BAD = [
    (("create", "--user", "nobody"), "--user: there is no user 'nobody'"),
    (("create", "--user", "ada", "--days", "0"), "--days: A token lasts from 1 to 90 days."),
    (("create", "--user", "ada", "--days", "91"), "--days: A token lasts from 1 to 90 days."),
    (("create", "--user", "ada", "--name", " "), "--name: give 1 to 100 characters"),
    (("create", "--user", "ada", "--name", "x" * 101), "--name: give 1 to 100 characters"),
    (("list", "--user", "nobody"), "--user: there is no user 'nobody'"),
    (("revoke", "--user", "nobody"), "--user: there is no user 'nobody'"),
    (("revoke", "0000aaaa"), "ID: there is no token '0000aaaa' (see `cellclinic token list`)"),
    (("revoke", "abc"), "ID: there is no token 'abc' (see `cellclinic token list`)"),
    (("revoke", "not a token id at all"), "ID: there is no token 'not a token id at all'"),
    (("revoke",), "give a token's ID or --user NAME (one of them)"),
    (("revoke", "0000aaaa", "--user", "ada"), "give a token's ID or --user NAME (one of them)"),
]


@pytest.mark.parametrize(("args", "message"), BAD)
def test_bad_input_is_named_with_exit_status_2(capsys, users, args, message) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2 and out == "" and err.startswith(message), err
    assert not ApiToken.objects.exists()


def test_a_user_without_a_role_or_deactivated_gets_no_token(capsys, users) -> None:
    users[0].groups.clear()
    code, _, err = run(capsys, "create", "--user", "ada")
    assert code == 2 and err == "--user: The user has no role.\n"
    users[1].is_active = False
    users[1].save()
    code, _, err = run(capsys, "create", "--user", "bo")
    assert code == 2 and err == "--user: The account is deactivated.\n"


def test_an_ambiguous_short_id_is_refused(capsys, users) -> None:
    import uuid

    for n in range(2):
        run(capsys, "create", "--user", "ada", "--name", f"t{n}")
    ApiToken.objects.filter(name="t0").update(
        uuid=uuid.UUID("12345678-0000-4000-8000-000000000001")
    )
    ApiToken.objects.filter(name="t1").update(
        uuid=uuid.UUID("12345678-0000-4000-8000-000000000002")
    )
    code, _, err = run(capsys, "revoke", "12345678")
    assert code == 2 and err.startswith("ID: more than one token starts with '12345678'")
    assert run(capsys, "revoke", "12345678-0000-4000-8000-000000000002")[0] == 0
    assert ApiToken.objects.get(name="t1").revoked_at is not None
