"""The link from an inquiry to its e-mails moves to the inquiry's side (a many-to-many on
Inquiry), so the outbox in core knows nothing of inquiries. Each e-mail's former
`inquiry_id` is copied into the new table before `cellclinic.0006` drops the column."""

from django.db import migrations, models


def copy_links(apps, schema_editor):
    OutboundEmail = apps.get_model("cellclinic", "OutboundEmail")
    Link = apps.get_model("inquiries", "Inquiry")._meta.get_field("emails").remote_field.through
    rows = OutboundEmail.objects.filter(inquiry__isnull=False).values_list("pk", "inquiry_id")
    batch = []
    for email_id, inquiry_id in rows.iterator(chunk_size=2000):
        batch.append(Link(inquiry_id=inquiry_id, outboundemail_id=email_id))
        if len(batch) >= 2000:
            Link.objects.bulk_create(batch)
            batch = []
    Link.objects.bulk_create(batch)


def copy_back(apps, schema_editor):
    OutboundEmail = apps.get_model("cellclinic", "OutboundEmail")
    Link = apps.get_model("inquiries", "Inquiry")._meta.get_field("emails").remote_field.through
    for link in Link.objects.all().iterator(chunk_size=2000):
        OutboundEmail.objects.filter(pk=link.outboundemail_id).update(inquiry_id=link.inquiry_id)


class Migration(migrations.Migration):
    dependencies = [
        ("cellclinic", "0005_ratelimit_recent_in_the_key_row"),
        ("inquiries", "0003_message_document_message"),
    ]

    operations = [
        migrations.AddField(
            model_name="inquiry",
            name="emails",
            field=models.ManyToManyField(
                blank=True, related_name="inquiries", to="cellclinic.outboundemail"
            ),
        ),
        migrations.RunPython(copy_links, copy_back),
    ]
