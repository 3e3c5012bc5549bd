"""`cellclinic token create --user NAME [--name LABEL]`: an API token for a staff member."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand

from cellclinic.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a staff member (printed once; only its hash is kept)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["create"])
        parser.add_argument("--user", required=True)
        parser.add_argument("--name", default="api")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            sys.stderr.write(f"--user: there is no user {options['user']!r}\n")
            sys.exit(2)
        try:
            token = api_token_create(user=user, name=options["name"])
        except ValueError as exc:
            sys.stderr.write(f"--user: {exc}\n")
            sys.exit(2)
        self.stdout.write(token)
