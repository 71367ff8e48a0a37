from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # The table of EGOV_CACHE=db, whatever the cache was when the database was migrated: a
    # database migrated with the local-memory cache (development) can then be served with the
    # database cache (production, the benches) without `createcachetable`. 0003 made it only
    # when the database cache was configured. Does nothing if the table exists.
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, "egov_cache", dry_run=False)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_officials_roles_clients")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
