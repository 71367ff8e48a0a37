"""The evidence becomes a user of the chain built once in core (egov.core.chain): 0002's
triggers give way to the AppendOnly operation's, which also refuse TRUNCATE.

0002 is left as it ran on every database; reversing this migration puts its trigger back.
"""

import importlib

from django.db import migrations, models

from egov.core.appendonly import AppendOnly

_0002 = importlib.import_module("egov.exchange.migrations.0002_evidence_append_only")


class Migration(migrations.Migration):
    dependencies = [("exchange", "0010_delete_outboxmessage"), ("core", "0004_chain")]

    operations = [
        migrations.RunPython(_0002.backward, _0002.forward, elidable=False),
        AppendOnly("evidence"),
        # ChainedRow's verbose name for the time; no change in the database.
        migrations.AlterField(
            model_name="evidence",
            name="created_at",
            field=models.DateTimeField(verbose_name="time"),
        ),
    ]
