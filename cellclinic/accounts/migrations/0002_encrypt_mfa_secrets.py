"""Encrypt the TOTP secrets and recovery seeds stored before encryption was turned on.

Idempotent: values that already carry the encrypted prefix are left alone. Reversible:
going back decrypts them (with the configured FIELD_ENCRYPTION_KEY).
"""

from django.conf import settings
from django.db import migrations

from cellclinic.accounts.mfa_secrets import data_decrypted, data_encrypted


def rewrite(apps, transform):
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=["totp", "recovery_codes"]):
        data = transform(authenticator.data, keys=settings.FIELD_ENCRYPTION_KEYS)
        if data != authenticator.data:
            Authenticator.objects.filter(pk=authenticator.pk).update(data=data)


def encrypt(apps, schema_editor):
    rewrite(apps, data_encrypted)


def decrypt(apps, schema_editor):
    rewrite(apps, data_decrypted)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt)]
