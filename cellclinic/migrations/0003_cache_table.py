"""The table of the default cache (settings.CACHES without CACHE_URL or REDIS_URL).

Created by every `cellclinic migrate`, whatever cache is configured at the time, so that
dropping REDIS_URL later needs no extra step; Django's `createcachetable` builds it.
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

CACHE_TABLE = "cellclinic_cache"


def create_cache_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, CACHE_TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(
        f"DROP TABLE IF EXISTS {schema_editor.connection.ops.quote_name(CACHE_TABLE)}"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cellclinic", "0002_outboundemail_urgent"),
    ]

    operations = [
        migrations.RunPython(create_cache_table, drop_cache_table),
    ]
