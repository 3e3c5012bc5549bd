"""`cellclinic digest`: e-mail each coordinator who asked for it the inquiries waiting for
them (`inquiries.digest`). Run it once a day (cron, a systemd timer); a run with nothing new
sends nothing, so running it more often never repeats a digest."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cellclinic.inquiries.digest import digests_send


class Command(BaseCommand):
    help = "Queue the e-mail digest of unread inquiries for each staff member who asked for it."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = digests_send()
        self.stdout.write(f"queued {sent} digest e-mail(s); `cellclinic worker` sends them")
