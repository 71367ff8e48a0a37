"""The chain built once (egov.core.chain): the audit log's triggers become the AppendOnly
operation's, which also refuses TRUNCATE, and the chains' anchors get their own table.

0002's function and trigger are dropped here rather than edited there: 0002 has run on every
database already. Reversing this migration puts them back.
"""

import importlib

import django.utils.timezone
from django.db import migrations, models

from egov.core.appendonly import AppendOnly

_0002 = importlib.import_module("egov.core.migrations.0002_audit_append_only")


class Migration(migrations.Migration):
    dependencies = [("core", "0003_outbox")]

    operations = [
        migrations.RunPython(_0002.backward, _0002.forward, elidable=False),
        AppendOnly("auditentry"),
        migrations.CreateModel(
            name="ChainAnchor",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("chain", models.CharField(max_length=64)),
                ("length", models.BigIntegerField()),
                ("head", models.CharField(max_length=64)),
                ("recorded_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "indexes": [models.Index(fields=["chain", "-id"], name="core_anchor_chain_last")],
            },
        ),
        AppendOnly("chainanchor"),
    ]
