"""Every API token gets a public uuid, an expiry and the reason it was revoked.

Tokens made before this had no expiry: they expire API_TOKEN_DAYS after they were made
(at once if that is past), and a token already revoked was revoked by hand.
"""

import uuid
from datetime import timedelta

from django.conf import settings
import django.utils.timezone
from django.db import migrations, models


def fill(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    days = timedelta(days=getattr(settings, "API_TOKEN_DAYS", 90))
    for token in ApiToken.objects.all():
        token.uuid = uuid.uuid4()
        token.expires_at = token.created_at + days
        if token.revoked_at is not None:
            token.revoked_reason = "revoked"
        token.save(update_fields=["uuid", "expires_at", "revoked_reason"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_encrypt_mfa_secrets"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="uuid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("revoked", "revoked"),
                    ("mfa_changed", "authenticator turned off or replaced"),
                    ("password_changed", "password changed"),
                    ("deactivated", "account deactivated"),
                    ("role_changed", "role changed"),
                ],
                default="",
                max_length=20,
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(),
        ),
    ]
