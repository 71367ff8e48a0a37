"""Ballot answers are immutable: PostgreSQL refuses UPDATE, DELETE and TRUNCATE on them."""

from django.db import migrations

from egov.core.appendonly import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("cabinet", "0001_initial")]

    operations = [AppendOnly("answer")]
