"""The outbox row no longer points at an inquiry: the inquiry points at its e-mails
(inquiries.0004 copies every link first)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cellclinic", "0005_ratelimit_recent_in_the_key_row"),
        ("inquiries", "0004_inquiry_emails"),
    ]

    operations = [
        migrations.RemoveField(model_name="outboundemail", name="inquiry"),
    ]
