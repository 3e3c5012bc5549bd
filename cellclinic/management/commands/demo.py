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

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction

from cellclinic.accounts.roles import ROLES
from cellclinic.accounts.services import staff_user_create, staff_user_reset_credentials
from cellclinic.care.models import Patient
from cellclinic.inquiries.models import Inquiry
from cellclinic.inquiries.services import inquiry_submit
from cellclinic.programs.answers import AnswersForm
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
        if not options["no_inquiries"] and not Patient.objects.exists():
            with transaction.atomic():
                self._care()
        self.stderr.write(f"Staff sign in at {settings.SITE_URL}/accounts/login/ with these:")
        for line in lines:
            self.stdout.write(line)

    def _inquiries(self) -> None:
        for slug, language, answers in SAMPLES:
            program = program_get(slug=slug)
            if program is None:
                continue
            form = AnswersForm(program.definition, answers, as_of=date.today())  # noqa: DTZ011
            if not form.is_valid():
                raise AssertionError(f"demo answers for {slug} are invalid: {form.field_errors()}")
            inquiry, _ = inquiry_submit(program=program, answers=form.answers, language=language)
            self.stderr.write(f"sample inquiry {inquiry.reference} ({slug})")

    def _care(self) -> None:
        """Two accepted patients: one in treatment (consent, plan, two administrations, a
        mild adverse event), one scheduled who still has to sign the consent."""
        from datetime import datetime, time, timedelta
        from decimal import Decimal
        from zoneinfo import ZoneInfo

        from django.utils import timezone

        from cellclinic.care.consent import consent_document_in_force, consent_sign
        from cellclinic.care.records import (
            EventValues,
            ProcedureValues,
            adverse_event_record,
            procedure_record,
        )
        from cellclinic.care.services import inquiry_accept, plan_from_template
        from cellclinic.inquiries.models import Status
        from cellclinic.inquiries.services import inquiry_status_change

        physician = User.objects.get(username="demo-physician")
        nurse = User.objects.get(username="demo-nurse")
        today = timezone.localdate()
        chosen = Inquiry.objects.filter(
            contact_email__in=["amira.haddad@example.org", "lucia.fernandez@example.org"]
        ).order_by("created_at")
        for index, inquiry in enumerate(chosen):
            for status in (Status.CONTACTED, Status.SCREENING, Status.CONSULTATION):
                inquiry_status_change(inquiry=inquiry, to_status=status, by=physician)
            patient = inquiry_accept(
                inquiry=inquiry, physician=physician, note="Records reviewed; suitable."
            )
            start = today - timedelta(days=7) if index == 0 else today + timedelta(days=10)
            if index == 0:  # a demo story: accepted three weeks ago, treated since last week
                Patient.objects.filter(pk=patient.pk).update(
                    created_at=timezone.now() - timedelta(days=21)
                )
                patient.refresh_from_db()
            plan_from_template(patient=patient, start=start, physician=physician)
            self.stderr.write(f"sample patient {inquiry.reference}: plan from {start}")
            if index != 0:
                continue
            document = consent_document_in_force(
                program=patient.program, language=inquiry.reply_language
            )
            consent_sign(
                patient=patient,
                document=document,
                signer_name=inquiry.contact_name,
                signer_role="parent",
                method="in_person",
                address="127.0.0.1",
                witness=nurse,
            )
            first = None
            zone = ZoneInfo(patient.plan.time_zone)
            for day in (start, start + timedelta(days=6)):
                for route, hour in (("lumbar_puncture", 9), ("intravenous", 13)):
                    made = procedure_record(
                        patient=patient,
                        values=ProcedureValues(
                            performed_at=datetime.combine(day, time(hour), tzinfo=zone),
                            route=route,
                            cell_type="umbilical cord mesenchymal stromal cells",
                            dose=Decimal(30),
                            dose_unit="million_cells",
                            operator=physician,
                        ),
                        by=nurse,
                    )
                    first = first or made
            assert first is not None  # nosec B101  # narrows the type for mypy, not a check of input
            adverse_event_record(
                patient=patient,
                values=EventValues(
                    procedure=first,
                    description="Headache on the evening after the lumbar puncture.",
                    category="nervous_system",
                    grade=1,
                    serious=False,
                    seriousness=(),
                    relation_cells="unlikely",
                    relation_lumbar_puncture="probable",
                    action="treated",
                    outcome="recovered",
                    onset_date=start,
                    resolved_date=start + timedelta(days=1),
                ),
                by=nurse,
            )
