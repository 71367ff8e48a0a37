"""A text index on the published petitions' folded ``search_text`` (the public list's search).

Without it every search ran LIKE over every published petition, and the page's count did it
again: 51-88 ms a request at 100,000 (bench/petitions.py). The words are the same on both
databases (``egov.core.text.fold`` already made them plain ASCII):

- PostgreSQL: a generated column ``search_vector`` (``to_tsvector('simple', search_text)``,
  stored, so the planner has statistics on it and no row is re-parsed at query time) with a GIN
  index on the published rows only. Django does not know the column: it is never written.
- SQLite: an FTS5 table ``petitions_search`` over ``petitions_petition`` (external content, rowid
  = petition id), kept in step by triggers, so that every way a row is written (services,
  ``bulk_create``, ``update()``) is indexed.

Beware (SQLite): a later migration that makes Django rebuild ``petitions_petition`` (most
AlterField) drops the triggers with the old table; it must run ``SQLITE`` again. The public
search tests fail if the triggers are missing.
"""

from django.db import migrations

POSTGRESQL = [
    "ALTER TABLE petitions_petition ADD COLUMN search_vector tsvector"
    " GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED",
    "CREATE INDEX petitions_petition_search_vector ON petitions_petition"
    " USING gin (search_vector) WHERE status = 9",
]
POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS petitions_petition_search_vector",
    "ALTER TABLE petitions_petition DROP COLUMN IF EXISTS search_vector",
]

SQLITE = [
    "CREATE VIRTUAL TABLE petitions_search USING fts5(search_text,"
    " content='petitions_petition', content_rowid='id', tokenize='unicode61', detail='none',"
    " prefix='2 3')",
    "CREATE TRIGGER petitions_search_insert AFTER INSERT ON petitions_petition"
    " WHEN new.search_text != '' BEGIN"
    " INSERT INTO petitions_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER petitions_search_delete AFTER DELETE ON petitions_petition"
    " WHEN old.search_text != '' BEGIN"
    " INSERT INTO petitions_search(petitions_search, rowid, search_text)"
    " VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER petitions_search_update AFTER UPDATE OF search_text ON petitions_petition"
    " WHEN old.search_text IS NOT new.search_text BEGIN"
    " INSERT INTO petitions_search(petitions_search, rowid, search_text)"
    " SELECT 'delete', old.id, old.search_text WHERE old.search_text != '';"
    " INSERT INTO petitions_search(rowid, search_text)"
    " SELECT new.id, new.search_text WHERE new.search_text != ''; END",
    # Rows written before this migration.
    "INSERT INTO petitions_search(rowid, search_text)"
    " SELECT id, search_text FROM petitions_petition WHERE search_text != ''",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS petitions_search_insert",
    "DROP TRIGGER IF EXISTS petitions_search_delete",
    "DROP TRIGGER IF EXISTS petitions_search_update",
    "DROP TABLE IF EXISTS petitions_search",
]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("petitions", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP}),
        )
    ]
