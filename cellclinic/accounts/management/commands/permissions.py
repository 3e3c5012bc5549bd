"""`cellclinic permissions`: print the permission table as docs/roles.md shows it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cellclinic.accounts.permissions import markdown_table


class Command(BaseCommand):
    help = "Print every staff capability and the roles that hold it (a Markdown table)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(markdown_table(), ending="")
