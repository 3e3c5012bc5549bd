"""`cellclinic token create|list|revoke`: API tokens of staff members.

    cellclinic token create --user NAME [--name LABEL] [--days N]
    cellclinic token list [--user NAME] [--all]
    cellclinic token revoke ID | --user NAME

Bad input (an unknown user or token, a life outside 1 to API_TOKEN_DAYS days) is named on
standard error with exit status 2, as the other commands do.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from datetime import datetime
from typing import Any, NoReturn

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from cellclinic.accounts.models import ApiToken
from cellclinic.accounts.selectors import AmbiguousToken, api_token_find, api_tokens_list
from cellclinic.accounts.services import (
    ApiTokenRefused,
    api_token_create,
    api_token_revoke,
    api_tokens_revoke,
)

COLUMNS = ("id", "user", "name", "created", "expires", "last used", "status")


def _when(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "-"


def _status(token: ApiToken, now: datetime) -> str:
    status = token.status(now)
    return f"revoked ({token.revoked_reason or 'revoked'})" if status == "revoked" else status


class Command(BaseCommand):
    help = "Create, list or revoke API tokens of staff members (a token is printed once)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        if not isinstance(parser, CommandParser):  # Django always gives its own parser
            raise TypeError("token needs Django's CommandParser")
        commands = parser.add_subparsers(dest="action", required=True)
        create = commands.add_parser(
            "create", help="print a new token for a staff member (only its hash is kept)"
        )
        create.add_argument("--user", required=True, help="the staff member's username")
        create.add_argument("--name", default="api", help="what the token is for")
        create.add_argument(
            "--days", type=int, help="how long it works (1 to API_TOKEN_DAYS, the default)"
        )
        listing = commands.add_parser("list", help="a table of tokens, newest first")
        listing.add_argument("--user", help="only this staff member's tokens")
        listing.add_argument("--all", action="store_true", help="also revoked and expired ones")
        revoke = commands.add_parser("revoke", help="revoke one token, or every token of a user")
        revoke.add_argument("id", nargs="?", help="the token's id as `token list` shows it")
        revoke.add_argument("--user", help="revoke every token of this staff member")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _create(self, options: dict[str, Any]) -> None:
        user = self._user(options["user"])
        name = options["name"].strip()
        if not 1 <= len(name) <= 100:
            self._fail("--name: give 1 to 100 characters")
        try:
            token = api_token_create(user=user, name=name, days=options["days"])
        except ApiTokenRefused as refused:
            self._fail(f"--{refused.field}: {refused}")
        expires = ApiToken.objects.get(digest=ApiToken.hash(token)).expires_at
        sys.stderr.write(f"expires {_when(expires)} UTC\n")
        self.stdout.write(token)

    def _list(self, options: dict[str, Any]) -> None:
        user = self._user(options["user"]) if options["user"] else None
        now = timezone.now()
        tokens = api_tokens_list(user=user, active_at=None if options["all"] else now)
        rows = [COLUMNS] + [
            (
                t.short_id,
                t.user.get_username(),
                t.name,
                _when(t.created_at),
                _when(t.expires_at),
                _when(t.last_used_at),
                _status(t, now),
            )
            for t in tokens
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
        for row in rows:
            self.stdout.write(
                "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        if bool(options["id"]) == bool(options["user"]):
            self._fail("give a token's ID or --user NAME (one of them)")
        if options["user"]:
            user = self._user(options["user"])
            count = api_tokens_revoke(users=[user.pk], reason=ApiToken.Reason.REVOKED)
            self.stdout.write(f"revoked {count} token(s) of {user.get_username()}")
            return
        try:
            token = api_token_find(key=options["id"])
        except AmbiguousToken:
            self._fail(f"ID: more than one token starts with {options['id']!r}; give more of it")
        if token is None:
            self._fail(f"ID: there is no token {options['id']!r} (see `cellclinic token list`)")
        label = f"{token.short_id} ({token.name}, of {token.user.get_username()})"
        if api_token_revoke(token=token):
            self.stdout.write(f"revoked {label}")
        else:
            self.stdout.write(f"{label} was already revoked ({token.revoked_reason})")

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            self._fail(f"--user: there is no user {username!r}")
        return user

    def _fail(self, message: str) -> NoReturn:
        sys.stderr.write(message + "\n")
        sys.exit(2)
