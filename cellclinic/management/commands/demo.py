"""`cellclinic demo`: program definitions, a few sample inquiries and one user per role.

Standard output has exactly one line per demo staff user: role, username, password and
TOTP secret (base32). Each run gives the demo users a fresh password and TOTP secret, so
the printed logins always work. Everything else goes to standard error.
"""

from __future__ import annotations

import secrets
from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction

from cellclinic.accounts.roles import ROLES
from cellclinic.accounts.services import staff_user_create, staff_user_reset_credentials
from cellclinic.inquiries.models import Inquiry
from cellclinic.inquiries.services import inquiry_submit
from cellclinic.programs.answers import validate_answers
from cellclinic.programs.selectors import program_get
from cellclinic.programs.services import programs_sync

SAMPLES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "cerebral-palsy",
        "en",
        {
            "contact.name": "Amira Haddad",
            "contact.relationship": "parent",
            "contact.email": "amira.haddad@example.org",
            "contact.country": "JO",
            "contact.language": "ar",
            "contact.channel": "whatsapp",
            "patient.name": "Omar Haddad",
            "patient.sex": "male",
            "patient.birth_date": "2021-04-12",
            "cp.diagnosis": "confirmed",
            "cp.type": "spastic",
            "cp.gmfcs_level": "3",
            "cp.epilepsy": "controlled",
            "cp.seizure_free_months": 14,
            "cp.hydrocephalus": "no",
            "cp.goals": ["motor", "muscle_tone", "speech_language"],
            "cp.rehabilitation": True,
            "consent.data_processing": True,
        },
    ),
    (
        "cerebral-palsy",
        "ru",
        {
            "contact.name": "Irina Volkova",
            "contact.relationship": "parent",
            "contact.email": "irina.volkova@example.org",
            "contact.country": "KZ",
            "contact.language": "ru",
            "patient.name": "Mikhail Volkov",
            "patient.sex": "male",
            "patient.birth_date": "2014-09-03",
            "cp.diagnosis": "confirmed",
            "cp.type": "mixed",
            "cp.gmfcs_level": "unknown",
            "cp.epilepsy": "unknown",
            "cp.hydrocephalus": "unknown",
            "cp.goals": ["coordination"],
            "consent.data_processing": True,
        },
    ),
    (
        "stroke",
        "es",
        {
            "contact.name": "Lucía Fernández",
            "contact.relationship": "child",
            "contact.email": "lucia.fernandez@example.org",
            "contact.country": "MX",
            "contact.language": "es",
            "contact.phone": "+52 55 1234 5678",
            "patient.name": "Jorge Fernández",
            "patient.sex": "male",
            "patient.birth_date": "1958-02-20",
            "stroke.type": "ischemic",
            "stroke.onset_date": "2026-03-15",
            "stroke.mrs": "3",
            "stroke.organ_damage": ["none"],
            "stroke.general_health": "fair",
            "stroke.goals": ["arm_hand", "leg_walking"],
            "consent.data_processing": True,
        },
    ),
    (
        "stroke",
        "zh-hans",
        {
            "contact.name": "Wang Fang",
            "contact.relationship": "spouse",
            "contact.email": "wang.fang@example.org",
            "contact.country": "SG",
            "contact.language": "zh-hans",
            "contact.channel": "wechat",
            "patient.name": "Li Wei",
            "patient.birth_date": "1966-11-30",
            "stroke.type": "hemorrhagic",
            "stroke.onset_date": "2024-06-01",
            "stroke.mrs": "4",
            "stroke.recurrent": True,
            "consent.data_processing": True,
        },
    ),
]


class Command(BaseCommand):
    help = (
        "Load the program definitions, sample inquiries and one staff user per role; "
        "print each user's role, username, password and TOTP secret."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--no-inquiries", action="store_true", help="skip sample inquiries")

    def handle(self, *args: Any, **options: Any) -> None:
        for result in programs_sync():
            state = "loaded" if result.created else "unchanged"
            self.stderr.write(f"program {result.program} v{result.version}: {state}")
        if (
            not options["no_inquiries"]
            and not Inquiry.objects.filter(contact_email__endswith="@example.org").exists()
        ):
            self._inquiries()
        lines = []
        with transaction.atomic():
            for role in ROLES:
                username = f"demo-{role}"
                password = secrets.token_urlsafe(12)
                existing = User.objects.filter(username=username).first()
                if existing is None:
                    _user, secret = staff_user_create(
                        username=username,
                        role=role,
                        password=password,
                        email=f"{username}@example.org",
                    )
                else:
                    secret = staff_user_reset_credentials(user=existing, password=password)
                lines.append(
                    f"role={role} username={username} password={password} totp_secret={secret}"
                )
        self.stderr.write("Staff sign in at http://127.0.0.1:8000/accounts/login/ with these:")
        for line in lines:
            self.stdout.write(line)

    def _inquiries(self) -> None:
        for slug, language, answers in SAMPLES:
            program = program_get(slug=slug)
            if program is None:
                continue
            checked = validate_answers(program.definition, answers, as_of=date.today())  # noqa: DTZ011
            if not checked.ok:
                raise AssertionError(f"demo answers for {slug} are invalid: {checked.errors}")
            inquiry, _ = inquiry_submit(program=program, answers=checked.answers, language=language)
            self.stderr.write(f"sample inquiry {inquiry.reference} ({slug})")
