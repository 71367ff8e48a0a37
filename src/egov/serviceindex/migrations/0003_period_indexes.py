"""Indexes the index's reads need on other apps' tables: every indicator over dossiers and
petitions reads one period's rows of every organisation (received, processed or answered in
it), which the organisation-first indexes of those apps do not serve. Kept here, with the app
that needs them (the dossiers' and petitions' models do not declare them); IF NOT EXISTS so
that an app declaring the same index later does not clash."""

from django.db import migrations

INDEXES = [
    # (period field, id): the counts scan the period's range; the drill-down's lists read its
    # first rows in (field, id) order straight from the index.
    ("serviceindex_dossier_received", "dossiers_dossier", "received_at, id"),
    ("serviceindex_dossier_processed", "dossiers_dossier", "processed_at, id"),
    ("serviceindex_petition_answered", "petitions_petition", "answered_at, id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("serviceindex", "0002_version_766_2022"),
        ("dossiers", "__first__"),
        ("petitions", "__first__"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column})",
            f"DROP INDEX IF EXISTS {name}",
        )
        for name, table, column in INDEXES
    ]
