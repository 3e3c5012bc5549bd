"""Failed sign-ins count at every server process: the lockout lives in a cache they share.

Each step runs in its own process, as gunicorn's workers and a second app server do; with
a per-process memory cache every process would start counting from nothing.
"""

from __future__ import annotations

from conftest import in_a_process

SIGN_IN = """
import sys

from django.test import Client

from cellclinic.accounts.services import staff_user_create

if sys.argv[1] == "create":
    staff_user_create(username="target", role="coordinator", password="a-long-password-1")
else:
    for password in sys.argv[1:]:
        response = Client().post("/accounts/login/", {"login": "target", "password": password})
        if response.status_code == 302 and "/2fa/" in response["Location"]:
            print("next step")
        else:
            print("locked" if b"Too many" in response.content else "wrong")
"""


def test_failed_sign_ins_at_two_processes_add_up_to_a_lockout(
    shared_database: dict[str, str],
) -> None:
    in_a_process(shared_database, SIGN_IN, "create")
    assert in_a_process(shared_database, SIGN_IN, "wrong-1", "wrong-2", "wrong-3") == ["wrong"] * 3
    # Below the limit of five failures per account the right password still signs in.
    assert in_a_process(shared_database, SIGN_IN, "a-long-password-1") == ["next step"]
    # Two more failures here make five, counted at two processes: the account is locked.
    assert in_a_process(shared_database, SIGN_IN, "wrong-4", "wrong-5", "wrong-6") == [
        "wrong",
        "wrong",
        "locked",
    ]
    # A process that counted nothing itself refuses even the right password.
    assert in_a_process(shared_database, SIGN_IN, "a-long-password-1") == ["locked"]
